-- Study sessions, meetings and field trips; sign-ups with a waiting list and attendance;
-- reminders kept in SQLite so a restart loses none and sends none twice.

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    community_id INTEGER REFERENCES communities(id),
    kind TEXT NOT NULL CHECK (kind IN ('study', 'meeting', 'trip')),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    place TEXT,
    map_url TEXT,
    capacity INTEGER CHECK (capacity IS NULL OR capacity > 0),
    audience TEXT NOT NULL DEFAULT 'community'
        CHECK (audience IN ('community', 'coordinators', 'all')),
    fee INTEGER NOT NULL DEFAULT 0 CHECK (fee >= 0),
    refund_cutoff_hours INTEGER NOT NULL DEFAULT 24 CHECK (refund_cutoff_hours >= 0),
    reward INTEGER NOT NULL DEFAULT 0 CHECK (reward >= 0),
    host TEXT,
    is_orientation INTEGER NOT NULL DEFAULT 0 CHECK (is_orientation IN (0, 1)),
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    checkin_code TEXT,
    created_by_person_id INTEGER NOT NULL REFERENCES people(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (community_id IS NOT NULL OR (audience = 'all' AND fee = 0 AND reward = 0))
);
CREATE INDEX events_upcoming ON events(status, starts_at);
CREATE INDEX events_community ON events(community_id, starts_at);

CREATE TABLE event_signups (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    membership_id INTEGER NOT NULL REFERENCES memberships(id),
    status TEXT NOT NULL CHECK (status IN ('signed', 'waiting', 'cancelled')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    fee_transfer_id INTEGER REFERENCES transfers(id),
    refund_transfer_id INTEGER REFERENCES transfers(id),
    attended_at TEXT,
    reward_transfer_id INTEGER REFERENCES transfers(id),
    UNIQUE (event_id, membership_id)
);
CREATE INDEX event_signups_event ON event_signups(event_id, status, updated_at);
CREATE INDEX event_signups_member ON event_signups(membership_id, status);

CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('event', 'charge')),
    event_id INTEGER REFERENCES events(id),
    request_id INTEGER REFERENCES trade_requests(id),
    membership_id INTEGER NOT NULL REFERENCES memberships(id),
    due_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'skipped', 'dropped', 'uncertain')),
    updated_at TEXT NOT NULL,
    CHECK ((kind = 'event') = (event_id IS NOT NULL)),
    CHECK ((kind = 'charge') = (request_id IS NOT NULL))
);
CREATE INDEX reminders_due ON reminders(state, due_at);
CREATE INDEX reminders_event ON reminders(event_id, membership_id);
CREATE INDEX reminders_request ON reminders(request_id);

-- Why a transfer was made, beyond how it was started: event fees, refunds and rewards.
ALTER TABLE transfers ADD COLUMN purpose TEXT
    CHECK (purpose IS NULL OR purpose IN ('event_fee', 'event_refund', 'event_reward'));
ALTER TABLE transfers ADD COLUMN event_id INTEGER REFERENCES events(id);

ALTER TABLE communities ADD COLUMN reminder_hours TEXT NOT NULL DEFAULT '24,1';
ALTER TABLE communities ADD COLUMN orientation_required INTEGER NOT NULL DEFAULT 0;
ALTER TABLE memberships ADD COLUMN event_reminders INTEGER NOT NULL DEFAULT 1;
ALTER TABLE memberships ADD COLUMN oriented_at TEXT;

-- Pending charges get their reminder in the new table.
INSERT INTO reminders (kind, request_id, membership_id, due_at, state, updated_at)
SELECT 'charge', id, payer_membership_id, remind_at,
       CASE WHEN reminded_at IS NULL THEN 'pending' ELSE 'sent' END, created_at
FROM trade_requests WHERE status = 'pending' AND remind_at IS NOT NULL;
