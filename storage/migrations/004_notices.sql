-- Notices (공지) with a durable outbox: one row per recipient, drained under the Bot API's
-- limits; linked group chats; per-member mute.

CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    author_person_id INTEGER NOT NULL REFERENCES people(id),
    text TEXT NOT NULL DEFAULT '',
    photo_file_id TEXT,
    document_file_id TEXT,
    audience TEXT NOT NULL
        CHECK (audience IN ('all', 'coordinators', 'event', 'active', 'inactive')),
    audience_event_id INTEGER REFERENCES events(id),
    audience_days INTEGER,
    urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    status TEXT NOT NULL DEFAULT 'sending' CHECK (status IN ('sending', 'done')),
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX notices_community ON notices(community_id, id);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    notice_id INTEGER NOT NULL REFERENCES notices(id),
    membership_id INTEGER REFERENCES memberships(id),
    chat_id TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'unreachable', 'failed', 'uncertain')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (notice_id, chat_id)
);
CREATE INDEX outbox_pending ON outbox(state, id);
CREATE INDEX outbox_notice ON outbox(notice_id, state);

CREATE TABLE group_links (
    chat_id TEXT PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    linked_by_person_id INTEGER NOT NULL REFERENCES people(id),
    post_market INTEGER NOT NULL DEFAULT 0 CHECK (post_market IN (0, 1)),
    linked_at TEXT NOT NULL
);
CREATE INDEX group_links_community ON group_links(community_id);

ALTER TABLE memberships ADD COLUMN notices_muted INTEGER NOT NULL DEFAULT 0;
