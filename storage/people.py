"""SQL for people and their identities on each channel."""

from __future__ import annotations

import sqlite3

from storage.db import Connection, fetch_all, fetch_one


async def find_by_identity(conn: Connection, channel: str, external_id: str) -> sqlite3.Row | None:
    return await fetch_one(
        conn,
        "SELECT p.* FROM identities i JOIN people p ON p.id = i.person_id"
        " WHERE i.channel = ? AND i.external_id = ?",
        (channel, external_id),
    )


async def insert_with_identity(
    conn: Connection,
    *,
    channel: str,
    external_id: str,
    display_name: str,
    username: str | None,
    locale: str | None,
    now: str,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO people (display_name, username, locale, created_at) VALUES (?, ?, ?, ?)",
        (display_name, username, locale, now),
    )
    person_id = int(cursor.lastrowid)
    await conn.execute(
        "INSERT INTO identities (channel, external_id, person_id, created_at) VALUES (?, ?, ?, ?)",
        (channel, external_id, person_id, now),
    )
    return person_id


async def update_profile(
    conn: Connection, person_id: int, display_name: str, username: str | None
) -> None:
    await conn.execute(
        "UPDATE people SET display_name = ?, username = ? WHERE id = ?",
        (display_name, username, person_id),
    )


async def get(conn: Connection, person_id: int) -> sqlite3.Row | None:
    return await fetch_one(conn, "SELECT * FROM people WHERE id = ?", (person_id,))


async def set_locale(conn: Connection, person_id: int, locale: str) -> None:
    await conn.execute("UPDATE people SET locale = ? WHERE id = ?", (locale, person_id))


async def set_current_community(conn: Connection, person_id: int, community_id: int) -> None:
    await conn.execute(
        "UPDATE people SET current_community_id = ? WHERE id = ?", (community_id, person_id)
    )


async def addresses(conn: Connection, person_ids: list[int]) -> dict[int, dict[str, str]]:
    if not person_ids:
        return {}
    marks = ",".join("?" * len(person_ids))
    rows = await fetch_all(
        conn,
        f"SELECT person_id, channel, external_id FROM identities WHERE person_id IN ({marks})",
        person_ids,
    )
    found: dict[int, dict[str, str]] = {pid: {} for pid in person_ids}
    for row in rows:
        found[row["person_id"]][row["channel"]] = row["external_id"]
    return found
