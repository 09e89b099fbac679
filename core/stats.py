"""Statistics for the performance report (성과 자료집): trades and volume per month, active and
new members, posts, event attendance — this year, last year and cumulative — and the rows
behind them for export."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.clock import Clock, ManualClock
from core.errors import DomainError
from core.membership import require_active_member, require_coordinator
from core.models import Actor, Community
from core.when import SEOUL
from storage import communities as community_rows
from storage import stats as stats_rows
from storage.db import Connection, Database
from storage.timefmt import to_db

BEGINNING = "0000"
END_OF_TIME = "9999"


@dataclass(frozen=True)
class PeriodTotals:
    trades: int
    volume: int
    active_members: int
    new_members: int
    posts: int
    attendance: int


@dataclass(frozen=True)
class MonthFigures:
    month: str  # YYYY-MM, Seoul
    trades: int
    volume: int


CHANNELS = ("goods", "labour", "merchant", "public")  # 물품거래, 품 나눔, 가맹점, 공공영역


@dataclass(frozen=True)
class ChannelMonth:
    """A month's trades and volume in one channel of circulation (migration 015)."""

    month: str  # YYYY-MM, Seoul
    channel: str  # one of CHANNELS
    trades: int
    volume: int


@dataclass(frozen=True)
class CommunityStats:
    community: Community
    year: int
    this_year: PeriodTotals
    last_year: PeriodTotals
    cumulative: PeriodTotals
    months_this_year: list[MonthFigures]
    months_last_year: list[MonthFigures]
    channels_this_year: list[ChannelMonth] = field(default_factory=list)


@dataclass(frozen=True)
class ExportData:
    community: Community
    start: datetime
    end: datetime
    transfers: list[dict[str, Any]]
    members: list[dict[str, Any]]
    posts: list[dict[str, Any]]
    events: list[dict[str, Any]]
    stats: CommunityStats


@dataclass(frozen=True)
class ExportRequest:
    """An export decided and authorised, in plain values, so that another process can carry
    it out (conversation.export_job)."""

    db_path: str
    community: Community
    start: datetime
    end: datetime
    now: datetime  # the moment whose year is "this year" in the summary


EXPORT_TABLES = ("transfers", "members", "posts", "events")
EXPORT_CHUNK = 5000


@dataclass(frozen=True)
class ExportStream:
    """One period's export, read from a consistent snapshot while it is open."""

    community: Community
    start: datetime
    end: datetime
    stats: CommunityStats
    conn: Connection
    chunk: int

    async def rows(self, table: str) -> AsyncIterator[list[dict[str, Any]]]:
        """A table's rows (one of EXPORT_TABLES), in chunks, `*_at` columns as datetimes."""
        first, last = to_db(self.start), to_db(self.end)
        community_id, size = self.community.id, self.chunk
        if table == "transfers":
            chunks = stats_rows.transfers_between(self.conn, community_id, first, last, size)
        elif table == "members":
            chunks = stats_rows.member_rows(self.conn, community_id, size)
        elif table == "posts":
            chunks = stats_rows.post_rows(self.conn, community_id, first, last, size)
        elif table == "events":
            chunks = stats_rows.event_rows(self.conn, community_id, first, last, size)
        else:
            raise ValueError(f"no export table {table!r}")
        async with aclosing(chunks):
            async for rows in chunks:
                # Parsing thousands of times is CPU work: off the event loop.
                yield await asyncio.to_thread(_with_times, rows)

    async def count(self, table: str) -> int | None:
        """How many rows a table has, where that can be large (transfers); else None."""
        if table != "transfers":
            return None
        return await stats_rows.transfer_count(self.conn, self.community.id,
                                               to_db(self.start), to_db(self.end))


def _with_times(rows) -> list[dict[str, Any]]:
    """Rows as dicts, their `*_at` columns as aware datetimes. An export runs this on millions
    of rows: the stored text (ISO 8601, UTC; see storage.timefmt) is read with fromisoformat,
    some 30 times faster than from_db's strptime, and the columns are looked at once."""
    if not rows:
        return []
    keys = list(rows[0].keys())  # asyncpg gives an iterator
    times = [key for key in keys if key.endswith("_at")]
    converted = []
    for row in rows:
        item = dict(zip(keys, row, strict=True))
        for key in times:
            value = item[key]
            if isinstance(value, str):
                item[key] = datetime.fromisoformat(value).replace(tzinfo=UTC)
        converted.append(item)
    return converted


@dataclass(frozen=True)
class Period:
    key: str  # its active members' roll-up: a year YYYY, or 'all' (migration 014)
    first_month: str  # YYYY-MM, Seoul, inclusive
    last_month: str
    start: str  # UTC text, inclusive
    end: str  # UTC text, exclusive


def year_period(year: int) -> Period:
    return Period(str(year), f"{year}-01", f"{year}-12",
                  to_db(datetime(year, 1, 1, tzinfo=SEOUL)),
                  to_db(datetime(year + 1, 1, 1, tzinfo=SEOUL)))


ALL_TIME = Period("all", "0000-00", "9999-99", BEGINNING, END_OF_TIME)


class StatsService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def for_coordinator(self, actor: Actor) -> CommunityStats:
        community, _ = require_active_member(actor)
        async with self._db.long_read() as conn:
            await require_coordinator(conn, actor, community.id)
            return await self._community_stats(conn, community)

    async def all_communities(self, actor: Actor) -> list[CommunityStats]:
        if not actor.is_admin:
            raise DomainError("not_admin")
        async with self._db.long_read() as conn:
            return [await self._community_stats(conn, Community.from_row(row))
                    for row in await community_rows.list_all(conn)]

    async def export_request(self, actor: Actor | None, start: datetime, end: datetime,
                             community_code: str | None = None) -> ExportRequest:
        """An export of one period, checked and authorised: from chat, the actor's community,
        coordinators only; from the command line (actor None), the community with that code.
        `open_export` carries it out, here or in another process."""
        if end <= start:
            raise DomainError("when_end_before_start", text="")
        async with self._db.read() as conn:
            if actor is not None:
                community, _ = require_active_member(actor)
                await require_coordinator(conn, actor, community.id)
            else:
                row = await community_rows.get_by_code(conn, community_code or "")
                if row is None:
                    raise DomainError("community_not_found", code=community_code or "")
                community = Community.from_row(row)
        return ExportRequest(self._db.path, community, start, end, self._clock.now())

    @asynccontextmanager
    async def export_stream(self, actor: Actor | None, start: datetime, end: datetime,
                            community_code: str | None = None, *, chunk: int = EXPORT_CHUNK
                            ) -> AsyncIterator[ExportStream]:
        """`export_request`, carried out in this process."""
        request = await self.export_request(actor, start, end, community_code)
        async with open_export(request, db=self._db, chunk=chunk) as stream:
            yield stream

    async def export(self, actor: Actor | None, start: datetime, end: datetime,
                     community_code: str | None = None) -> ExportData:
        """The whole export in memory, for small periods and tests; `export_stream` for the
        rest."""
        async with self.export_stream(actor, start, end, community_code) as stream:
            tables = {}
            for name in EXPORT_TABLES:
                tables[name] = [row async for rows in stream.rows(name) for row in rows]
        return ExportData(community=stream.community, start=start, end=end,
                          stats=stream.stats, **tables)

    async def _community_stats(self, conn: Connection, community: Community) -> CommunityStats:
        year = self._clock.now().astimezone(SEOUL).year
        this_year, last_year = year_period(year), year_period(year - 1)
        return CommunityStats(
            community=community, year=year,
            this_year=await period_totals(conn, community.id, this_year),
            last_year=await period_totals(conn, community.id, last_year),
            cumulative=await period_totals(conn, community.id, ALL_TIME),
            months_this_year=await period_months(conn, community.id, this_year),
            months_last_year=await period_months(conn, community.id, last_year),
            channels_this_year=[
                ChannelMonth(row["month"], row["channel"], row["trades"], row["volume"])
                for row in await stats_rows.channel_months(
                    conn, community.id, this_year.first_month, this_year.last_month)],
        )


async def period_totals(conn: Connection, community_id: int, period: Period) -> PeriodTotals:
    row = await stats_rows.totals(conn, community_id, period.key, period.first_month,
                                  period.last_month, period.start, period.end)
    return PeriodTotals(row["trades"], row["volume"], row["active_members"],
                        row["new_members"], row["posts"], row["attendance"])


async def period_months(conn: Connection, community_id: int, period: Period
                        ) -> list[MonthFigures]:
    return [MonthFigures(row["month"], row["trades"], row["volume"])
            for row in await stats_rows.monthly(conn, community_id, period.first_month,
                                                period.last_month)]


@asynccontextmanager
async def open_export(request: ExportRequest, *, db: Database | None = None,
                      chunk: int = EXPORT_CHUNK) -> AsyncIterator[ExportStream]:
    """The rows of an export request, read `chunk` at a time from a snapshot on a read-only
    connection of the export's own: the figures and the rows are of one committed state, and
    no member's command waits on it. Without `db` (another process), the request's file."""
    db = db or Database.for_target(request.db_path)
    service = StatsService(db, ManualClock(request.now))
    async with db.export_snapshot() as snapshot:
        stats = await service._community_stats(snapshot, request.community)
        yield ExportStream(request.community, request.start, request.end, stats, snapshot,
                           chunk)
