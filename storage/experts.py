"""SQL for the expert pool and invitations to host an event."""

from __future__ import annotations

from storage.db import Connection, fetch_all, fetch_one
from storage.port import Row, like


async def insert(conn: Connection, values: dict) -> int:
    columns = list(values)
    inserted = await fetch_one(
        conn,
        f"INSERT INTO experts ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        " RETURNING id",
        [values[c] for c in columns],
    )
    return int(inserted[0])


async def get(conn: Connection, expert_id: int) -> Row | None:
    return await fetch_one(conn, "SELECT * FROM experts WHERE id = ?", (expert_id,))


async def open_for_member(conn: Connection, membership_id: int) -> Row | None:
    """The member's recommendation still asked or listed, if any."""
    return await fetch_one(
        conn,
        "SELECT * FROM experts WHERE membership_id = ? AND status IN ('asked', 'listed')",
        (membership_id,),
    )


async def listed_for_person(conn: Connection, person_id: int) -> list[Row]:
    """The listings of a person's memberships (to offer them withdrawal)."""
    return await fetch_all(
        conn,
        "SELECT e.* FROM experts e JOIN memberships m ON m.id = e.membership_id"
        " WHERE m.person_id = ? AND e.status = 'listed' ORDER BY e.id",
        (person_id,),
    )


async def decide(conn: Connection, expert_id: int, status: str, now: str) -> bool:
    """An asked member's answer; False when it was answered already (a double tap)."""
    cursor = await conn.execute(
        "UPDATE experts SET status = ?,"
        " consented_at = CASE WHEN CAST(? AS TEXT) = 'listed' THEN CAST(? AS TEXT) END,"
        " updated_at = ? WHERE id = ? AND status = 'asked'",
        (status, status, now, now, expert_id),
    )
    return cursor.rowcount == 1


async def withdraw(conn: Connection, expert_id: int, now: str) -> bool:
    """Out of the pool at once, and what it showed about them cleared; False if already out."""
    cursor = await conn.execute(
        "UPDATE experts SET status = 'withdrawn', topics = '', organisation = '', contact = '',"
        " updated_at = ? WHERE id = ? AND status IN ('asked', 'listed')",
        (now, expert_id),
    )
    return cursor.rowcount == 1


def _search(conn: Connection, topic: str | None) -> tuple[str, list[object]]:
    where, params = " WHERE status = 'listed'", []
    if topic:
        pattern = "%" + topic.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        match = f"{like(conn)} ? ESCAPE '\\'"
        where += f" AND (topics {match} OR name {match} OR organisation {match})"
        params += [pattern] * 3
    return where, params


async def search(conn: Connection, topic: str | None, offset: int, limit: int
                 ) -> list[Row]:
    where, params = _search(conn, topic)
    return await fetch_all(
        conn, "SELECT * FROM experts" + where + " ORDER BY id LIMIT ? OFFSET ?",
        params + [limit, offset],
    )


async def count(conn: Connection, topic: str | None) -> int:
    where, params = _search(conn, topic)
    row = await fetch_one(conn, "SELECT COUNT(*) FROM experts" + where, params)
    return int(row[0])


async def insert_invitation(conn: Connection, values: dict) -> int:
    columns = list(values)
    inserted = await fetch_one(
        conn,
        f"INSERT INTO expert_invitations ({', '.join(columns)})"
        f" VALUES ({', '.join('?' * len(columns))}) RETURNING id",
        [values[c] for c in columns],
    )
    return int(inserted[0])


async def get_invitation(conn: Connection, invitation_id: int) -> Row | None:
    return await fetch_one(conn, "SELECT * FROM expert_invitations WHERE id = ?",
                           (invitation_id,))


async def answer_invitation(conn: Connection, invitation_id: int, status: str, now: str
                            ) -> bool:
    cursor = await conn.execute(
        "UPDATE expert_invitations SET status = ?, answered_at = ? WHERE id = ?"
        " AND status = 'pending'",
        (status, now, invitation_id),
    )
    return cursor.rowcount == 1


async def close_invitations(conn: Connection, expert_id: int, now: str) -> None:
    """A withdrawn expert's open invitations end with them."""
    await conn.execute(
        "UPDATE expert_invitations SET status = 'declined', answered_at = ?"
        " WHERE expert_id = ? AND status = 'pending'",
        (now, expert_id),
    )


async def leave_with_membership(conn: Connection, membership_id: int, now: str) -> None:
    """A member who leaves their community leaves the pool with it (listed or still asked)."""
    rows = await fetch_all(
        conn, "SELECT id FROM experts WHERE membership_id = ? AND status IN ('asked', 'listed')",
        (membership_id,))
    for row in rows:
        await withdraw(conn, row["id"], now)
        await close_invitations(conn, row["id"], now)


async def erase_person(conn: Connection, person_id: int, now: str) -> None:
    """An erased former member's name goes from every expert row that copied it."""
    await conn.execute(
        "UPDATE experts SET name = '', topics = '', organisation = '', contact = '',"
        " status = CASE WHEN status IN ('asked', 'listed') THEN 'withdrawn' ELSE status END,"
        " updated_at = ? WHERE membership_id IN (SELECT id FROM memberships WHERE person_id = ?)",
        (now, person_id),
    )
