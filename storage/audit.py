"""SQL for the audit log of coordinator and admin actions."""

from __future__ import annotations

import json
from typing import Any

from storage.db import Connection, fetch_all, fetch_one
from storage.port import Row


async def record(
    conn: Connection,
    *,
    community_id: int | None,
    actor_person_id: int | None,
    action: str,
    target: str | None,
    reason: str | None,
    details: dict[str, Any] | None,
    now: str,
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (community_id, actor_person_id, action, target, reason, details,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            community_id,
            actor_person_id,
            action,
            target,
            reason,
            json.dumps(details, ensure_ascii=False) if details else None,
            now,
        ),
    )


async def recent(conn: Connection, community_id: int, limit: int) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT * FROM audit_log WHERE community_id = ? ORDER BY id DESC LIMIT ?",
        (community_id, limit),
    )


async def recent_with_actor(conn: Connection, community_id: int, limit: int, offset: int = 0
                            ) -> list[Row]:
    """Newest first, with who acted and what the `membership:N` or `event:N` target names
    (the member's number and name, the event's title), looked up by primary key."""
    return await fetch_all(
        conn,
        "SELECT l.*, p.display_name AS actor_name, tm.number AS target_number,"
        " tp.display_name AS target_name, te.title AS target_title FROM audit_log l"
        " LEFT JOIN people p ON p.id = l.actor_person_id"
        " LEFT JOIN memberships tm ON tm.id = CASE WHEN l.target LIKE 'membership:%'"
        "  THEN CAST(substr(l.target, 12) AS INTEGER) END"
        " LEFT JOIN people tp ON tp.id = tm.person_id"
        " LEFT JOIN events te ON te.id = CASE WHEN l.target LIKE 'event:%'"
        "  THEN CAST(substr(l.target, 7) AS INTEGER) END"
        " WHERE l.community_id = ? ORDER BY l.id DESC LIMIT ? OFFSET ?",
        (community_id, limit, offset),
    )


async def latest_for(
    conn: Connection, community_id: int, action: str, target: str
) -> Row | None:
    """The newest record of one action on one target (e.g. why a member was suspended)."""
    return await fetch_one(
        conn,
        "SELECT * FROM audit_log WHERE community_id = ? AND action = ? AND target = ?"
        " ORDER BY id DESC LIMIT 1",
        (community_id, action, target),
    )
