-- The statistics roll-ups a whole community shares (its months, active members, channels)
-- get a stripe in their key. Payments run side by side here (see storage/postgres.py): each
-- transfer counts into the stripe its id picks, so concurrent payments do not all queue on
-- one row until they commit; readers add the stripes up. (SQLite always writes stripe 0.)

ALTER TABLE stats_months ADD COLUMN stripe BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_months DROP CONSTRAINT stats_months_pkey,
    ADD PRIMARY KEY (community_id, month, stripe);

ALTER TABLE stats_active ADD COLUMN stripe BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_active DROP CONSTRAINT stats_active_pkey,
    ADD PRIMARY KEY (community_id, period, stripe);

ALTER TABLE stats_channels ADD COLUMN stripe BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_channels DROP CONSTRAINT stats_channels_pkey,
    ADD PRIMARY KEY (community_id, month, channel, stripe);
