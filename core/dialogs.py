"""Durable dialog state: the step a person is on in a guided dialog, kept across restarts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.clock import Clock
from core.errors import DomainError
from storage import dialogs as dialog_rows
from storage.db import Connection, Database
from storage.timefmt import to_db


@dataclass(frozen=True)
class Dialog:
    name: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


class DialogService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def get(self, person_id: int) -> Dialog | None:
        async with self._db.read() as conn:
            found = await dialog_rows.get(conn, person_id)
        return Dialog(*found) if found else None

    async def put(self, person_id: int, dialog: Dialog) -> None:
        async with self._db.write() as conn:
            await dialog_rows.put(
                conn, person_id, dialog.name, dialog.step, dialog.data, to_db(self._clock.now())
            )

    async def clear(self, person_id: int) -> bool:
        async with self._db.write() as conn:
            return await dialog_rows.clear(conn, person_id)


async def finish(conn: Connection, person_id: int, dialog: Dialog) -> None:
    """End `dialog` inside the write transaction that creates what it was for. Only one of
    two taps of the final button (even at the same moment) finds it; the other is refused
    with `dialog_already_done`, and its transaction, with whatever it created, rolls back."""
    if not await dialog_rows.consume(conn, person_id, dialog.name, dialog.step, dialog.data):
        raise DomainError("dialog_already_done")
