-- The expert pool (전문가 인력풀), shared by every community, and best-practice stories
-- (우수사례) for the year's report (성과 자료집).

-- A recommended person. Listed only while status = 'listed', which needs their consent: a
-- member gives it with a button ('asked' until then); for anyone else the coordinator writes
-- down when and how it was given (consent_note). Withdrawal ends the listing at once and
-- clears what the pool showed about them.
CREATE TABLE experts (
    id INTEGER PRIMARY KEY,
    community_id INTEGER REFERENCES communities(id),  -- where they were recommended
    membership_id INTEGER REFERENCES memberships(id),  -- NULL: not a member
    name TEXT NOT NULL,
    topics TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('asked', 'listed', 'declined', 'withdrawn')),
    consent_note TEXT,
    consented_at TEXT,
    recommended_by_person_id INTEGER NOT NULL REFERENCES people(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX experts_listed ON experts(status, id);
-- A member is recommended once while asked or listed: a second recommendation finds the first.
CREATE UNIQUE INDEX experts_member_once ON experts(membership_id)
    WHERE membership_id IS NOT NULL AND status IN ('asked', 'listed');

-- A coordinator's invitation to host an event (a study-session lecture, a consulting visit).
-- A member expert answers with buttons; anyone else is reached by the coordinator ('offline').
CREATE TABLE expert_invitations (
    id INTEGER PRIMARY KEY,
    expert_id INTEGER NOT NULL REFERENCES experts(id),
    community_id INTEGER NOT NULL REFERENCES communities(id),
    inviter_membership_id INTEGER NOT NULL REFERENCES memberships(id),
    kind TEXT NOT NULL CHECK (kind IN ('lecture', 'consulting')),
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'offline')),
    created_at TEXT NOT NULL,
    answered_at TEXT
);
CREATE INDEX expert_invitations_expert ON expert_invitations(expert_id, status);

-- A nominated story; selecting it publishes it as a notice to the community (notice_id),
-- once: the selection is guarded by its status.
CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    author_membership_id INTEGER NOT NULL REFERENCES memberships(id),
    text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('nominated', 'selected')),
    selected_by_person_id INTEGER REFERENCES people(id),
    selected_at TEXT,
    notice_id INTEGER REFERENCES notices(id),
    created_at TEXT NOT NULL
);
CREATE INDEX stories_community ON stories(community_id, status, id);
CREATE INDEX stories_selected ON stories(status, selected_at);

CREATE TABLE story_photos (
    story_id INTEGER NOT NULL REFERENCES stories(id),
    position INTEGER NOT NULL,
    file_id TEXT NOT NULL,
    PRIMARY KEY (story_id, position)
);
