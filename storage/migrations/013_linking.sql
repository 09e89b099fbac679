-- One person, every channel: a one-time code made on one channel and typed on another joins
-- the two identities into one person. People first met on a channel that gives no name
-- (KakaoTalk) are asked for one before they join a community.

-- 0 while the person has only a placeholder name (a nameless channel made them).
ALTER TABLE people ADD COLUMN name_confirmed INTEGER NOT NULL DEFAULT 1;
-- A person joined into another keeps their row (transfers name them and are immutable);
-- this points to the person they became.
ALTER TABLE people ADD COLUMN merged_into INTEGER REFERENCES people(id);

-- One live code per person (a new one replaces it); a used one is kept so the same code
-- typed again by the identity it linked is answered "already linked".
CREATE TABLE link_codes (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    code TEXT NOT NULL,
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by_channel TEXT,
    used_by_external_id TEXT
);
CREATE INDEX link_codes_code ON link_codes(code);

-- Codes an identity typed that linked nothing, so guessing is cut off (kept across restarts).
CREATE TABLE link_attempts (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    tried_at TEXT NOT NULL
);
CREATE INDEX link_attempts_identity ON link_attempts(channel, external_id, tried_at);
