-- What a member lets the other members see in the member directory (/directory), and whether
-- they take messages through 연락하기. No row means the defaults: name and number only, and
-- messages accepted.
CREATE TABLE member_profiles (
    membership_id INTEGER PRIMARY KEY REFERENCES memberships(id),
    show_profile INTEGER NOT NULL DEFAULT 0 CHECK (show_profile IN (0, 1)),
    accepts_messages INTEGER NOT NULL DEFAULT 1 CHECK (accepts_messages IN (0, 1)),
    intro TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);

-- Every message the bot relayed between two members (연락하기), kept so a coordinator can
-- look into abuse; the flood guard counts them.
CREATE TABLE relay_messages (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    sender_membership_id INTEGER NOT NULL REFERENCES memberships(id),
    recipient_membership_id INTEGER NOT NULL REFERENCES memberships(id),
    post_id INTEGER REFERENCES posts(id),
    reply_to_id INTEGER REFERENCES relay_messages(id),
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (sender_membership_id <> recipient_membership_id)
);
CREATE INDEX relay_messages_sender ON relay_messages(sender_membership_id, created_at);
CREATE INDEX relay_messages_pair
    ON relay_messages(sender_membership_id, recipient_membership_id, created_at);
CREATE INDEX relay_messages_community ON relay_messages(community_id, id);
