-- Queries that stay flat as the ledger grows: who traded in each period is kept as the
-- transfers are written (so neither a payment nor /stats scans a month), the market is
-- searched through a full-text index, and each account keeps the time of its newest transfer.

-- A trade, for statistics: a transfer between members that is not a correction, not an
-- event fee, refund or reward, and was not corrected afterwards. Months are Seoul months.
-- ledger._roll_up applies the same rule one transfer at a time; verify compares the two.
CREATE VIEW stats_trades AS
SELECT t.id, t.community_id,
       to_char(t.created_at::timestamp + interval '9 hours', 'YYYY-MM') AS month, t.amount,
       t.payer_account_id, t.payee_account_id
FROM transfers t
WHERE t.kind <> 'reversal' AND t.purpose IS NULL
  AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reverses_id = t.id);

-- How many trades each member account made in a period: a month (YYYY-MM), its year (YYYY)
-- or all time ('all'). A row lives only while its count is above zero, so a period's rows are
-- its active members, and their number is kept in stats_active: /stats reads one row where it
-- used to count distinct members over every month of the period.
CREATE TABLE stats_members (
    community_id BIGINT NOT NULL REFERENCES communities(id),
    period TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    trades BIGINT NOT NULL CHECK (trades > 0),
    PRIMARY KEY (community_id, period, account_id)
);

CREATE TABLE stats_active (
    community_id BIGINT NOT NULL REFERENCES communities(id),
    period TEXT NOT NULL,
    members BIGINT NOT NULL,
    PRIMARY KEY (community_id, period)
);

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

-- The market's search index: one row per open post, its terms written by
-- storage/search_terms.py (the same bigram terms as SQLite's FTS5 table) as a tsvector of the
-- 'simple' configuration, which keeps each hexadecimal term one lexeme and its position, so a
-- word is found as the phrase of its bigrams (<->). storage/posts.py adds a post when it opens;
-- these triggers take it out whenever it stops being open or its text changes.
CREATE TABLE posts_search (
    post_id BIGINT PRIMARY KEY REFERENCES posts(id),
    terms TSVECTOR NOT NULL
);
CREATE INDEX posts_search_terms ON posts_search USING gin (terms);

CREATE FUNCTION posts_search_leave() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.status <> 'open' OR NEW.title IS DISTINCT FROM OLD.title
       OR NEW.description IS DISTINCT FROM OLD.description
       OR NEW.category IS DISTINCT FROM OLD.category
       OR NEW.community_id IS DISTINCT FROM OLD.community_id THEN
        DELETE FROM posts_search WHERE post_id = OLD.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER posts_search_leave AFTER UPDATE OF status, title, description, category,
    community_id ON posts FOR EACH ROW EXECUTE FUNCTION posts_search_leave();
CREATE TRIGGER posts_search_gone AFTER DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_search_leave();

-- (SQLite's backfill of the roll-ups, last trades and the index from older rows: a
-- PostgreSQL database starts empty at this point; `pumasi migrate-to-postgres` copies them.)
