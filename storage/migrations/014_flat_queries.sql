-- Queries that stay flat as the ledger grows: who traded in each period is kept as the
-- transfers are written (so neither a payment nor /stats scans a month), the market is
-- searched through a full-text index, and each account keeps the time of its newest transfer.

-- A trade, for statistics: a transfer between members that is not a correction, not an
-- event fee, refund or reward, and was not corrected afterwards. Months are Seoul months.
-- ledger._roll_up applies the same rule one transfer at a time; verify compares the two.
CREATE VIEW stats_trades AS
SELECT t.id, t.community_id, strftime('%Y-%m', t.created_at, '+9 hours') AS month, t.amount,
       t.payer_account_id, t.payee_account_id
FROM transfers t
WHERE t.kind <> 'reversal' AND t.purpose IS NULL
  AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reverses_id = t.id);

-- How many trades each member account made in a period: a month (YYYY-MM), its year (YYYY)
-- or all time ('all'). A row lives only while its count is above zero, so a period's rows are
-- its active members, and their number is kept in stats_active: /stats reads one row where it
-- used to count distinct members over every month of the period.
CREATE TABLE stats_members (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    period TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    trades INTEGER NOT NULL CHECK (trades > 0),
    PRIMARY KEY (community_id, period, account_id)
) WITHOUT ROWID;

CREATE TABLE stats_active (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    period TEXT NOT NULL,
    members INTEGER NOT NULL,
    PRIMARY KEY (community_id, period)
) WITHOUT ROWID;

-- stats_members as the transfers say it should be (backfill and verify).
CREATE VIEW stats_members_expected AS
WITH sides AS (
    SELECT community_id, month, payer_account_id AS account_id FROM stats_trades
    UNION ALL
    SELECT community_id, month, payee_account_id FROM stats_trades
), months AS MATERIALIZED (
    SELECT s.community_id, s.month, s.account_id, COUNT(*) AS trades
    FROM sides s JOIN accounts a ON a.id = s.account_id
    WHERE a.membership_id IS NOT NULL
    GROUP BY s.community_id, s.month, s.account_id
)
SELECT community_id, month AS period, account_id, trades FROM months
UNION ALL
SELECT community_id, substr(month, 1, 4), account_id, SUM(trades) FROM months
GROUP BY community_id, substr(month, 1, 4), account_id
UNION ALL
SELECT community_id, 'all', account_id, SUM(trades) FROM months
GROUP BY community_id, account_id;

-- Replaced by stats_members, whose months hold the same rows.
DROP TABLE stats_activity;

-- The time of the account's newest transfer of any kind, written with its balance.
ALTER TABLE accounts ADD COLUMN last_trade_at TEXT;

-- The market's search index: one row per open post (rowid = post id), its terms written by
-- storage/search_terms.py. storage/posts.py adds a post when it opens (created, renewed);
-- these triggers take it out whenever it stops being open or its text changes, whoever
-- changes it, so the index never holds a closed post or text the post no longer has.
CREATE VIRTUAL TABLE posts_search USING fts5(terms, tokenize = 'unicode61');

CREATE TRIGGER posts_search_leave AFTER UPDATE OF status, title, description, category,
    community_id ON posts
WHEN new.status <> 'open' OR new.title IS NOT old.title
    OR new.description IS NOT old.description OR new.category IS NOT old.category
    OR new.community_id IS NOT old.community_id
BEGIN
    DELETE FROM posts_search WHERE rowid = old.id;
END;

CREATE TRIGGER posts_search_gone AFTER DELETE ON posts
BEGIN
    DELETE FROM posts_search WHERE rowid = old.id;
END;

-- backfill (storage/bulk.py runs everything below again after loading rows in bulk)
DELETE FROM stats_months;
INSERT INTO stats_months (community_id, month, trades, volume)
SELECT community_id, month, COUNT(*), SUM(amount) FROM stats_trades GROUP BY community_id, month;

DELETE FROM stats_members;
INSERT INTO stats_members (community_id, period, account_id, trades)
SELECT community_id, period, account_id, trades FROM stats_members_expected;

DELETE FROM stats_active;
INSERT INTO stats_active (community_id, period, members)
SELECT community_id, period, COUNT(*) FROM stats_members GROUP BY community_id, period;

UPDATE accounts SET last_trade_at = (
    SELECT MAX(t.created_at) FROM movements mv JOIN transfers t ON t.id = mv.transfer_id
    WHERE mv.account_id = accounts.id);

DELETE FROM posts_search;
INSERT INTO posts_search (rowid, terms)
SELECT id, post_search_terms(community_id, category, title, description) FROM posts
WHERE status = 'open';
