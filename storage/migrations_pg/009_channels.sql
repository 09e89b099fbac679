-- One person, several channels: a person is reached on the channel they chose
-- (notify_channel), else on the one they used last (last_channel). The notice outbox keeps
-- each row's channel, and each channel drains its own rows under its own limits.

ALTER TABLE people ADD COLUMN notify_channel TEXT;
ALTER TABLE people ADD COLUMN last_channel TEXT;
UPDATE people SET last_channel = (
    SELECT i.channel FROM identities i WHERE i.person_id = people.id
    ORDER BY i.created_at DESC LIMIT 1);

ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram';
CREATE INDEX outbox_channel_pending ON outbox(channel, state, id);
