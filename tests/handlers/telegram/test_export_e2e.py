"""/export: the period it is given, or a clear answer of what is wrong with it."""

from __future__ import annotations

import csv
import io

from tests.conftest import KIM, LEE, PARK
from tests.support import open_community, texts

EXAMPLE = "/export 2026-01-01 2026-06-30"


async def community(harness):
    await open_community(harness, KIM, (LEE, PARK))
    await harness.send(LEE, "/pay #3 700 떡값")
    await harness.tap(LEE, harness.button_data(LEE, "보내기"))


def documents(calls):
    return [c for c in calls if c.method == "sendDocument"]


async def test_bad_or_partial_dates_say_what_is_wrong_and_export_nothing(harness):
    await community(harness)
    for command, problem in (
        ("/export 2026-01-01 2026-13-40", "“2026-13-40”은(는) 읽을 수 없는 날짜예요"),
        ("/export 2026-02-30 2026-03-01", "“2026-02-30”은(는) 읽을 수 없는 날짜예요"),
        ("/export 2026-01", "두 날짜를 YYYY-MM-DD 형식으로"),
        ("/export abc", "두 날짜를 YYYY-MM-DD 형식으로"),
        ("/export 2026-01-01 2026-06-30 2026-07-01", "두 날짜를 YYYY-MM-DD 형식으로"),
        ("/export 2026-06-30 2026-01-01", "첫날(2026-06-30)이 마지막 날(2026-01-01)보다 늦어요"),
    ):
        calls = await harness.send(KIM, command)
        assert not documents(calls), command
        assert problem in texts(calls) and EXAMPLE in texts(calls), command


async def test_without_dates_this_year_so_far_and_the_last_day_is_included(harness):
    await community(harness)
    calls = await harness.send(KIM, "/export")
    assert len(documents(calls)) == 5
    assert "2026-01-01부터 2026-03-02까지의 자료예요" in texts(calls)

    # The trade was made on 2026-03-02 (Seoul): a period ending that day holds it.
    calls = await harness.send(KIM, "/export 2026-03-02 2026-03-02")
    assert "2026-03-02부터 2026-03-02까지의 자료예요" in texts(calls)
    transfers = next(c.files for c in documents(calls) if "mapo-transfers.csv" in c.files)
    rows = list(csv.reader(io.StringIO(transfers["mapo-transfers.csv"].decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][8] == "떡값" and rows[1][2] == "보내기"
