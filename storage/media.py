"""SQL for the images shown on KakaoTalk (bot/media.py): kept a few minutes in the database so
that any process behind the public URL serves any of them. Housekeeping, not domain state:
its writes do not record the update being handled (`records_update=False`).

Times are milliseconds since the epoch on the caller's clock; every item lives as long, so
the oldest stored expire first."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import fetch_all, fetch_one
from storage.port import Connection, Engine

# The newest kept while they fit beside the new item (fewer than `max_items`, at most
# `max_bytes` with it); the rest, oldest first, go. The result is what dropping the oldest one
# by one until the new item fits leaves.
_DROP_OLDEST = (
    "DELETE FROM media WHERE id IN (SELECT id FROM ("
    " SELECT id, SUM(size) OVER (ORDER BY id DESC) AS newer_bytes,"
    " ROW_NUMBER() OVER (ORDER BY id DESC) AS newer FROM media) AS ranked"
    " WHERE newer_bytes + CAST(? AS BIGINT) > CAST(? AS BIGINT)"
    " OR newer >= CAST(? AS BIGINT))"
)


@dataclass(frozen=True)
class StoredMedia:
    content: bytes
    content_type: str
    expires_ms: int


class MediaRows:
    def __init__(self, db: Engine) -> None:
        self._db = db

    async def store(self, token: str, content: bytes, content_type: str, *, now_ms: int,
                    expires_ms: int, max_bytes: int, max_items: int) -> None:
        """One write transaction, alone among writes on either engine (storage/port.py), so
        the bounds hold across processes: the expired forgotten, the oldest dropped until
        the new item fits the bounds, the new item kept."""

        async def work(conn: Connection) -> None:
            await conn.execute("DELETE FROM media WHERE expires_ms <= ?", (now_ms,))
            await conn.execute(_DROP_OLDEST, (len(content), max_bytes, max_items))
            await conn.execute(
                "INSERT INTO media (token, content, content_type, size, expires_ms)"
                " VALUES (?, ?, ?, ?, ?)",
                (token, bytes(content), content_type, len(content), expires_ms))

        await self._db.transact(work, records_update=False)

    async def find(self, token: str, *, now_ms: int) -> StoredMedia | None:
        """The item while it lives; None for an unknown or expired token."""
        async with self._db.read() as conn:
            row = await fetch_one(
                conn, "SELECT content, content_type, expires_ms FROM media"
                " WHERE token = ? AND expires_ms > ?", (token, now_ms))
        if row is None:
            return None
        return StoredMedia(bytes(row["content"]), row["content_type"], int(row["expires_ms"]))

    async def count(self, *, now_ms: int) -> int:
        """How many items live now."""
        async with self._db.read() as conn:
            rows = await fetch_all(conn, "SELECT COUNT(*) FROM media WHERE expires_ms > ?",
                                   (now_ms,))
        return int(rows[0][0])
