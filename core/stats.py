"""Statistics for the performance report (성과 자료집): trades and volume per month, active and
new members, posts, event attendance — this year, last year and cumulative — and the rows
behind them for export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.clock import Clock
from core.errors import DomainError
from core.membership import require_active_member, require_coordinator
from core.models import Actor, Community
from core.when import SEOUL
from storage import communities as community_rows
from storage import stats as stats_rows
from storage.db import Connection, Database
from storage.timefmt import from_db, to_db

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


@dataclass(frozen=True)
class CommunityStats:
    community: Community
    year: int
    this_year: PeriodTotals
    last_year: PeriodTotals
    cumulative: PeriodTotals
    months_this_year: list[MonthFigures]
    months_last_year: list[MonthFigures]


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


def _with_times(rows) -> list[dict[str, Any]]:
    """Rows as dicts, their `*_at` columns as aware datetimes."""
    converted = []
    for row in rows:
        item = dict(row)
        for key, value in item.items():
            if key.endswith("_at") and isinstance(value, str):
                item[key] = from_db(value)
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
        async with self._db.read() as conn:
            await require_coordinator(conn, actor, community.id)
            return await self._community_stats(conn, community)

    async def all_communities(self, actor: Actor) -> list[CommunityStats]:
        if not actor.is_admin:
            raise DomainError("not_admin")
        async with self._db.read() as conn:
            return [await self._community_stats(conn, Community.from_row(row))
                    for row in await community_rows.list_all(conn)]

    async def export(self, actor: Actor | None, start: datetime, end: datetime,
                     community_code: str | None = None) -> ExportData:
        """The rows for one period. From chat: the actor's community, coordinators only;
        from the command line (actor None): the community with that code."""
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
            first, last = to_db(start), to_db(end)
            data = ExportData(
                community=community, start=start, end=end,
                transfers=_with_times(await stats_rows.transfers_between(
                    conn, community.id, first, last)),
                members=_with_times(await stats_rows.member_rows(conn, community.id)),
                posts=_with_times(await stats_rows.post_rows(conn, community.id, first, last)),
                events=_with_times(await stats_rows.event_rows(conn, community.id, first,
                                                               last)),
                stats=await self._community_stats(conn, community),
            )
        return data

    async def _community_stats(self, conn: Connection, community: Community) -> CommunityStats:
        year = self._clock.now().astimezone(SEOUL).year
        this_year, last_year = year_period(year), year_period(year - 1)
        return CommunityStats(
            community=community, year=year,
            this_year=await _totals(conn, community.id, this_year),
            last_year=await _totals(conn, community.id, last_year),
            cumulative=await _totals(conn, community.id, ALL_TIME),
            months_this_year=await _months(conn, community.id, this_year),
            months_last_year=await _months(conn, community.id, last_year),
        )


async def _totals(conn: Connection, community_id: int, period: Period) -> PeriodTotals:
    row = await stats_rows.totals(conn, community_id, period.key, period.first_month,
                                  period.last_month, period.start, period.end)
    return PeriodTotals(row["trades"], row["volume"], row["active_members"],
                        row["new_members"], row["posts"], row["attendance"])


async def _months(conn: Connection, community_id: int, period: Period) -> list[MonthFigures]:
    return [MonthFigures(row["month"], row["trades"], row["volume"])
            for row in await stats_rows.monthly(conn, community_id, period.first_month,
                                                period.last_month)]



