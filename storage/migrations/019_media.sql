-- Images shown on KakaoTalk (a chart, a QR code): a skill answer carries an image's URL, and
-- Kakao fetches it a moment later from whichever process its request reaches, so they are
-- kept here for a few minutes rather than in the memory of the process that made them
-- (bot/media.py, storage/media.py). Housekeeping, not domain state.
CREATE TABLE media (
    id INTEGER PRIMARY KEY,         -- the order they were stored in: the oldest go first
    token TEXT NOT NULL UNIQUE,     -- the unguessable last part of the URL
    content BLOB NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type LIKE 'image/%'),
    size INTEGER NOT NULL CHECK (size >= 0),  -- bytes of content, summed against the bound
    expires_ms INTEGER NOT NULL     -- milliseconds since the epoch, on the store's clock
);
CREATE INDEX media_expiry ON media(expires_ms);
