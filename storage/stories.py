"""SQL for best-practice stories (우수사례) and their photos."""

from __future__ import annotations

from storage.db import Connection, fetch_all, fetch_one
from storage.port import Row


async def insert(conn: Connection, community_id: int, author_membership_id: int, text: str,
                 photos: list[str], now: str) -> int:
    inserted = await fetch_one(
        conn,
        "INSERT INTO stories (community_id, author_membership_id, text, status, created_at)"
        " VALUES (?, ?, ?, 'nominated', ?) RETURNING id",
        (community_id, author_membership_id, text, now),
    )
    story_id = int(inserted[0])
    await conn.executemany(
        "INSERT INTO story_photos (story_id, position, file_id) VALUES (?, ?, ?)",
        [(story_id, position, file_id) for position, file_id in enumerate(photos)],
    )
    return story_id


_STORY = (
    "SELECT s.*, c.name AS community_name, m.number AS author_number,"
    " p.display_name AS author_name,"
    " (SELECT COUNT(*) FROM story_photos f WHERE f.story_id = s.id) AS photos,"
    " (SELECT file_id FROM story_photos f WHERE f.story_id = s.id ORDER BY position LIMIT 1)"
    " AS first_photo"
    " FROM stories s JOIN communities c ON c.id = s.community_id"
    " JOIN memberships m ON m.id = s.author_membership_id JOIN people p ON p.id = m.person_id"
)


async def get(conn: Connection, story_id: int) -> Row | None:
    return await fetch_one(conn, _STORY + " WHERE s.id = ?", (story_id,))


def _nominated(community_id: int | None) -> tuple[str, list[object]]:
    """Stories waiting for a decision, in one community or (None) in every one."""
    if community_id is None:
        return " WHERE s.status = 'nominated'", []
    return " WHERE s.community_id = ? AND s.status = 'nominated'", [community_id]


async def nominated(conn: Connection, community_id: int | None, limit: int) -> list[Row]:
    where, params = _nominated(community_id)
    return await fetch_all(conn, _STORY + where + " ORDER BY s.id LIMIT ?", [*params, limit])


async def count_nominated(conn: Connection, community_id: int | None) -> int:
    where, params = _nominated(community_id)
    row = await fetch_one(conn, "SELECT COUNT(*) FROM stories s" + where, params)
    return int(row[0])


async def select(conn: Connection, story_id: int, person_id: int, now: str) -> bool:
    """Selected once: False when it was selected already (a double tap, another
    coordinator)."""
    cursor = await conn.execute(
        "UPDATE stories SET status = 'selected', selected_by_person_id = ?, selected_at = ?"
        " WHERE id = ? AND status = 'nominated'",
        (person_id, now, story_id),
    )
    return cursor.rowcount == 1


async def set_notice(conn: Connection, story_id: int, notice_id: int) -> None:
    await conn.execute("UPDATE stories SET notice_id = ? WHERE id = ?", (notice_id, story_id))


async def selected_between(conn: Connection, community_ids: list[int], start: str, end: str
                           ) -> list[Row]:
    """Stories selected in [start, end) in these communities, oldest first."""
    marks = ", ".join("?" * len(community_ids))
    return await fetch_all(
        conn, _STORY + f" WHERE s.status = 'selected' AND s.community_id IN ({marks})"
        " AND s.selected_at >= ? AND s.selected_at < ? ORDER BY s.selected_at, s.id",
        [*community_ids, start, end])
