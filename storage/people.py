"""SQL for people and their identities on each channel."""

from __future__ import annotations

from storage.db import Connection, fetch_all, fetch_one
from storage.port import Row


async def find_by_identity(conn: Connection, channel: str, external_id: str) -> Row | None:
    return await fetch_one(
        conn,
        "SELECT p.* FROM identities i JOIN people p ON p.id = i.person_id"
        " WHERE i.channel = ? AND i.external_id = ?",
        (channel, external_id),
    )


_ACTOR = (
    "SELECT p.id, p.display_name, p.username, p.locale, p.current_community_id,"
    " p.last_channel, p.name_confirmed,"
    " c.id AS c_id, c.code AS c_code, c.name AS c_name, c.unit AS c_unit,"
    " c.credit_floor AS c_credit_floor, c.credit_ceiling AS c_credit_ceiling,"
    " c.approval AS c_approval, c.open_ledger AS c_open_ledger,"
    " c.reminder_hours AS c_reminder_hours, c.orientation_required AS c_orientation_required,"
    " m.id AS m_id, m.community_id AS m_community_id, m.person_id AS m_person_id,"
    " m.number AS m_number, m.role AS m_role, m.status AS m_status,"
    " m.credit_floor AS m_credit_floor, m.credit_ceiling AS m_credit_ceiling,"
    " m.oriented_at AS m_oriented_at, m.event_reminders AS m_event_reminders,"
    " m.notices_muted AS m_notices_muted"
    " FROM people p LEFT JOIN communities c ON c.id = p.current_community_id"
    " LEFT JOIN memberships m ON m.community_id = p.current_community_id AND m.person_id = p.id"
)


async def actor_by_identity(
    conn: Connection, channel: str, external_id: str
) -> Row | None:
    """The person with their current community (c_*) and membership there (m_*), in one query."""
    return await fetch_one(
        conn,
        _ACTOR + " JOIN identities i ON i.person_id = p.id"
        " WHERE i.channel = ? AND i.external_id = ?",
        (channel, external_id),
    )


async def actor_by_id(conn: Connection, person_id: int) -> Row | None:
    return await fetch_one(conn, _ACTOR + " WHERE p.id = ?", (person_id,))


async def insert_with_identity(
    conn: Connection,
    *,
    channel: str,
    external_id: str,
    display_name: str,
    username: str | None,
    locale: str | None,
    now: str,
    name_confirmed: bool = True,
) -> int:
    inserted = await fetch_one(
        conn,
        "INSERT INTO people (display_name, username, locale, created_at, last_channel,"
        " name_confirmed) VALUES (?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (display_name, username, locale, now, channel, int(name_confirmed)),
    )
    person_id = int(inserted[0])
    await conn.execute(
        "INSERT INTO identities (channel, external_id, person_id, created_at) VALUES (?, ?, ?, ?)",
        (channel, external_id, person_id, now),
    )
    return person_id


async def update_profile(
    conn: Connection, person_id: int, display_name: str | None, username: str | None,
    channel: str, *, keep_username: bool = False,
) -> None:
    """Refresh what the channel says of the person; a None name (a channel that gives none)
    and `keep_username` (a channel without usernames) leave what is there."""
    await conn.execute(
        "UPDATE people SET display_name = COALESCE(?, display_name),"
        " username = CASE WHEN ? = 1 THEN username ELSE ? END, last_channel = ? WHERE id = ?",
        (display_name, int(keep_username), username, channel, person_id),
    )


async def set_name(conn: Connection, person_id: int, display_name: str) -> None:
    await conn.execute(
        "UPDATE people SET display_name = ?, name_confirmed = 1 WHERE id = ?",
        (display_name, person_id),
    )


async def set_notify_channel(conn: Connection, person_id: int, channel: str | None) -> None:
    await conn.execute(
        "UPDATE people SET notify_channel = ? WHERE id = ?", (channel, person_id)
    )


async def get(conn: Connection, person_id: int) -> Row | None:
    return await fetch_one(conn, "SELECT * FROM people WHERE id = ?", (person_id,))


async def set_locale(conn: Connection, person_id: int, locale: str) -> None:
    await conn.execute("UPDATE people SET locale = ? WHERE id = ?", (locale, person_id))


async def set_current_community(conn: Connection, person_id: int, community_id: int) -> None:
    await conn.execute(
        "UPDATE people SET current_community_id = ? WHERE id = ?", (community_id, person_id)
    )


# A person's identities, the one to reach them on first: the channel they chose, else the
# one they used last, else the oldest.
PREFERRED_FIRST = (
    "ORDER BY i.channel = COALESCE(p.notify_channel, p.last_channel) DESC, i.created_at, i.channel"
)


async def addresses(conn: Connection, person_ids: list[int]) -> dict[int, dict[str, str]]:
    """Channel → external id for each person, in the order they are best reached."""
    if not person_ids:
        return {}
    marks = ",".join("?" * len(person_ids))
    rows = await fetch_all(
        conn,
        "SELECT i.person_id, i.channel, i.external_id FROM identities i"
        f" JOIN people p ON p.id = i.person_id WHERE i.person_id IN ({marks}) "
        + PREFERRED_FIRST,
        person_ids,
    )
    found: dict[int, dict[str, str]] = {pid: {} for pid in person_ids}
    for row in rows:
        found[row["person_id"]][row["channel"]] = row["external_id"]
    return found
