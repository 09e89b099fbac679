"""SQL for the year's report beyond the statistics' own: study sessions held and their
attendance (events are few: a dozen a year per community)."""

from __future__ import annotations

from storage.db import Connection, fetch_one
from storage.port import Row


async def study_sessions(conn: Connection, community_id: int, start: str, end: str
                         ) -> Row:
    """Study sessions (품앗이 학당) not cancelled that started in [start, end), and how many
    sign-ups at them were marked attended."""
    return await fetch_one(
        conn,
        "SELECT COUNT(*) AS held, COALESCE(SUM((SELECT COUNT(*) FROM event_signups s"
        "  WHERE s.event_id = e.id AND s.attended_at IS NOT NULL)), 0) AS attendance"
        " FROM events e WHERE e.community_id = ? AND e.kind = 'study'"
        " AND e.status = 'scheduled' AND e.starts_at >= ? AND e.starts_at < ?",
        (community_id, start, end),
    )
