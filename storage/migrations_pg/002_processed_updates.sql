-- Updates whose effect is committed: the key is recorded in the same transaction as the effect,
-- so a redelivered update is recognised and skipped.
CREATE TABLE processed_updates (
    update_key TEXT PRIMARY KEY,
    processed_at TEXT NOT NULL
);
CREATE INDEX processed_updates_age ON processed_updates(processed_at);
