-- A notice as it was previewed and is delivered (rendered once, when it is sent), so the
-- outbox never sends a member anything the coordinator did not see. Notices sent before
-- this had no header; their text escaped is what their preview showed.

ALTER TABLE notices ADD COLUMN message TEXT NOT NULL DEFAULT '';

UPDATE notices SET message = replace(replace(replace(text, '&', '&amp;'), '<', '&lt;'), '>', '&gt;');
