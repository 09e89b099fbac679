"""SQL for the record of processed updates."""

from __future__ import annotations

from storage.db import Connection, fetch_one


async def was_processed(conn: Connection, update_key: str) -> bool:
    row = await fetch_one(
        conn, "SELECT 1 FROM processed_updates WHERE update_key = ?", (update_key,)
    )
    return row is not None


async def forget_before(conn: Connection, before: str) -> int:
    cursor = await conn.execute("DELETE FROM processed_updates WHERE processed_at < ?", (before,))
    return cursor.rowcount
