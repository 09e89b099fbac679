"""SQL for notices, their outbox and linked group chats."""

from __future__ import annotations

from storage.db import Connection, fetch_all, fetch_one
from storage.port import Row

_ACTIVE_IN_PERIOD = (
    "SELECT DISTINCT a.membership_id FROM transfers t"
    " JOIN movements mv ON mv.transfer_id = t.id JOIN accounts a ON a.id = mv.account_id"
    " WHERE t.community_id = ? AND t.created_at >= ? AND a.membership_id IS NOT NULL"
)


async def recipients(
    conn: Connection, community_id: int, audience: str, *, event_id: int | None,
    since: str | None, include_muted: bool, only: int | None = None,
) -> list[Row]:
    """(membership_id, channel, chat_id) of the members a notice is for, each on the one
    channel they are best reached on (the one they chose, else the one they used last);
    with `only`, just that membership if it is one of them."""
    base = (
        "SELECT m.id AS membership_id, i.channel, i.external_id AS chat_id FROM memberships m"
        " JOIN identities i ON i.person_id = m.person_id"
        " WHERE m.community_id = ? AND m.status = 'active' AND i.channel = ("
        "  SELECT i2.channel FROM identities i2 JOIN people p2 ON p2.id = i2.person_id"
        "  WHERE i2.person_id = m.person_id"
        "  ORDER BY i2.channel = COALESCE(p2.notify_channel, p2.last_channel) DESC,"
        "  i2.created_at, i2.channel LIMIT 1)"
    )
    params: list[object] = [community_id]
    if not include_muted:
        base += " AND m.notices_muted = 0"
    if audience == "coordinators":
        base += " AND m.role = 'coordinator'"
    elif audience == "event":
        base += (" AND m.id IN (SELECT membership_id FROM event_signups WHERE event_id = ?"
                 " AND status = 'signed')")
        params.append(event_id)
    elif audience in ("active", "inactive"):
        base += f" AND m.id {'IN' if audience == 'active' else 'NOT IN'} ({_ACTIVE_IN_PERIOD})"
        params += [community_id, since]
    if only is not None:
        base += " AND m.id = ?"
        params.append(only)
    return await fetch_all(conn, base + " ORDER BY m.number", params)


async def insert_notice(conn: Connection, values: dict) -> int:
    columns = list(values)
    inserted = await fetch_one(
        conn,
        f"INSERT INTO notices ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        " RETURNING id",
        [values[c] for c in columns],
    )
    return int(inserted[0])


async def add_outbox(conn: Connection, notice_id: int,
                     rows: list[tuple[int | None, str, str]], now: str) -> None:
    """One row per (membership or group, channel, address)."""
    await conn.executemany(
        "INSERT INTO outbox (notice_id, membership_id, channel, chat_id, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [(notice_id, membership_id, channel, chat_id, now)
         for membership_id, channel, chat_id in rows],
    )


async def claim(conn: Connection, limit: int, now: str, channel: str = "telegram"
                ) -> list[Row]:
    """Mark up to `limit` pending rows as being sent, oldest first, and return them. The
    caller claims only what it sends at once: after a crash every 'sending' row counts as
    possibly delivered."""
    return await fetch_all(
        conn,
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?"
        " WHERE id IN (SELECT id FROM outbox WHERE channel = ? AND state = 'pending'"
        " ORDER BY id LIMIT ?)"
        " RETURNING id, notice_id, membership_id, channel, chat_id, attempts",
        (now, channel, limit),
    )


async def finish(conn: Connection, outbox_id: int, state: str, error: str | None, now: str
                 ) -> None:
    await conn.execute(
        "UPDATE outbox SET state = ?, last_error = ?, updated_at = ? WHERE id = ?"
        " AND state = 'sending'",
        (state, error, now, outbox_id),
    )


async def interrupted(conn: Connection, now: str) -> list[int]:
    """Rows whose send a stopped process had started become 'uncertain'; their notices."""
    rows = await fetch_all(
        conn,
        "UPDATE outbox SET state = 'uncertain', updated_at = ? WHERE state = 'sending'"
        " RETURNING notice_id",
        (now,),
    )
    return sorted({row[0] for row in rows})


async def get_notice(conn: Connection, notice_id: int) -> Row | None:
    return await fetch_one(conn, "SELECT * FROM notices WHERE id = ?", (notice_id,))


async def counts(conn: Connection, notice_id: int) -> dict[str, int]:
    rows = await fetch_all(
        conn, "SELECT state, COUNT(*) FROM outbox WHERE notice_id = ? GROUP BY state",
        (notice_id,),
    )
    return {row[0]: row[1] for row in rows}


async def complete_if_done(conn: Connection, notice_id: int, now: str) -> bool:
    """Mark the notice done once no row is left to send; True the one time it happens."""
    cursor = await conn.execute(
        "UPDATE notices SET status = 'done', finished_at = ? WHERE id = ? AND status = 'sending'"
        " AND NOT EXISTS (SELECT 1 FROM outbox WHERE notice_id = ?"
        " AND state IN ('pending', 'sending'))",
        (now, notice_id, notice_id),
    )
    return cursor.rowcount == 1


async def recent_notices(conn: Connection, community_id: int, limit: int) -> list[Row]:
    return await fetch_all(
        conn, "SELECT * FROM notices WHERE community_id = ? ORDER BY id DESC LIMIT ?",
        (community_id, limit),
    )


async def groups_of(conn: Connection, community_id: int) -> list[Row]:
    return await fetch_all(
        conn, "SELECT * FROM group_links WHERE community_id = ?", (community_id,)
    )


async def link_group(conn: Connection, chat_id: str, community_id: int, person_id: int,
                     post_market: bool, now: str) -> None:
    await conn.execute(
        "INSERT INTO group_links (chat_id, community_id, linked_by_person_id, post_market,"
        " linked_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET"
        " community_id = excluded.community_id,"
        " linked_by_person_id = excluded.linked_by_person_id,"
        " post_market = excluded.post_market, linked_at = excluded.linked_at",
        (chat_id, community_id, person_id, int(post_market), now),
    )


async def unlink_group(conn: Connection, chat_id: str) -> int | None:
    """Forget a group chat's link; the community it was linked to, or None."""
    row = await fetch_one(
        conn, "DELETE FROM group_links WHERE chat_id = ? RETURNING community_id", (chat_id,)
    )
    return row[0] if row else None


async def move_group(conn: Connection, chat_id: str, new_chat_id: str) -> bool:
    # What SQLite's UPDATE OR REPLACE did, in words both engines know: a link already kept
    # under the new id gives way to the one that moves there.
    await conn.execute(
        "DELETE FROM group_links WHERE chat_id = ? AND chat_id <> ?"
        " AND EXISTS (SELECT 1 FROM group_links WHERE chat_id = ?)",
        (new_chat_id, chat_id, chat_id),
    )
    cursor = await conn.execute(
        "UPDATE group_links SET chat_id = ? WHERE chat_id = ?", (new_chat_id, chat_id)
    )
    return cursor.rowcount == 1


async def market_groups(conn: Connection, community_id: int) -> list[str]:
    rows = await fetch_all(
        conn, "SELECT chat_id FROM group_links WHERE community_id = ? AND post_market = 1",
        (community_id,),
    )
    return [row[0] for row in rows]


async def set_muted(conn: Connection, membership_id: int, muted: bool) -> None:
    await conn.execute(
        "UPDATE memberships SET notices_muted = ? WHERE id = ?", (int(muted), membership_id)
    )
