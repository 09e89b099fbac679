"""SQL for organisations (merchants, institutions), their staff, codes and accounts."""

from __future__ import annotations

from typing import Any

from storage.db import Connection, fetch_all, fetch_one
from storage.port import Row, like

_COLUMNS = (
    "o.id, o.community_id, o.number, o.kind, o.name, o.category, o.address, o.hours,"
    " o.map_url, o.phone, o.photo_file_id, o.share_percent, o.cap, o.rounding, o.status,"
    " o.token, o.short_code, o.created_by_person_id, o.created_at, o.decided_at,"
    " a.id AS account_id, a.balance"
)
_FROM = " FROM organisations o LEFT JOIN accounts a ON a.organisation_id = o.id"
SETTABLE = ("name", "category", "address", "hours", "map_url", "phone", "photo_file_id",
            "share_percent", "cap", "rounding")


async def insert(conn: Connection, values: dict[str, Any]) -> int:
    """A new organisation numbered next in its community (numbers are never reused)."""
    row = await fetch_one(
        conn, "SELECT COALESCE(MAX(number), 0) + 1 FROM organisations WHERE community_id = ?",
        (values["community_id"],))
    values = {**values, "number": int(row[0])}
    names = ", ".join(values)
    inserted = await fetch_one(
        conn, f"INSERT INTO organisations ({names}) VALUES ({', '.join('?' * len(values))})"
              " RETURNING id", tuple(values.values()))
    return int(inserted[0])


async def get(conn: Connection, organisation_id: int) -> Row | None:
    return await fetch_one(conn, f"SELECT {_COLUMNS}{_FROM} WHERE o.id = ?", (organisation_id,))


async def by_number(conn: Connection, community_id: int, number: int) -> Row | None:
    return await fetch_one(conn, f"SELECT {_COLUMNS}{_FROM} WHERE o.community_id = ?"
                                 " AND o.number = ?", (community_id, number))


async def by_token(conn: Connection, token: str) -> Row | None:
    return await fetch_one(conn, f"SELECT {_COLUMNS}{_FROM} WHERE o.token = ?", (token,))


async def by_short_code(conn: Connection, community_id: int, code: str) -> Row | None:
    return await fetch_one(conn, f"SELECT {_COLUMNS}{_FROM} WHERE o.community_id = ?"
                                 " AND o.short_code = ?", (community_id, code))


async def with_short_code(conn: Connection, code: str, limit: int) -> list[Row]:
    """Shops of any community with that short code (typed by someone of another one)."""
    return await fetch_all(conn, f"SELECT {_COLUMNS}{_FROM} WHERE o.short_code = ?"
                                 " AND o.status IN ('active', 'suspended') ORDER BY o.id"
                                 " LIMIT ?", (code, limit))


async def retired_token(conn: Connection, token: str) -> bool:
    return await fetch_one(
        conn, "SELECT 1 FROM organisation_old_codes WHERE token = ?", (token,)) is not None


async def retired_short_code(conn: Connection, community_id: int, code: str) -> bool:
    return await fetch_one(
        conn, "SELECT 1 FROM organisation_old_codes c JOIN organisations o"
              " ON o.id = c.organisation_id WHERE o.community_id = ? AND c.short_code = ?",
        (community_id, code)) is not None


async def retired_short_code_of_person(conn: Connection, person_id: int, code: str) -> bool:
    """An old short code of a shop in a community the person is in (active or suspended: not
    one they left or only applied to)."""
    return await fetch_one(
        conn, "SELECT 1 FROM organisation_old_codes c JOIN organisations o"
              " ON o.id = c.organisation_id JOIN memberships m ON m.community_id = o.community_id"
              " WHERE m.person_id = ? AND m.status IN ('active', 'suspended')"
              " AND c.short_code = ? LIMIT 1", (person_id, code)) is not None


async def short_code_taken(conn: Connection, community_id: int, code: str) -> bool:
    """In use now or before in the community: an old code never opens another shop."""
    return (await by_short_code(conn, community_id, code) is not None
            or await retired_short_code(conn, community_id, code))


async def rotate_codes(conn: Connection, organisation_id: int, old_token: str, token: str,
                       short_code: str, now: str) -> bool:
    """Guarded: only while the codes are still those of `old_token`, so a double tap (or two
    owners at once) rotates once. False if they changed already."""
    await conn.execute(
        "INSERT INTO organisation_old_codes (organisation_id, token, short_code, retired_at)"
        " SELECT id, token, short_code, ? FROM organisations WHERE id = ? AND token = ?",
        (now, organisation_id, old_token))
    cursor = await conn.execute(
        "UPDATE organisations SET token = ?, short_code = ? WHERE id = ? AND token = ?",
        (token, short_code, organisation_id, old_token))
    return cursor.rowcount == 1


async def listed(conn: Connection, community_id: int, words: list[str], limit: int,
                 offset: int) -> list[Row]:
    """Active organisations of a community by number; each word must be in the name,
    category or address (a community holds tens of shops, not thousands)."""
    where, params = "", []
    for word in words:
        where += (" AND (o.name || ' ' || o.category || ' ' || o.address)"
                  f" {like(conn)} ? ESCAPE '\\'")
        params.append("%" + word.replace("\\", "\\\\").replace("%", "\\%")
                      .replace("_", "\\_") + "%")
    return await fetch_all(
        conn, f"SELECT {_COLUMNS}{_FROM} WHERE o.community_id = ? AND o.status = 'active'"
              f"{where} ORDER BY o.number LIMIT ? OFFSET ?",
        (community_id, *params, limit, offset))


async def pending(conn: Connection, community_ids: list[int], limit: int) -> list[Row]:
    if not community_ids:
        return []
    marks = ", ".join("?" * len(community_ids))
    return await fetch_all(
        conn, f"SELECT {_COLUMNS}{_FROM} WHERE o.status = 'pending' AND o.community_id IN"
              f" ({marks}) ORDER BY o.id LIMIT ?", (*community_ids, limit))


async def set_status(conn: Connection, organisation_id: int, status: str, expected: str,
                     now: str, person_id: int) -> bool:
    """Guarded: only from `expected`, and only once."""
    cursor = await conn.execute(
        "UPDATE organisations SET status = ?, decided_at = ?, decided_by_person_id = ?"
        " WHERE id = ? AND status = ?", (status, now, person_id, organisation_id, expected))
    return cursor.rowcount == 1


async def update_fields(conn: Connection, organisation_id: int, values: dict[str, Any]) -> None:
    assert values and all(name in SETTABLE for name in values)
    sets = ", ".join(f"{name} = ?" for name in values)
    await conn.execute(f"UPDATE organisations SET {sets} WHERE id = ?",
                       (*values.values(), organisation_id))


async def insert_account(conn: Connection, community_id: int, organisation_id: int,
                         now: str) -> int:
    inserted = await fetch_one(
        conn, "INSERT INTO accounts (community_id, organisation_id, created_at) VALUES (?, ?, ?)"
              " ON CONFLICT DO NOTHING RETURNING id", (community_id, organisation_id, now))
    return int(inserted[0]) if inserted is not None else 0


async def add_staff(conn: Connection, organisation_id: int, membership_id: int, role: str,
                    now: str) -> None:
    await conn.execute(
        "INSERT INTO organisation_staff (organisation_id, membership_id, role, created_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (organisation_id, membership_id)"
        " DO UPDATE SET role = excluded.role", (organisation_id, membership_id, role, now))


async def remove_staff(conn: Connection, organisation_id: int, membership_id: int) -> bool:
    """Guarded against leaving the organisation without an owner: an owner goes only while
    another stays (in the same statement, so two owners removing each other at once cannot
    both go)."""
    cursor = await conn.execute(
        "DELETE FROM organisation_staff WHERE organisation_id = ? AND membership_id = ?"
        " AND (role = 'staff' OR EXISTS (SELECT 1 FROM organisation_staff o"
        "  WHERE o.organisation_id = organisation_staff.organisation_id AND o.role = 'owner'"
        "  AND o.membership_id <> organisation_staff.membership_id))",
        (organisation_id, membership_id))
    return cursor.rowcount == 1


async def role_of(conn: Connection, organisation_id: int, membership_id: int) -> str | None:
    row = await fetch_one(
        conn, "SELECT role FROM organisation_staff WHERE organisation_id = ?"
              " AND membership_id = ?", (organisation_id, membership_id))
    return row["role"] if row else None


async def staff(conn: Connection, organisation_id: int) -> list[Row]:
    """Staff who are active members, owners first: whom to tell of a payment."""
    return await fetch_all(
        conn, "SELECT s.membership_id, s.role FROM organisation_staff s"
              " JOIN memberships m ON m.id = s.membership_id"
              " WHERE s.organisation_id = ? AND m.status = 'active'"
              " ORDER BY s.role = 'owner' DESC, s.membership_id", (organisation_id,))


async def staff_all(conn: Connection, organisation_id: int, limit: int) -> list[Row]:
    """Everyone on the staff, whatever their membership's status, owners first."""
    return await fetch_all(
        conn, "SELECT membership_id, role FROM organisation_staff WHERE organisation_id = ?"
              " ORDER BY role = 'owner' DESC, membership_id LIMIT ?", (organisation_id, limit))


async def of_member(conn: Connection, membership_id: int) -> list[Row]:
    """The organisations a member works for (any status but rejected), with their role."""
    return await fetch_all(
        conn, f"SELECT {_COLUMNS}, s.role{_FROM} JOIN organisation_staff s"
              " ON s.organisation_id = o.id WHERE s.membership_id = ?"
              " AND o.status <> 'rejected' ORDER BY o.number", (membership_id,))
