"""SQL for communities and their own account."""

from __future__ import annotations

from storage.db import Connection, fetch_all, fetch_one
from storage.port import POSTGRESQL, SQLITE, IntegrityError, Row, dialect


async def insert_community(
    conn: Connection,
    *,
    code: str,
    name: str,
    unit: str,
    credit_floor: int,
    credit_ceiling: int,
    approval: str,
    now: str,
    orientation_required: bool = False,
    reminder_hours: str = "24,1",
) -> int | None:
    """Insert and create the community account; None when the code is taken (whatever its
    case: the code's unique index ignores case on both engines)."""
    inserted = await fetch_one(
        conn,
        "INSERT INTO communities (code, name, unit, credit_floor, credit_ceiling, approval,"
        " created_at, orientation_required, reminder_hours)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING RETURNING id",
        (code, name, unit, credit_floor, credit_ceiling, approval, now,
         int(orientation_required), reminder_hours),
    )
    if inserted is None:
        return None
    community_id = inserted[0]
    await conn.execute(
        "INSERT INTO accounts (community_id, membership_id, created_at) VALUES (?, NULL, ?)",
        (community_id, now),
    )
    return community_id


# A code matches whatever its case (SQLite: the column's COLLATE NOCASE; PostgreSQL: the
# unique index on lower(code)).
_BY_CODE = {SQLITE: "code = ?", POSTGRESQL: "lower(code) = lower(?)"}


async def get_by_code(conn: Connection, code: str) -> Row | None:
    return await fetch_one(conn, f"SELECT * FROM communities WHERE {_BY_CODE[dialect(conn)]}",
                           (code,))


async def get(conn: Connection, community_id: int) -> Row | None:
    return await fetch_one(conn, "SELECT * FROM communities WHERE id = ?", (community_id,))


async def list_all(conn: Connection) -> list[Row]:
    return await fetch_all(conn, "SELECT * FROM communities ORDER BY id")


async def take_member_number(conn: Connection, community_id: int) -> int:
    row = await fetch_one(
        conn,
        "UPDATE communities SET next_member_number = next_member_number + 1 WHERE id = ?"
        " RETURNING next_member_number - 1",
        (community_id,),
    )
    return int(row[0])


async def change_code(conn: Connection, community_id: int, old_code: str, new_code: str) -> bool:
    """Set a new join code if the code is still `old_code`; False when the new one is taken."""
    taken = await fetch_one(
        conn, f"SELECT id FROM communities WHERE id <> ? AND {_BY_CODE[dialect(conn)]}",
        (community_id, new_code))
    if taken is not None:
        return False  # asked first: on PostgreSQL a failed statement ends the transaction
    try:
        cursor = await conn.execute(
            "UPDATE communities SET code = ? WHERE id = ? AND code = ?",
            (new_code, community_id, old_code),
        )
    except IntegrityError:
        return False
    return cursor.rowcount == 1
