"""Reminders kept in SQLite. Each is claimed (pending → sending) in one transaction before it
is sent and marked sent after, so a restart sends none twice; one a killed process was
sending at that instant is marked 'uncertain' rather than risk a second copy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.clock import Clock
from core.models import Event, EventView, Member, TradeView
from core.views import load_community, load_member, load_trade
from storage import events as event_rows
from storage import reminders as reminder_rows
from storage.db import Database
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class ReminderJob:
    id: int
    kind: str
    member: Member
    event: EventView | None = None
    trade: TradeView | None = None


class ReminderService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def recover(self) -> int:
        """At start-up: reminders left 'sending' by a killed process become 'uncertain'."""
        async with self._db.write(records_update=False) as conn:
            return await reminder_rows.interrupted(conn, to_db(self._clock.now()))

    async def next_due(self) -> datetime | None:
        async with self._db.read() as conn:
            return from_db(await reminder_rows.next_due(conn))

    async def claim(self) -> ReminderJob | None:
        """The next reminder to send now, marked 'sending'; stale ones are skipped."""
        now = self._clock.now()
        stamp = to_db(now)
        async with self._db.write(records_update=False) as conn:
            while True:
                rows = await reminder_rows.due(conn, stamp, 50)
                if not rows:
                    return None
                for row in rows:
                    member = await load_member(conn, row["membership_id"])
                    if _is_stale(row, now, member):
                        await reminder_rows.move(conn, row["id"], "pending", "skipped", stamp)
                        continue
                    await reminder_rows.move(conn, row["id"], "pending", "sending", stamp)
                    if row["kind"] == "charge":
                        trade = await load_trade(conn, row["request_id"], newly_decided=False)
                        return ReminderJob(row["id"], "charge", member, trade=trade)
                    event = Event.from_row(await event_rows.get(conn, row["event_id"]))
                    unit = (await load_community(conn, event.community_id)).unit if (
                        event.community_id is not None) else "문"
                    return ReminderJob(row["id"], "event", member,
                                       event=EventView(event, unit, "signed"))

    async def sent(self, reminder_id: int) -> None:
        async with self._db.write(records_update=False) as conn:
            await reminder_rows.move(conn, reminder_id, "sending", "sent",
                                     to_db(self._clock.now()))

    async def undeliverable(self, reminder_id: int) -> None:
        async with self._db.write(records_update=False) as conn:
            await reminder_rows.move(conn, reminder_id, "sending", "skipped",
                                     to_db(self._clock.now()))

    async def counts(self) -> dict[str, int]:
        async with self._db.read() as conn:
            return await reminder_rows.counts(conn)


def _is_stale(row, now: datetime, member: Member) -> bool:
    if member.status != "active":
        return True
    if row["kind"] == "charge":
        return row["request_status"] != "pending"
    return row["event_status"] != "scheduled" or from_db(row["event_starts_at"]) <= now
