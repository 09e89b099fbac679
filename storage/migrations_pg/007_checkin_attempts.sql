-- Wrong check-in codes a member sent while their sign-up was open for check-in, so that
-- guessing a code is cut off after a few tries (kept across restarts and re-sign-ups).
ALTER TABLE event_signups ADD COLUMN wrong_codes BIGINT NOT NULL DEFAULT 0;
