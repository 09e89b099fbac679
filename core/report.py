"""The year's report (성과 자료집): one `ReportFigures` per year and scope (one community, or
all), read from the statistics' roll-ups (never the transfers), the study sessions, the
selected stories, and the seed plan's table of its three years. The document is drawn from
it by conversation.report_sections; `ReportRequest` carries it to the child process that
writes the files (conversation.report_job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.errors import DomainError
from core.models import Actor, Community
from core.stats import (
    BEGINNING,
    CHANNELS,
    ChannelMonth,
    MonthFigures,
    Period,
    PeriodTotals,
    period_months,
    period_totals,
    year_period,
)
from core.stories import Story
from core.survey_results import SurveyResults, Trend, year_over_year, year_results_on
from storage import communities as community_rows
from storage import report as report_rows
from storage import stats as stats_rows
from storage import stories as story_rows
from storage.db import Connection, Database
from storage.timefmt import to_db

FILE_PREFIX = "pumasi-report-"  # the report's files: pumasi-report-2026-all.pdf, .xlsx


@dataclass(frozen=True)
class SeedYear:
    """One year of the 2016 plan's table 최근 3년간의 주요성과."""

    year: int
    communities: int  # 지역품앗이 운영 (개소)
    trades: int  # 총 거래건수
    cumulative_trades: int  # 누적 거래건수
    sessions: int | None  # 품앗이 학습조직 / 학당 (회); None: not reported
    other: str  # the year's other results, as the plan writes them


SEED_YEARS = (
    SeedYear(2013, 15, 8_501, 19_187, None, "온라인시스템 활성화, 언론보도 등 인지도 확대"),
    SeedYear(2014, 13, 11_666, 30_853, 8,
             "자생형 모델 발굴 및 지원 5개소, 온라인 상시소통체계 구축"),
    SeedYear(2015, 10, 8_363, 39_216, 9, "주민참여 설문조사 1회, 사례연구 1회 진행(5개소 참여)"),
)


@dataclass(frozen=True)
class CommunityYear:
    community: Community
    totals: PeriodTotals  # the year's, as /stats shows them
    cumulative_trades: int  # up to the end of the year
    cumulative_volume: int
    months: list[MonthFigures]
    sessions_held: int  # study sessions (품앗이 학당) not cancelled
    session_attendance: int
    channels: list[ChannelMonth]  # trades and volume per month and channel of circulation


@dataclass(frozen=True)
class ReportFigures:
    year: int
    community: Community | None  # None: every community
    communities: list[CommunityYear]
    stories: list[Story]
    surveys: list[SurveyResults]  # closed in the year, under the anonymity rule
    survey_trends: list[Trend]  # template questions asked in this year and the two before
    seed_years: tuple[SeedYear, ...] = SEED_YEARS

    def channel_totals(self) -> dict[str, tuple[int, int]]:
        """Each channel of circulation's trades and volume over the year, every community."""
        found = {channel: (0, 0) for channel in CHANNELS}
        for item in self.communities:
            for month in item.channels:
                trades, volume = found.get(month.channel, (0, 0))
                found[month.channel] = (trades + month.trades, volume + month.volume)
        return found

    def total(self, name: str) -> int:
        """A figure summed over the communities: a `PeriodTotals` field, or one of
        CommunityYear's own."""
        return sum(getattr(item.totals, name) if hasattr(item.totals, name)
                   else getattr(item, name) for item in self.communities)

    @property
    def active_communities(self) -> int:
        """Communities with at least one trade in the year (the plan's 운영 개소)."""
        return sum(1 for item in self.communities if item.totals.trades > 0)


@dataclass(frozen=True)
class ReportRequest:
    """A report decided and authorised, in plain values, for another process."""

    db_path: str
    year: int
    community_code: str | None
    now: datetime


def check_year(year: int, now: datetime) -> None:
    if not 2000 <= year <= now.year + 1:
        raise DomainError("report_year_invalid", year=year)


async def report_request(db: Database, actor: Actor | None, year: int,
                         community_code: str | None, now: datetime) -> ReportRequest:
    """From chat, admins only; from the command line (actor None), anyone at the server."""
    if actor is not None and not actor.is_admin:
        raise DomainError("not_admin")
    check_year(year, now)
    if community_code is not None:
        async with db.read() as conn:
            if await community_rows.get_by_code(conn, community_code) is None:
                raise DomainError("community_not_found", code=community_code)
    return ReportRequest(db.path, year, community_code, now)


async def load_figures(conn: Connection, year: int, community_code: str | None,
                       now: datetime) -> ReportFigures:
    """The figures of a year, on one read connection (a snapshot: one committed state)."""
    if community_code is not None:
        row = await community_rows.get_by_code(conn, community_code)
        if row is None:
            raise DomainError("community_not_found", code=community_code)
        chosen: Community | None = Community.from_row(row)
        communities = [chosen]
    else:
        chosen = None
        communities = [Community.from_row(row) for row in await community_rows.list_all(conn)]
    period = year_period(year)
    held_until = min(period.end, to_db(now))  # a session later this year is not held yet
    through = Period("all", "0000-00", period.last_month, BEGINNING, period.end)
    years = []
    for community in communities:
        cumulative = await period_totals(conn, community.id, through)
        sessions = await report_rows.study_sessions(conn, community.id, period.start,
                                                    held_until)
        channels = [ChannelMonth(row["month"], row["channel"], row["trades"], row["volume"])
                    for row in await stats_rows.channel_months(
                        conn, community.id, period.first_month, period.last_month)]
        years.append(CommunityYear(
            community, await period_totals(conn, community.id, period), cumulative.trades,
            cumulative.volume, await period_months(conn, community.id, period),
            int(sessions["held"]), int(sessions["attendance"]), channels))
    rows = await story_rows.selected_between(conn, [c.id for c in communities],
                                             period.start, period.end)
    scope = chosen.id if chosen is not None else None
    surveys = {y: await year_results_on(conn, scope, y) for y in range(year - 2, year + 1)}
    return ReportFigures(year, chosen, years, [Story.from_row(row) for row in rows],
                         surveys[year], year_over_year(surveys))
