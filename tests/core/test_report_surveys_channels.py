"""The year's report carries the survey results (under the anonymity rule, and the same
question side by side over the years) and the trades by channel of circulation, in the PDF
and in the XLSX alike, against a hand count."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from conversation.i18n import translator
from conversation.report_job import write_report
from core.clock import ManualClock
from core.organisations import Profile
from core.report import ReportRequest, load_figures
from core.services import Services
from core.survey_spec import from_yaml
from tests.core.test_report import pdf_text
from tests.support import seed_community

NAMED = """
title: 이웃 설문
anonymous: false
audience: all
questions:
  - kind: scale
    text: 이웃을 믿어요?
"""
ANONYMOUS = """
title: 비밀 설문
anonymous: true
audience: all
questions:
  - kind: scale
    text: 동네가 좋아요?
"""
YEAR_END = datetime(2026, 12, 31, 6, 0, tzinfo=UTC)


def _invitation(survey, community):
    return f"설문: {survey.title}", "답하기"


async def _survey(services, coordinator, members, spec: str, scores: list[int]) -> None:
    survey = await services.surveys.create(coordinator, from_yaml(spec))
    await services.surveys.send(coordinator, survey.id, _invitation)
    for member, score in zip(members, scores, strict=False):
        progress = await services.survey_answers.begin(member, survey.id)
        await services.survey_answers.answer(member, survey.id, progress.question.id,
                                             value=score)
    await services.surveys.close(coordinator, survey.id)


@pytest.fixture
async def year(db_target):
    clock = ManualClock(datetime(2025, 5, 1, 1, 0, tzinfo=UTC))
    services = await Services.open(db_target, clock=clock)
    coordinator, owner, lee, park = await seed_community(services, members=4)
    await _survey(services, coordinator, [owner, lee, park], NAMED, [2, 3, 4])  # 2025: 3.00
    clock._now = datetime(2026, 4, 1, 1, 0, tzinfo=UTC)
    await _survey(services, coordinator, [owner, lee, park], NAMED, [4, 5, 5])  # 2026: 4.67
    await _survey(services, coordinator, [lee, park], ANONYMOUS, [5, 1])  # 2 answers: hidden
    shop, _ = await services.organisations.apply(
        owner, Profile(name="마포 떡집", category="떡", share_percent=40, rounding=100))
    decided = await services.organisations.decide(coordinator, shop.id, True)
    bill = await services.merchant_pay.preview(lee, decided.organisation.id, 10_000, "bill")
    await services.merchant_pay.confirm(lee, bill.id)  # 4,000문 to the shop
    preview = await services.ledger.start_trade(park, kind="pay", counterparty="#3",
                                                amount=1500, memo=None, request_key="p")
    await services.ledger.confirm_pay(park, preview.request.id)  # 품 나눔: no post
    clock._now = YEAR_END
    yield services
    await services.close()


async def _files(services, tmp_path):
    async with services.db.read() as conn:
        figures = await load_figures(conn, 2026, "mapo", YEAR_END)
    request = ReportRequest(services.db.path, 2026, "mapo", YEAR_END)
    return figures, write_report(request, "ko", tmp_path, figures)


async def test_the_report_holds_the_surveys_and_the_channels(year, tmp_path):
    tr = translator("ko")
    figures, (pdf, xlsx) = await _files(year, tmp_path)
    assert figures.channel_totals() == {"goods": (0, 0), "labour": (1, 1500),
                                        "merchant": (1, 4000), "public": (0, 0)}
    text = " ".join(pdf_text(pdf).split())  # table cells wrap their words over lines
    for heading in (tr("Trades by channel of circulation"), tr("Survey results"),
                    tr("Survey answers over the years (mean of 5)")):
        assert heading in text, heading
    assert tr("Mean {mean} out of 5", mean="4.67") in text
    assert tr("fewer than 5 answers: not shown") in text
    assert "3.00 4.67" in text  # 이웃을 믿어요? in 2025 and 2026

    book = load_workbook(xlsx, read_only=True)
    channels = {row[0]: row[1:] for row in book["channels"].iter_rows(values_only=True)}
    assert channels[tr("Shops (가맹점)")] == (1, 4000)
    assert channels[tr("Sharing work (품 나눔)")] == (1, 1500)
    surveys = [list(row) for row in book["surveys"].iter_rows(values_only=True)]
    assert ["mapo 품앗이", "이웃 설문", "이웃을 믿어요?", 3,
            tr("Mean {mean} out of 5", mean="4.67")] in surveys
    assert ["mapo 품앗이", "비밀 설문", "동네가 좋아요?", 2,
            tr("fewer than 5 answers: not shown")] in surveys
    trends = [list(row) for row in book["survey_years"].iter_rows(values_only=True)]
    assert ["이웃을 믿어요?", None, "3.00", "4.67"] in trends
    book.close()


def images(source) -> int:
    return sum(len(page.images) for page in PdfReader(str(source)).pages)


async def test_the_report_charts_the_months_the_channels_and_the_communities(year, tmp_path):
    _, (pdf, _) = await _files(year, tmp_path)
    assert images(pdf) == 2  # per month, per channel; one community is no chart of its own
    await seed_community(year, "jongno", members=2, first_user_id=301)
    async with year.db.read() as conn:
        figures = await load_figures(conn, 2026, None, YEAR_END)
    request = ReportRequest(year.db.path, 2026, None, YEAR_END)
    pdf, _ = write_report(request, "ko", tmp_path, figures)
    assert images(pdf) == 3
