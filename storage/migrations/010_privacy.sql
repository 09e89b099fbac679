-- Privacy: consent to the joining notice (개인정보 수집·이용 안내), leaving a community,
-- a coordinator settling a balance to the community account, and erasing a former member's
-- name and channel ids while the ledger keeps every row.

-- When a member left (status 'left'); the row, number and account stay, because the ledger
-- and the history of others refer to them.
ALTER TABLE memberships ADD COLUMN left_at TEXT;

-- When a former member's name, username and channel identities were erased. The name is
-- then stored blank and shown as "former member #23" in the reader's language.
ALTER TABLE people ADD COLUMN erased_at TEXT;

-- Which version of the notice a person agreed to, and when; written in the same
-- transaction as the application or membership it led to.
CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    community_id INTEGER NOT NULL REFERENCES communities(id),
    membership_id INTEGER NOT NULL REFERENCES memberships(id),
    notice_version TEXT NOT NULL,
    accepted_at TEXT NOT NULL
);
CREATE INDEX consents_person ON consents(person_id);
CREATE INDEX consents_membership ON consents(membership_id);

-- A coordinator's erasure waits for their Confirm (it cannot be undone); the button names
-- the request, and only a pending request moves on, once.
CREATE TABLE erasure_requests (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    membership_id INTEGER NOT NULL REFERENCES memberships(id),
    requested_by_person_id INTEGER NOT NULL REFERENCES people(id),
    reason TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled')),
    created_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX erasure_requests_membership ON erasure_requests(membership_id, status);

-- Two CHECK constraints widen: a membership may be 'left', and a transfer's purpose may be
-- 'settlement' (a coordinator moving a balance to or from the community account). SQLite
-- cannot alter a CHECK; loosening one leaves every stored row valid and the file format
-- unchanged, so the table's schema text is edited in place, as SQLite documents for such
-- changes (lang_altertable.html, "Making Other Kinds Of Table Schema Changes"). The
-- migration runner then bumps schema_version so every connection reads the new text. This
-- comes last: an ALTER TABLE in the same transaction would work from the old text.
PRAGMA writable_schema = ON;
UPDATE sqlite_master
SET sql = replace(sql, '''suspended'', ''rejected'')', '''suspended'', ''rejected'', ''left'')')
WHERE type = 'table' AND name = 'memberships';
UPDATE sqlite_master
SET sql = replace(sql, '''event_reward'')', '''event_reward'', ''settlement'')')
WHERE type = 'table' AND name = 'transfers';
PRAGMA writable_schema = OFF;
