"""SQL for events (study sessions, meetings, field trips) and their sign-ups."""

from __future__ import annotations

from typing import Any

from storage.db import Connection, fetch_all, fetch_one
from storage.port import Row

_EVENT_VIEW = (
    "SELECT e.*,"
    " (SELECT COUNT(*) FROM event_signups s WHERE s.event_id = e.id"
    "  AND s.status = 'signed') AS signed_count,"
    " (SELECT COUNT(*) FROM event_signups s WHERE s.event_id = e.id"
    "  AND s.status = 'waiting') AS waiting_count"
    " FROM events e"
)
_EDITABLE = ("title", "description", "starts_at", "ends_at", "place", "capacity", "fee",
             "reward", "audience", "is_orientation", "host", "map_url")


async def insert(conn: Connection, values: dict[str, Any]) -> int:
    columns = list(values)
    inserted = await fetch_one(
        conn,
        f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        " RETURNING id",
        [values[c] for c in columns],
    )
    return int(inserted[0])


async def get(conn: Connection, event_id: int) -> Row | None:
    return await fetch_one(conn, _EVENT_VIEW + " WHERE e.id = ?", (event_id,))


async def update_fields(conn: Connection, event_id: int, values: dict[str, Any], now: str) -> None:
    columns = [c for c in values if c in _EDITABLE]
    assignments = ", ".join(f"{c} = ?" for c in columns)
    await conn.execute(
        f"UPDATE events SET {assignments}, updated_at = ? WHERE id = ? AND status = 'scheduled'",
        [*(values[c] for c in columns), now, event_id],
    )


async def cancel(conn: Connection, event_id: int, now: str) -> bool:
    cursor = await conn.execute(
        "UPDATE events SET status = 'cancelled', updated_at = ? WHERE id = ?"
        " AND status = 'scheduled'",
        (now, event_id),
    )
    return cursor.rowcount == 1


async def set_checkin_code(conn: Connection, event_id: int, code: str | None) -> None:
    await conn.execute("UPDATE events SET checkin_code = ? WHERE id = ?", (code, event_id))


async def upcoming_for(
    conn: Connection, community_id: int, coordinator: bool, after: str, before: str, limit: int
) -> list[Row]:
    """Scheduled events a member of the community may attend, soonest first."""
    return await fetch_all(
        conn,
        _EVENT_VIEW + " WHERE e.status = 'scheduled' AND e.ends_at > ? AND e.starts_at < ?"
        " AND ((e.community_id = ? AND (e.audience = 'community'"
        "      OR (e.audience = 'coordinators' AND ? = 1)))"
        "   OR e.audience = 'all')"
        " ORDER BY e.starts_at LIMIT ?",
        (after, before, community_id, int(coordinator), limit),
    )


async def signups_of_member(conn: Connection, membership_id: int, after: str) -> list[Row]:
    return await fetch_all(
        conn,
        "SELECT s.status AS signup_status, v.* FROM event_signups s"
        f" JOIN ({_EVENT_VIEW}) v ON v.id = s.event_id WHERE s.membership_id = ?"
        " AND s.status IN ('signed', 'waiting') AND v.status = 'scheduled' AND v.ends_at > ?"
        " ORDER BY v.starts_at",
        (membership_id, after),
    )


async def signup(conn: Connection, event_id: int, membership_id: int) -> Row | None:
    return await fetch_one(
        conn, "SELECT * FROM event_signups WHERE event_id = ? AND membership_id = ?",
        (event_id, membership_id),
    )


async def put_signup(
    conn: Connection, event_id: int, membership_id: int, status: str, now: str
) -> int:
    """Create or reopen a sign-up in the given status; the waiting order is updated_at."""
    row = await fetch_one(
        conn,
        "INSERT INTO event_signups (event_id, membership_id, status, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id, membership_id) DO UPDATE SET"
        " status = excluded.status, updated_at = excluded.updated_at,"
        " fee_transfer_id = NULL, refund_transfer_id = NULL RETURNING id",
        (event_id, membership_id, status, now, now),
    )
    return int(row[0])


async def set_signup_status(
    conn: Connection, signup_id: int, status: str, from_status: str, now: str
) -> bool:
    cursor = await conn.execute(
        "UPDATE event_signups SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
        (status, now, signup_id, from_status),
    )
    return cursor.rowcount == 1


async def set_signup_transfer(conn: Connection, signup_id: int, column: str, transfer_id: int):
    assert column in ("fee_transfer_id", "refund_transfer_id", "reward_transfer_id")
    await conn.execute(
        f"UPDATE event_signups SET {column} = ? WHERE id = ?", (transfer_id, signup_id)
    )


async def first_waiting(conn: Connection, event_id: int) -> Row | None:
    return await fetch_one(
        conn,
        "SELECT * FROM event_signups WHERE event_id = ? AND status = 'waiting'"
        " ORDER BY updated_at, id LIMIT 1",
        (event_id,),
    )


async def signed_members(conn: Connection, event_id: int, statuses: tuple[str, ...] = ("signed",)
                         ) -> list[Row]:
    marks = ",".join("?" * len(statuses))
    return await fetch_all(
        conn,
        "SELECT s.id AS signup_id, s.status AS signup_status, s.attended_at, s.fee_transfer_id,"
        " s.refund_transfer_id, m.id AS membership_id, m.number, p.display_name, p.id AS person_id"
        " FROM event_signups s JOIN memberships m ON m.id = s.membership_id"
        f" JOIN people p ON p.id = m.person_id WHERE s.event_id = ? AND s.status IN ({marks})"
        " ORDER BY m.number",
        (event_id, *statuses),
    )


async def mark_attended(conn: Connection, signup_id: int, now: str) -> bool:
    cursor = await conn.execute(
        "UPDATE event_signups SET attended_at = ? WHERE id = ? AND attended_at IS NULL"
        " AND status = 'signed'",
        (now, signup_id),
    )
    return cursor.rowcount == 1


async def mark_oriented(conn: Connection, membership_id: int, now: str) -> None:
    await conn.execute(
        "UPDATE memberships SET oriented_at = ? WHERE id = ? AND oriented_at IS NULL",
        (now, membership_id),
    )


async def in_month(conn: Connection, community_id: int, coordinator: bool, start: str, end: str
                   ) -> list[Row]:
    return await upcoming_for(conn, community_id, coordinator, start, end, 500)


async def checkin_signups(conn: Connection, membership_id: int, opens_after: str,
                          closes_before: str) -> list[Row]:
    """A member's live sign-ups to scheduled events whose check-in window holds now: events
    starting before `opens_after` (now + lead) and ending after `closes_before` (now - grace),
    with the event's columns and the sign-up's id, attendance and wrong code count."""
    return await fetch_all(
        conn,
        "SELECT e.*, s.id AS signup_id, s.membership_id, s.attended_at, s.wrong_codes"
        " FROM event_signups s JOIN events e ON e.id = s.event_id"
        " WHERE s.membership_id = ? AND s.status = 'signed' AND e.status = 'scheduled'"
        " AND e.starts_at <= ? AND e.ends_at >= ? ORDER BY e.starts_at, e.id",
        (membership_id, opens_after, closes_before),
    )


async def next_signed_event(conn: Connection, membership_id: int, closes_before: str
                            ) -> Row | None:
    """The member's soonest signed-up scheduled event whose check-in has not yet closed."""
    return await fetch_one(
        conn,
        "SELECT e.* FROM event_signups s JOIN events e ON e.id = s.event_id"
        " WHERE s.membership_id = ? AND s.status = 'signed' AND e.status = 'scheduled'"
        " AND e.ends_at >= ? ORDER BY e.starts_at, e.id LIMIT 1",
        (membership_id, closes_before),
    )


async def add_wrong_code(conn: Connection, signup_ids: list[int]) -> None:
    marks = ",".join("?" * len(signup_ids))
    await conn.execute(
        f"UPDATE event_signups SET wrong_codes = wrong_codes + 1 WHERE id IN ({marks})",
        signup_ids,
    )


async def codes_in_use(conn: Connection, community_id: int | None) -> set[str]:
    """Check-in codes of the scheduled events a new code must not repeat."""
    rows = await fetch_all(
        conn,
        "SELECT checkin_code FROM events WHERE status = 'scheduled'"
        " AND checkin_code IS NOT NULL"
        " AND (CAST(? AS BIGINT) IS NULL OR community_id = ? OR audience = 'all')",
        (community_id, community_id),
    )
    return {row[0] for row in rows}


async def programmes_of(conn: Connection, organisation_id: int, now: str, limit: int
                        ) -> list[Row]:
    """An institution's programmes still to come, soonest first."""
    return await fetch_all(
        conn, "SELECT * FROM events WHERE organisation_id = ? AND status = 'scheduled'"
              " AND starts_at > ? ORDER BY starts_at LIMIT ?", (organisation_id, now, limit))
