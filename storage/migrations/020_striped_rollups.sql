-- The statistics roll-ups a whole community shares (its months, active members, channels)
-- get a stripe in their key. On PostgreSQL, where payments run side by side (see
-- storage/postgres.py), each transfer counts into the stripe its id picks, so concurrent
-- payments do not all queue on one row until they commit; readers add the stripes up.
-- SQLite's single writer has no such queue: it always writes stripe 0, so one row a key.
-- The stripe is declared among the key's columns, before the counts: in a WITHOUT ROWID
-- table with a key column declared after them, SQLite 3.40's integrity_check reports the
-- counts NULL after an upsert.

CREATE TABLE stats_months_striped (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    month TEXT NOT NULL,
    stripe INTEGER NOT NULL DEFAULT 0,
    trades INTEGER NOT NULL,
    volume INTEGER NOT NULL,
    PRIMARY KEY (community_id, month, stripe)
);
INSERT INTO stats_months_striped (community_id, month, trades, volume, stripe)
SELECT community_id, month, trades, volume, 0 FROM stats_months;
DROP TABLE stats_months;
ALTER TABLE stats_months_striped RENAME TO stats_months;

CREATE TABLE stats_active_striped (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    period TEXT NOT NULL,
    stripe INTEGER NOT NULL DEFAULT 0,
    members INTEGER NOT NULL,
    PRIMARY KEY (community_id, period, stripe)
) WITHOUT ROWID;
INSERT INTO stats_active_striped (community_id, period, members, stripe)
SELECT community_id, period, members, 0 FROM stats_active;
DROP TABLE stats_active;
ALTER TABLE stats_active_striped RENAME TO stats_active;

CREATE TABLE stats_channels_striped (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    month TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('goods', 'labour', 'merchant', 'public')),
    stripe INTEGER NOT NULL DEFAULT 0,
    trades INTEGER NOT NULL,
    volume INTEGER NOT NULL,
    PRIMARY KEY (community_id, month, channel, stripe)
) WITHOUT ROWID;
INSERT INTO stats_channels_striped (community_id, month, channel, trades, volume, stripe)
SELECT community_id, month, channel, trades, volume, 0 FROM stats_channels;
DROP TABLE stats_channels;
ALTER TABLE stats_channels_striped RENAME TO stats_channels;
