-- Organisations: merchants (가맹점) and public institutions (공공기관) with their own account
-- in a community, their staff, the bills paid part in currency and part in cash, public
-- programmes on the event flow, and trades counted by channel of circulation.

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    number INTEGER NOT NULL,  -- the shop's number in its community, shown everywhere
    kind TEXT NOT NULL CHECK (kind IN ('merchant', 'institution')),
    name TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    hours TEXT NOT NULL DEFAULT '',
    map_url TEXT,
    phone TEXT,
    photo_file_id TEXT,
    share_percent INTEGER NOT NULL DEFAULT 30 CHECK (share_percent BETWEEN 1 AND 100),
    cap INTEGER CHECK (cap IS NULL OR cap > 0),
    rounding INTEGER NOT NULL DEFAULT 100 CHECK (rounding IN (10, 100, 1000)),
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended', 'rejected')),
    -- the QR's deep-link token and the short code typed on other channels (`가게 1234`)
    token TEXT NOT NULL UNIQUE,
    short_code TEXT NOT NULL,
    created_by_person_id INTEGER NOT NULL REFERENCES people(id),
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by_person_id INTEGER REFERENCES people(id),
    UNIQUE (community_id, number),
    UNIQUE (community_id, short_code)
);
CREATE INDEX organisations_status ON organisations(community_id, status, number);

-- Codes a rotation replaced: an old QR or code then says it changed instead of "not found".
CREATE TABLE organisation_old_codes (
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    token TEXT NOT NULL UNIQUE,
    short_code TEXT NOT NULL,
    retired_at TEXT NOT NULL
);
CREATE INDEX organisation_old_codes_short ON organisation_old_codes(short_code);

CREATE TABLE organisation_staff (
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    membership_id INTEGER NOT NULL REFERENCES memberships(id),
    role TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (organisation_id, membership_id)
);
CREATE INDEX organisation_staff_member ON organisation_staff(membership_id);

-- An organisation's account: membership_id NULL like the community's own, told apart by
-- organisation_id, so the community account stays the one account with neither.
ALTER TABLE accounts ADD COLUMN organisation_id INTEGER REFERENCES organisations(id);
CREATE UNIQUE INDEX accounts_organisation ON accounts(organisation_id)
    WHERE organisation_id IS NOT NULL;
DROP INDEX accounts_one_community_account;
CREATE UNIQUE INDEX accounts_one_community_account ON accounts(community_id)
    WHERE membership_id IS NULL AND organisation_id IS NULL;

-- A bill at a shop: pending while the member looks at the preview, then paid (the currency
-- part is the transfer, the cash part is kept here), then perhaps refunded (a new transfer).
CREATE TABLE merchant_payments (
    id INTEGER PRIMARY KEY,
    request_key TEXT NOT NULL UNIQUE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    community_id INTEGER NOT NULL REFERENCES communities(id),
    membership_id INTEGER NOT NULL REFERENCES memberships(id),
    bill INTEGER NOT NULL CHECK (bill > 0),
    currency INTEGER NOT NULL CHECK (currency > 0 AND currency <= bill),
    cash INTEGER NOT NULL CHECK (cash >= 0 AND cash + currency = bill),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'paid', 'cancelled', 'expired', 'refunded')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    paid_at TEXT,
    transfer_id INTEGER UNIQUE REFERENCES transfers(id),
    refund_transfer_id INTEGER UNIQUE REFERENCES transfers(id),
    refunded_at TEXT,
    refunded_by_person_id INTEGER REFERENCES people(id)
);
CREATE INDEX merchant_payments_takings ON merchant_payments(organisation_id, paid_at);
CREATE INDEX merchant_payments_member ON merchant_payments(membership_id, status);

-- A refund names the transfer it gives back (a shop's refund, an event's fee refund); one
-- refund each, which the unique index holds whatever the code does.
ALTER TABLE transfers ADD COLUMN refunds_id INTEGER REFERENCES transfers(id);
CREATE UNIQUE INDEX transfers_refunds ON transfers(refunds_id) WHERE refunds_id IS NOT NULL;

-- A public programme is an event run by an institution; its fees go to that account.
ALTER TABLE events ADD COLUMN organisation_id INTEGER REFERENCES organisations(id);

-- Trades by channel of circulation, as the seed's table has them: goods (물품거래), labour
-- (품 나눔), merchants (가맹점), public (공공영역). A transfer counts in the Seoul month it was
-- made unless it was corrected or refunded; storage/ledger.py keeps the roll-up in the same
-- transaction, verify compares it with this view.
CREATE VIEW stats_channel_candidates AS
SELECT t.id, t.community_id, strftime('%Y-%m', t.created_at, '+9 hours') AS month, t.amount,
       CASE
           WHEN t.purpose IS NULL THEN
               CASE WHEN p.category IN ('goods', 'food') THEN 'goods' ELSE 'labour' END
           WHEN o.kind = 'merchant' THEN 'merchant'
           ELSE 'public'
       END AS channel
FROM transfers t
LEFT JOIN posts p ON p.id = t.post_id
LEFT JOIN accounts ya ON ya.id = t.payee_account_id
LEFT JOIN organisations o ON o.id = ya.organisation_id
WHERE t.kind <> 'reversal'
  AND (t.purpose IS NULL OR (t.purpose IN ('merchant', 'event_fee') AND o.id IS NOT NULL));

CREATE VIEW stats_channel_trades AS
SELECT c.* FROM stats_channel_candidates c
WHERE NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reverses_id = c.id)
  AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.refunds_id = c.id);

CREATE TABLE stats_channels (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    month TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('goods', 'labour', 'merchant', 'public')),
    trades INTEGER NOT NULL,
    volume INTEGER NOT NULL,
    PRIMARY KEY (community_id, month, channel)
) WITHOUT ROWID;

-- backfill (storage/bulk.py runs this again after loading rows in bulk)
DELETE FROM stats_channels;
INSERT INTO stats_channels (community_id, month, channel, trades, volume)
SELECT community_id, month, channel, COUNT(*), SUM(amount) FROM stats_channel_trades
GROUP BY community_id, month, channel;
-- end of backfill

-- A transfer's purpose may now be a shop's payment or its refund (see migration 010 on
-- widening a CHECK in place; this comes last for the same reason).
PRAGMA writable_schema = ON;
UPDATE sqlite_master
SET sql = replace(sql, '''settlement'')', '''settlement'', ''merchant'', ''merchant_refund'')')
WHERE type = 'table' AND name = 'transfers';
PRAGMA writable_schema = OFF;
