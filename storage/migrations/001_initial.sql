-- Communities, people and their channel identities, memberships, the double-entry ledger,
-- trade requests, posts, the audit log and durable dialog state.

CREATE TABLE communities (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '문',
    credit_floor INTEGER NOT NULL DEFAULT -300000 CHECK (credit_floor <= 0),
    credit_ceiling INTEGER NOT NULL DEFAULT 1000000 CHECK (credit_ceiling >= 0),
    approval TEXT NOT NULL DEFAULT 'auto' CHECK (approval IN ('auto', 'coordinator')),
    open_ledger INTEGER NOT NULL DEFAULT 0 CHECK (open_ledger IN (0, 1)),
    district TEXT,
    host_institution TEXT,
    next_member_number INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    display_name TEXT NOT NULL,
    username TEXT,
    locale TEXT,
    current_community_id INTEGER REFERENCES communities(id),
    created_at TEXT NOT NULL
);
CREATE INDEX people_username ON people(username COLLATE NOCASE);

CREATE TABLE identities (
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (channel, external_id)
);
CREATE INDEX identities_person ON identities(person_id);

CREATE TABLE memberships (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    number INTEGER,
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'coordinator')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended', 'rejected')),
    credit_floor INTEGER CHECK (credit_floor IS NULL OR credit_floor <= 0),
    credit_ceiling INTEGER CHECK (credit_ceiling IS NULL OR credit_ceiling >= 0),
    created_at TEXT NOT NULL,
    decided_at TEXT,
    UNIQUE (community_id, person_id),
    UNIQUE (community_id, number)
);
CREATE INDEX memberships_person ON memberships(person_id);
CREATE INDEX memberships_status ON memberships(community_id, status);

-- membership_id NULL is the community's own account (fees, rewards).
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    membership_id INTEGER UNIQUE REFERENCES memberships(id),
    balance INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX accounts_one_community_account ON accounts(community_id)
    WHERE membership_id IS NULL;

CREATE TABLE trade_requests (
    id INTEGER PRIMARY KEY,
    request_key TEXT NOT NULL UNIQUE,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL CHECK (kind IN ('pay', 'charge')),
    payer_membership_id INTEGER NOT NULL REFERENCES memberships(id),
    payee_membership_id INTEGER NOT NULL REFERENCES memberships(id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    memo TEXT,
    post_id INTEGER REFERENCES posts(id),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'committed', 'declined', 'cancelled', 'expired')),
    created_by_person_id INTEGER NOT NULL REFERENCES people(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    remind_at TEXT,
    reminded_at TEXT,
    decided_at TEXT,
    transfer_id INTEGER REFERENCES transfers(id),
    CHECK (payer_membership_id <> payee_membership_id)
);
CREATE INDEX trade_requests_open ON trade_requests(status, expires_at);
CREATE INDEX trade_requests_remind ON trade_requests(status, remind_at);
CREATE INDEX trade_requests_payer ON trade_requests(payer_membership_id, status);
CREATE INDEX trade_requests_payee ON trade_requests(payee_membership_id, status);

CREATE TABLE transfers (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    payer_account_id INTEGER NOT NULL REFERENCES accounts(id),
    payee_account_id INTEGER NOT NULL REFERENCES accounts(id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    kind TEXT NOT NULL CHECK (kind IN ('pay', 'charge', 'reversal')),
    memo TEXT,
    reason TEXT,
    request_id INTEGER UNIQUE REFERENCES trade_requests(id),
    reverses_id INTEGER UNIQUE REFERENCES transfers(id),
    post_id INTEGER REFERENCES posts(id),
    created_by_person_id INTEGER NOT NULL REFERENCES people(id),
    created_at TEXT NOT NULL,
    CHECK (payer_account_id <> payee_account_id),
    CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL))
);
CREATE INDEX transfers_community ON transfers(community_id, id);

-- Each transfer has exactly two movements: -amount on the payer, +amount on the payee.
CREATE TABLE movements (
    id INTEGER PRIMARY KEY,
    transfer_id INTEGER NOT NULL REFERENCES transfers(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    amount INTEGER NOT NULL CHECK (amount <> 0)
);
CREATE INDEX movements_account ON movements(account_id, id);
CREATE INDEX movements_transfer ON movements(transfer_id);

CREATE TRIGGER transfers_are_immutable BEFORE UPDATE ON transfers
BEGIN
    SELECT RAISE(ABORT, 'transfers are immutable; reverse them instead');
END;
CREATE TRIGGER transfers_are_kept BEFORE DELETE ON transfers
BEGIN
    SELECT RAISE(ABORT, 'transfers are never deleted; reverse them instead');
END;
CREATE TRIGGER movements_are_immutable BEFORE UPDATE ON movements
BEGIN
    SELECT RAISE(ABORT, 'movements are immutable');
END;
CREATE TRIGGER movements_are_kept BEFORE DELETE ON movements
BEGIN
    SELECT RAISE(ABORT, 'movements are never deleted');
END;

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    author_membership_id INTEGER NOT NULL REFERENCES memberships(id),
    kind TEXT NOT NULL CHECK (kind IN ('offer', 'request')),
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    price INTEGER CHECK (price IS NULL OR price > 0),
    photo_file_id TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'expired')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    warn_at TEXT NOT NULL,
    warned_at TEXT
);
CREATE INDEX posts_market ON posts(community_id, status, id);
CREATE INDEX posts_expiry ON posts(status, expires_at);
CREATE INDEX posts_warn ON posts(status, warn_at);
CREATE INDEX posts_author ON posts(author_membership_id, status);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    community_id INTEGER REFERENCES communities(id),
    actor_person_id INTEGER REFERENCES people(id),
    action TEXT NOT NULL,
    target TEXT,
    reason TEXT,
    details TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX audit_log_community ON audit_log(community_id, id);

-- Where a person is in a guided dialog; survives restarts.
CREATE TABLE dialogs (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    name TEXT NOT NULL,
    step TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
);
