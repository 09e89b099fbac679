"""SQL for durable dialog state (which step of a guided dialog a person is on)."""

from __future__ import annotations

import json
from typing import Any

from storage.db import Connection, fetch_one


async def get(conn: Connection, person_id: int) -> tuple[str, str, dict[str, Any]] | None:
    row = await fetch_one(
        conn, "SELECT name, step, data FROM dialogs WHERE person_id = ?", (person_id,)
    )
    if row is None:
        return None
    return row["name"], row["step"], json.loads(row["data"])


async def put(
    conn: Connection, person_id: int, name: str, step: str, data: dict[str, Any], now: str
) -> None:
    await conn.execute(
        "INSERT INTO dialogs (person_id, name, step, data, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (person_id) DO UPDATE SET name = excluded.name, step = excluded.step,"
        " data = excluded.data, updated_at = excluded.updated_at",
        (person_id, name, step, _encode(data), now),
    )


async def consume(
    conn: Connection, person_id: int, name: str, step: str, data: dict[str, Any]
) -> bool:
    """End the dialog only if it is still exactly this one (same name, step and answers);
    False if it has already ended or moved on, e.g. by a second tap of the same button."""
    cursor = await conn.execute(
        "DELETE FROM dialogs WHERE person_id = ? AND name = ? AND step = ? AND data = ?",
        (person_id, name, step, _encode(data)),
    )
    return cursor.rowcount == 1


async def clear(conn: Connection, person_id: int) -> bool:
    cursor = await conn.execute("DELETE FROM dialogs WHERE person_id = ?", (person_id,))
    return cursor.rowcount > 0


def _encode(data: dict[str, Any]) -> str:
    # One encoding for writing and for comparing: a stored dialog read back and encoded
    # again gives the same text.
    return json.dumps(data, ensure_ascii=False)
