-- Monthly roll-ups of trades (member-to-member transfers that were not corrected), kept in
-- the same transaction as each transfer, so statistics read months instead of every transfer.

CREATE TABLE stats_months (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    month TEXT NOT NULL,
    trades INTEGER NOT NULL,
    volume INTEGER NOT NULL,
    PRIMARY KEY (community_id, month)
);

CREATE TABLE stats_activity (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    month TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    trades INTEGER NOT NULL,
    PRIMARY KEY (community_id, month, account_id)
);

-- backfill
INSERT INTO stats_months (community_id, month, trades, volume)
SELECT t.community_id, strftime('%Y-%m', t.created_at, '+9 hours'), COUNT(*), SUM(t.amount)
FROM transfers t
WHERE t.kind <> 'reversal' AND t.purpose IS NULL
  AND t.id NOT IN (SELECT reverses_id FROM transfers WHERE reverses_id IS NOT NULL)
GROUP BY t.community_id, strftime('%Y-%m', t.created_at, '+9 hours');

INSERT INTO stats_activity (community_id, month, account_id, trades)
SELECT community_id, month, account_id, COUNT(*) FROM (
    SELECT t.community_id, strftime('%Y-%m', t.created_at, '+9 hours') AS month,
           t.payer_account_id AS account_id
    FROM transfers t WHERE t.kind <> 'reversal' AND t.purpose IS NULL
      AND t.id NOT IN (SELECT reverses_id FROM transfers WHERE reverses_id IS NOT NULL)
    UNION ALL
    SELECT t.community_id, strftime('%Y-%m', t.created_at, '+9 hours'), t.payee_account_id
    FROM transfers t WHERE t.kind <> 'reversal' AND t.purpose IS NULL
      AND t.id NOT IN (SELECT reverses_id FROM transfers WHERE reverses_id IS NOT NULL)
) GROUP BY community_id, month, account_id;
