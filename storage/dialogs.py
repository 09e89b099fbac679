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
        (person_id, name, step, json.dumps(data, ensure_ascii=False), now),
    )


async def clear(conn: Connection, person_id: int) -> bool:
    cursor = await conn.execute("DELETE FROM dialogs WHERE person_id = ?", (person_id,))
    return cursor.rowcount > 0
