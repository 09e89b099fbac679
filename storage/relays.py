"""SQL for messages relayed between members (연락하기)."""

from __future__ import annotations

from storage.db import Connection, fetch_one
from storage.port import Row


async def insert(
    conn: Connection,
    *,
    community_id: int,
    sender_membership_id: int,
    recipient_membership_id: int,
    post_id: int | None,
    reply_to_id: int | None,
    text: str,
    now: str,
) -> int:
    inserted = await fetch_one(
        conn,
        "INSERT INTO relay_messages (community_id, sender_membership_id,"
        " recipient_membership_id, post_id, reply_to_id, text, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (community_id, sender_membership_id, recipient_membership_id, post_id, reply_to_id,
         text, now),
    )
    return int(inserted[0])


async def get(conn: Connection, relay_id: int) -> Row | None:
    return await fetch_one(conn, "SELECT * FROM relay_messages WHERE id = ?", (relay_id,))


async def sent_since(conn: Connection, sender_membership_id: int, since: str) -> int:
    row = await fetch_one(
        conn,
        "SELECT COUNT(*) FROM relay_messages WHERE sender_membership_id = ? AND created_at > ?",
        (sender_membership_id, since),
    )
    return int(row[0])


async def sent_to_since(
    conn: Connection, sender_membership_id: int, recipient_membership_id: int, since: str
) -> int:
    row = await fetch_one(
        conn,
        "SELECT COUNT(*) FROM relay_messages WHERE sender_membership_id = ?"
        " AND recipient_membership_id = ? AND created_at > ?",
        (sender_membership_id, recipient_membership_id, since),
    )
    return int(row[0])
