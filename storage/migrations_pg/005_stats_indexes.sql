-- Statistics and exports read transfers, memberships and posts by date.
CREATE INDEX transfers_community_time ON transfers(community_id, created_at);
CREATE INDEX posts_community_time ON posts(community_id, created_at);
CREATE INDEX memberships_community_time ON memberships(community_id, decided_at);
