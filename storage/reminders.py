"""SQL for reminders: what, for whom, when, and whether it was sent."""

from __future__ import annotations

from storage.db import Connection, fetch_all, fetch_one
from storage.port import Row


async def add(
    conn: Connection, *, kind: str, membership_id: int, due_at: str, now: str,
    event_id: int | None = None, request_id: int | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO reminders (kind, event_id, request_id, membership_id, due_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (kind, event_id, request_id, membership_id, due_at, now),
    )


async def drop_for_signup(conn: Connection, event_id: int, membership_id: int, now: str) -> None:
    await conn.execute(
        "UPDATE reminders SET state = 'dropped', updated_at = ? WHERE event_id = ?"
        " AND membership_id = ? AND state = 'pending'",
        (now, event_id, membership_id),
    )


async def drop_for_event(conn: Connection, event_id: int, now: str) -> None:
    await conn.execute(
        "UPDATE reminders SET state = 'dropped', updated_at = ? WHERE event_id = ?"
        " AND state = 'pending'",
        (now, event_id),
    )


async def drop_for_request(conn: Connection, request_id: int, now: str) -> None:
    await conn.execute(
        "UPDATE reminders SET state = 'dropped', updated_at = ? WHERE request_id = ?"
        " AND state = 'pending'",
        (now, request_id),
    )


async def drop_for_member(conn: Connection, membership_id: int, now: str) -> None:
    await conn.execute(
        "UPDATE reminders SET state = 'dropped', updated_at = ? WHERE membership_id = ?"
        " AND kind = 'event' AND state = 'pending'",
        (now, membership_id),
    )


async def next_due(conn: Connection) -> str | None:
    row = await fetch_one(conn, "SELECT MIN(due_at) FROM reminders WHERE state = 'pending'")
    return row[0] if row else None


async def due(conn: Connection, now: str, limit: int) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT r.*, e.starts_at AS event_starts_at, e.status AS event_status,"
        " t.status AS request_status FROM reminders r"
        " LEFT JOIN events e ON e.id = r.event_id"
        " LEFT JOIN trade_requests t ON t.id = r.request_id"
        " WHERE r.state = 'pending' AND r.due_at <= ? ORDER BY r.due_at, r.id LIMIT ?",
        (now, limit),
    )


async def move(conn: Connection, reminder_id: int, from_state: str, to_state: str, now: str
               ) -> bool:
    cursor = await conn.execute(
        "UPDATE reminders SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
        (to_state, now, reminder_id, from_state),
    )
    return cursor.rowcount == 1


async def interrupted(conn: Connection, now: str) -> int:
    """Reminders a killed process was sending: their delivery is unknown."""
    cursor = await conn.execute(
        "UPDATE reminders SET state = 'uncertain', updated_at = ? WHERE state = 'sending'", (now,)
    )
    return cursor.rowcount


async def counts(conn: Connection) -> dict[str, int]:
    rows = await fetch_all(conn, "SELECT state, COUNT(*) FROM reminders GROUP BY state")
    return {row[0]: row[1] for row in rows}
