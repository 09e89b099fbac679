"""The year's report against the statistics of a hand-computed fixture year: the PDF opens and
its text holds the Korean headings and the same figures as /stats, the XLSX holds the same
numbers, and the command line and /report write both files."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.cli import main
from conversation.flows.stats import stats_text
from conversation.i18n import translator
from conversation.limits import plain_text
from conversation.report_job import write_report
from core.clock import ManualClock
from core.events import EventDraft
from core.report import ReportRequest, load_figures
from core.services import Services
from tests.support import ADMIN, BotHarness, pay_at, seed_community

YEAR_END = datetime(2026, 12, 31, 6, 0, tzinfo=UTC)


async def at(clock, moment):
    clock._now = moment


@pytest.fixture
async def fixture_year(db_target):
    """Trades in 2025 and 2026 (one corrected), a member new in 2026, a study session
    attended, a selected story."""
    clock = ManualClock(datetime(2025, 6, 1, 1, 0, tzinfo=UTC))
    services = await Services.open(db_target, clock=clock)
    kim, lee, park, choi = await seed_community(services, members=4)

    async def pay(payer, number, amount, moment):
        return await pay_at(services, clock, payer, number, amount, moment)

    await pay(lee, 3, 1000, datetime(2025, 6, 10, 3, 0, tzinfo=UTC))
    await pay(park, 2, 500, datetime(2025, 6, 20, 3, 0, tzinfo=UTC))
    await pay(choi, 2, 2500, datetime(2026, 1, 5, 3, 0, tzinfo=UTC))
    await pay(lee, 4, 1200, datetime(2026, 2, 10, 3, 0, tzinfo=UTC))
    mistaken = await pay(lee, 3, 700, datetime(2026, 2, 15, 3, 0, tzinfo=UTC))
    await services.ledger.reverse(kim, mistaken.transfer.id, "중복")
    await at(clock, datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    event = await services.events.create(kim, EventDraft(
        kind="study", title="학당", starts_at=clock.now() + timedelta(days=1),
        ends_at=clock.now() + timedelta(days=1, hours=2)))
    await services.events.sign_up(park, event.event.id)
    await at(clock, event.event.starts_at)
    await services.events.check_in_member(kim, event.event.id, park.membership.id)
    newcomer = await services.people.resolve("telegram", "150", "새회원")
    await services.membership.join(newcomer, "mapo")  # new in 2026, no trade yet
    story = await services.stories.nominate(lee, "이웃끼리 김장을 함께 했어요", [])
    await services.stories.select(kim, story.id, "<b>우수사례</b>")
    await at(clock, YEAR_END)
    yield services, kim
    await services.close()


async def report_files(services, tmp_path, community: str | None = "mapo"):
    request = ReportRequest(services.db.path, 2026, community, YEAR_END)
    async with services.db.read() as conn:
        figures = await load_figures(conn, 2026, community, YEAR_END)
    return write_report(request, "ko", tmp_path, figures)


def pdf_text(source) -> str:
    reader = PdfReader(source if isinstance(source, io.BytesIO) else str(source))
    return "\n".join(page.extract_text() for page in reader.pages)


async def test_the_pdf_holds_the_korean_headings_and_the_figures_of_stats(fixture_year,
                                                                          tmp_path):
    services, kim = fixture_year
    stats = await services.stats.for_coordinator(kim)
    year = stats.this_year
    assert (year.trades, year.volume, year.active_members, year.new_members,
            year.attendance) == (2, 3700, 2, 1, 1)
    tr = translator("ko")
    shown = plain_text(stats_text(tr, stats))
    for figure in (f"거래 {year.trades}건", tr.amount(year.volume, "문"),
                   f"활동 회원 {year.active_members}명", f"새 회원 {year.new_members}명",
                   f"일정 참석 {year.attendance}명"):
        assert figure in shown  # what /stats says, the report must say too

    pdf, _ = await report_files(services, tmp_path)
    text = pdf_text(pdf)
    for heading in ("mapo 품앗이 2026년 성과 자료집", "2026년 주요 실적", "지역 품앗이별 실적",
                    "월별 거래 건수와 금액", "선정된 우수사례", "최근 3년간의 주요성과",
                    "지역품앗이 운영 (개소)", "누적 거래 건수"):
        assert heading in text, heading
    # trades, cumulative (2 in 2025 + 2), volume, active, new, sessions, attendance, attended
    row = " ".join(["mapo 품앗이", "2", "4", "3,700문", "2", "1", "1", "1", "1"])
    assert row in text
    assert "이웃끼리 김장을 함께 했어요" in text
    # the seed's three years beside this year's
    assert "누적 거래 건수 19,187 30,853 39,216 4" in text
    assert "거래 건수 8,501 11,666 8,363 2" in text


async def test_the_workbook_has_the_same_numbers(fixture_year, tmp_path):
    services, kim = fixture_year
    stats = await services.stats.for_coordinator(kim)
    _, xlsx = await report_files(services, tmp_path)
    book = load_workbook(xlsx, read_only=True)
    rows = [list(row) for row in book["communities"].iter_rows(values_only=True)]
    header = rows.index(next(r for r in rows if r[0] == "품앗이"))
    assert rows[header + 1] == ["mapo 품앗이", stats.this_year.trades, 4, stats.this_year.volume,
                                stats.this_year.active_members, stats.this_year.new_members,
                                1, 1, stats.this_year.attendance]
    months = {row[0]: row[1:] for row in book["months"].iter_rows(values_only=True)}
    assert months["1월"] == (1, 2500) and months["2월"] == (1, 1200)
    seed = [list(row) for row in book["three_years"].iter_rows(values_only=True)]
    assert ["누적 거래 건수", 19187, 30853, 39216, 4] in seed
    stories = [list(row) for row in book["stories"].iter_rows(values_only=True)]
    assert any(row[:2] == ["mapo 품앗이", "회원102"] for row in stories)
    book.close()


async def test_the_command_line_writes_both_files(fixture_year, tmp_path, monkeypatch, capsys):
    services, _ = fixture_year
    monkeypatch.setenv("PUMASI_DB", services.db.path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    out = tmp_path / "out"
    assert await _cli("report", "--year", "2026", "--out", str(out)) == 0
    written = sorted(path.name for path in out.iterdir())
    assert written == ["pumasi-report-2026-all.pdf", "pumasi-report-2026-all.xlsx"]
    assert "모든 지역 품앗이 2026년 성과 자료집" in pdf_text(out / written[0])
    assert str(out / written[0]) in capsys.readouterr().out
    assert await _cli("report", "--year", "2026", "--community", "nope", "--out",
                      str(out)) == 1


async def _cli(*args) -> int:
    import asyncio

    return await asyncio.to_thread(main, list(args))


async def test_report_in_chat_is_for_admins(db_target, clock):
    harness = await BotHarness.start(db_target, clock)
    try:
        await seed_community(harness.services, members=2)
        from tests.conftest import KIM

        refused = await harness.send(KIM, "/report 2026")
        assert "재단" in "\n".join(call.text for call in refused)
        calls = await harness.send(ADMIN, "/report 2026")
        documents = [call for call in calls if call.method == "sendDocument"]
        assert len(documents) == 2
        pdf = next(content for call in documents for name, content in call.files.items()
                   if name.endswith(".pdf"))
        assert "모든 지역 품앗이 2026년 성과 자료집" in pdf_text(io.BytesIO(pdf))
    finally:
        await harness.stop()
