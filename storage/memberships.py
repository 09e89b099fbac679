"""SQL for memberships: who belongs where, with which number and role."""

from __future__ import annotations

from storage.db import Connection, fetch_all, fetch_one
from storage.port import POSTGRESQL, SQLITE, Row, dialect, equals_ignoring_case, like

# A member with where to reach them: `addresses` is a JSON object of channel → external id,
# the channel they are best reached on first (storage.people.PREFERRED_FIRST).
_ADDRESSES = {
    SQLITE: "(SELECT json_group_object(channel, external_id) FROM (SELECT i.channel, i.external_id"
    "  FROM identities i JOIN people ip ON ip.id = i.person_id WHERE i.person_id = m.person_id"
    "  ORDER BY i.channel = COALESCE(ip.notify_channel, ip.last_channel) DESC, i.created_at,"
    "  i.channel))",
    POSTGRESQL: "(SELECT COALESCE(json_object_agg(i.channel, i.external_id"
    "  ORDER BY i.channel = COALESCE(ip.notify_channel, ip.last_channel) DESC, i.created_at,"
    "  i.channel)::text, '{}')"
    "  FROM identities i JOIN people ip ON ip.id = i.person_id WHERE i.person_id = m.person_id)",
}
_MEMBER_VIEWS = {
    engine: "SELECT m.id AS membership_id, m.community_id, m.person_id, m.number, m.role,"
    " m.status, p.display_name, p.username, p.locale, p.erased_at, " + addresses + " AS addresses"
    " FROM memberships m JOIN people p ON p.id = m.person_id"
    for engine, addresses in _ADDRESSES.items()
}


async def get(conn: Connection, membership_id: int) -> Row | None:
    return await fetch_one(conn, "SELECT * FROM memberships WHERE id = ?", (membership_id,))


async def get_for(conn: Connection, community_id: int, person_id: int) -> Row | None:
    return await fetch_one(
        conn,
        "SELECT * FROM memberships WHERE community_id = ? AND person_id = ?",
        (community_id, person_id),
    )


async def insert(
    conn: Connection,
    *,
    community_id: int,
    person_id: int,
    status: str,
    role: str,
    number: int | None,
    now: str,
) -> int:
    inserted = await fetch_one(
        conn,
        "INSERT INTO memberships (community_id, person_id, number, role, status, created_at,"
        " decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (community_id, person_id, number, role, status, now, now if status != "pending" else None),
    )
    return int(inserted[0])


async def decide_pending(
    conn: Connection, membership_id: int, status: str, number: int | None, now: str
) -> bool:
    """Move a pending application on; False if someone already decided it."""
    cursor = await conn.execute(
        "UPDATE memberships SET status = ?, number = COALESCE(?, number), decided_at = ?"
        " WHERE id = ? AND status = 'pending'",
        (status, number, now, membership_id),
    )
    return cursor.rowcount == 1


async def reapply(conn: Connection, membership_id: int, now: str) -> None:
    await conn.execute(
        "UPDATE memberships SET status = 'pending', created_at = ?, decided_at = NULL,"
        " left_at = NULL WHERE id = ? AND status IN ('rejected', 'left')",
        (now, membership_id),
    )


async def activate(conn: Connection, membership_id: int, number: int, role: str, now: str) -> None:
    await conn.execute(
        "UPDATE memberships SET status = 'active', number = ?, role = ?, decided_at = ?,"
        " left_at = NULL WHERE id = ?",
        (number, role, now, membership_id),
    )


async def set_limits(
    conn: Connection, membership_id: int, credit_floor: int | None, credit_ceiling: int | None
) -> None:
    await conn.execute(
        "UPDATE memberships SET credit_floor = ?, credit_ceiling = ? WHERE id = ?",
        (credit_floor, credit_ceiling, membership_id),
    )


async def set_role(conn: Connection, membership_id: int, role: str) -> None:
    await conn.execute("UPDATE memberships SET role = ? WHERE id = ?", (role, membership_id))


async def set_status(conn: Connection, membership_id: int, status: str, now: str) -> None:
    await conn.execute(
        "UPDATE memberships SET status = ?, decided_at = ? WHERE id = ?",
        (status, now, membership_id),
    )


async def member_view(conn: Connection, membership_id: int) -> Row | None:
    return await fetch_one(conn, _MEMBER_VIEWS[dialect(conn)] + " WHERE m.id = ?", (membership_id,))


async def member_by_number(conn: Connection, community_id: int, number: int) -> Row | None:
    return await fetch_one(
        conn, _MEMBER_VIEWS[dialect(conn)] + " WHERE m.community_id = ? AND m.number = ?",
        (community_id, number),
    )


async def members_by_username(
    conn: Connection, community_id: int, username: str
) -> list[Row]:
    return await fetch_all(
        conn,
        _MEMBER_VIEWS[dialect(conn)] + " WHERE m.community_id = ? AND"
        f" {equals_ignoring_case(conn, 'p.username')} AND m.number IS NOT NULL",
        (community_id, username),
    )


async def coordinators(conn: Connection, community_id: int) -> list[Row]:
    return await fetch_all(
        conn,
        _MEMBER_VIEWS[dialect(conn)] + " WHERE m.community_id = ? AND m.role = 'coordinator'"
        " AND m.status = 'active' ORDER BY m.number",
        (community_id,),
    )


async def coordinated_by(conn: Connection, person_id: int) -> list[int]:
    """The communities a person is an active coordinator of."""
    rows = await fetch_all(
        conn,
        "SELECT community_id FROM memberships WHERE person_id = ? AND role = 'coordinator'"
        " AND status = 'active' ORDER BY community_id",
        (person_id,),
    )
    return [row["community_id"] for row in rows]


async def pending_in(
    conn: Connection, community_ids: list[int], limit: int
) -> tuple[list[Row], int]:
    """Pending applications in these communities, oldest first, and how many there are."""
    if not community_ids:
        return [], 0
    marks = ",".join("?" * len(community_ids))
    where = f" WHERE m.community_id IN ({marks}) AND m.status = 'pending'"
    rows = await fetch_all(
        conn, _MEMBER_VIEWS[dialect(conn)] + where + " ORDER BY m.id LIMIT ?",
        [*community_ids, limit],
    )
    total = await fetch_one(
        conn, "SELECT COUNT(*) FROM memberships m" + where, community_ids
    )
    return rows, int(total[0])


async def of_person(conn: Connection, person_id: int) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT m.*, c.code, c.name FROM memberships m JOIN communities c"
        " ON c.id = m.community_id WHERE m.person_id = ? ORDER BY m.id",
        (person_id,),
    )


async def set_event_reminders(conn: Connection, membership_id: int, enabled: bool) -> None:
    await conn.execute(
        "UPDATE memberships SET event_reminders = ? WHERE id = ?", (int(enabled), membership_id)
    )


async def directory(
    conn: Connection, community_id: int, words: str, limit: int, offset: int
) -> list[Row]:
    """Members with balance and last activity (their newest transfer, kept on the account),
    by number."""
    clauses = ["m.community_id = ?", "m.status IN ('active', 'suspended')"]
    params: list[object] = [community_id]
    if words:
        pattern = f"%{words}%"
        clauses.append(f"(p.display_name {like(conn)} ? OR p.username {like(conn)} ?"
                       " OR m.number = ?)")
        params += [pattern, pattern, int(words.lstrip("#")) if words.lstrip("#").isdigit()
                   else -1]
    return await fetch_all(
        conn,
        "SELECT m.id AS membership_id, m.number, m.role, m.status, p.display_name, p.username,"
        " a.balance, a.last_trade_at AS last_active"
        " FROM memberships m JOIN people p ON p.id = m.person_id"
        " JOIN accounts a ON a.membership_id = m.id WHERE " + " AND ".join(clauses)
        + " ORDER BY m.number LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )


async def active_member_names(conn: Connection, community_id: int) -> list[Row]:
    """Number, name and username of one community's active members, for finding by name."""
    return await fetch_all(
        conn,
        "SELECT m.number, p.display_name, p.username FROM memberships m"
        " JOIN people p ON p.id = m.person_id WHERE m.community_id = ? AND m.status = 'active'"
        " AND m.number IS NOT NULL ORDER BY m.number",
        (community_id,),
    )
