"""At-least-once delivery made exactly-once: an update's key is recorded in the same
transaction as its effect, and an update seen before is not processed again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from core.clock import Clock
from storage import updates as update_rows
from storage.db import AlreadyProcessed, Database, UpdateBeingHandled, current_update
from storage.timefmt import to_db

KEEP_FOR = timedelta(days=8)  # Telegram redelivers within a day; ids restart after a week idle


class DeliveryService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def already_processed(self, update_key: str) -> bool:
        async with self._db.read() as conn:
            return await update_rows.was_processed(conn, update_key)

    async def forget_old(self) -> int:
        async with self._db.write(records_update=False) as conn:
            return await update_rows.forget_before(conn, to_db(self._clock.now() - KEEP_FOR))


@contextmanager
def handling(update_key: str) -> Iterator[None]:
    """The first write transaction inside records `update_key` along with its effect, or
    raises Redelivered if an earlier delivery of the same update already committed one."""
    token = current_update.set(UpdateBeingHandled(update_key))
    try:
        yield
    finally:
        current_update.reset(token)


Redelivered = AlreadyProcessed
