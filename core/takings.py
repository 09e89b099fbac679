"""What a shop took in a period (a Seoul day or month): count, currency and cash totals, each
payment; for its staff only. Payments refunded (or reversed by a coordinator) are listed,
marked, and left out of totals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.clock import Clock
from core.errors import DomainError
from core.organisation_rules import Organisation, require_staff
from core.when import SEOUL
from storage import merchant_payments as payment_rows
from storage import organisations as organisation_rows
from storage.db import Database
from storage.timefmt import from_db, to_db

PAGE = 15
EXPORT_CHUNK = 500


@dataclass(frozen=True)
class TakingLine:
    payment_id: int
    paid_at: datetime
    member_number: int | None
    member_name: str
    bill: int
    currency: int
    cash: int
    refunded: bool
    reversed: bool = False  # a coordinator's correction gave it back


@dataclass(frozen=True)
class Takings:
    organisation: Organisation
    first_day: date
    last_day: date
    count: int
    currency: int
    cash: int
    lines: list[TakingLine]
    page: int
    has_more: bool


def day_period(day: date) -> tuple[date, date]:
    return day, day


def month_period(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _bounds(first: date, last: date) -> tuple[str, str]:
    return (to_db(datetime.combine(first, time(), SEOUL)),
            to_db(datetime.combine(last + timedelta(days=1), time(), SEOUL)))


def line_of(row) -> TakingLine:
    return TakingLine(row["id"], from_db(row["paid_at"]), row["member_number"],
                      row["member_name"] or "", row["bill"], row["currency"], row["cash"],
                      row["status"] == "refunded", bool(row["reversed"]))


class TakingsService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def today(self) -> date:
        return self._clock.now().astimezone(SEOUL).date()

    async def takings(self, actor, organisation_id: int, first: date, last: date,
                      page: int = 0) -> Takings:
        start, end = _bounds(first, last)
        page = max(0, page)
        async with self._db.read() as conn:
            organisation = await _organisation(conn, organisation_id)
            await require_staff(conn, actor, organisation, coordinator_may=True)
            totals = await payment_rows.takings_totals(conn, organisation_id, start, end)
            rows = await payment_rows.takings(conn, organisation_id, start, end, PAGE + 1,
                                              page * PAGE)
        return Takings(organisation, first, last, totals["count"], totals["currency"],
                       totals["cash"], [line_of(row) for row in rows[:PAGE]], page,
                       len(rows) > PAGE)

    @asynccontextmanager
    async def stream(self, actor, organisation_id: int, first: date, last: date
                     ) -> AsyncIterator[tuple[Organisation, AsyncIterator[list[TakingLine]]]]:
        """The period's payments in chunks, all read from one snapshot: a payment made while
        the export runs is in none of them, and none is read twice (exports)."""
        start, end = _bounds(first, last)
        async with self._db.export_snapshot() as conn:
            organisation = await _organisation(conn, organisation_id)
            await require_staff(conn, actor, organisation, coordinator_may=True)

            async def chunks() -> AsyncIterator[list[TakingLine]]:
                async for rows in payment_rows.takings_chunks(conn, organisation_id, start,
                                                              end, EXPORT_CHUNK):
                    yield [line_of(row) for row in rows]

            yield organisation, chunks()


async def _organisation(conn, organisation_id: int) -> Organisation:
    row = await organisation_rows.get(conn, organisation_id)
    if row is None:
        raise DomainError("shop_not_found")
    return Organisation.from_row(row)
