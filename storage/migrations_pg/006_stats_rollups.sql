-- Monthly roll-ups of trades (member-to-member transfers that were not corrected), kept in
-- the same transaction as each transfer, so statistics read months instead of every transfer.

CREATE TABLE stats_months (
    community_id BIGINT NOT NULL REFERENCES communities(id),
    month TEXT NOT NULL,
    trades BIGINT NOT NULL,
    volume BIGINT NOT NULL,
    PRIMARY KEY (community_id, month)
);

CREATE TABLE stats_activity (
    community_id BIGINT NOT NULL REFERENCES communities(id),
    month TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    trades BIGINT NOT NULL,
    PRIMARY KEY (community_id, month, account_id)
);

-- (SQLite's backfill of older transfers: a PostgreSQL database starts empty at this point,
-- and `pumasi migrate-to-postgres` copies the roll-ups with the rest.)
