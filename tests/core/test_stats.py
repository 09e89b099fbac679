"""Statistics against a hand-computed fixture, exports, and the Hangul chart."""

from __future__ import annotations

import csv
import io
import warnings
from datetime import UTC, datetime, timedelta

import pytest
from matplotlib.ft2font import FT2Font
from openpyxl import load_workbook

from conversation.charts import hangul_font_path, stats_chart
from conversation.exports import csv_files, xlsx_workbook
from conversation.i18n import translator
from core.clock import ManualClock
from core.events import EventDraft
from core.services import Services
from tests.support import pay_at, seed_community


async def at(clock, moment):
    clock._now = moment


@pytest.fixture
async def history(tmp_path):
    """Trades in Seoul time across the new year, a reversal, a post and an attendance."""
    clock = ManualClock(datetime(2025, 6, 1, 1, 0, tzinfo=UTC))
    services = await Services.open(tmp_path / "stats.db", clock=clock)
    kim, lee, park, choi = await seed_community(services, members=4)

    async def pay(payer, number, amount, moment):
        return await pay_at(services, clock, payer, number, amount, moment)

    await pay(lee, 3, 1000, datetime(2025, 6, 10, 3, 0, tzinfo=UTC))
    await pay(park, 2, 500, datetime(2025, 6, 20, 3, 0, tzinfo=UTC))
    await pay(lee, 4, 300, datetime(2025, 12, 31, 14, 30, tzinfo=UTC))   # 23:30 KST, Dec
    await pay(choi, 2, 200, datetime(2025, 12, 31, 15, 30, tzinfo=UTC))  # 00:30 KST, Jan 1
    mistaken = await pay(lee, 3, 700, datetime(2026, 2, 15, 3, 0, tzinfo=UTC))
    await services.ledger.reverse(kim, mistaken.transfer.id, "중복")
    await at(clock, datetime(2026, 2, 20, 3, 0, tzinfo=UTC))
    await services.market.create_post(lee, kind="offer", category="goods", title="책 나눔",
                                      description="", price=None, photo_file_id=None)
    await at(clock, datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    event = await services.events.create(kim, EventDraft(
        kind="study", title="학당", starts_at=clock.now() + timedelta(days=1),
        ends_at=clock.now() + timedelta(days=1, hours=2)))
    await services.events.sign_up(park, event.event.id)
    await at(clock, event.event.starts_at)  # check-in opens a little before the start
    await services.events.check_in_member(kim, event.event.id, park.membership.id)
    yield services, kim
    await services.close()


async def test_figures_match_the_hand_computed_fixture(history):
    services, kim = history
    stats = await services.stats.for_coordinator(kim)
    assert stats.year == 2026
    assert (stats.last_year.trades, stats.last_year.volume, stats.last_year.active_members,
            stats.last_year.new_members, stats.last_year.posts,
            stats.last_year.attendance) == (3, 1800, 3, 4, 0, 0)
    assert (stats.this_year.trades, stats.this_year.volume, stats.this_year.active_members,
            stats.this_year.new_members, stats.this_year.posts,
            stats.this_year.attendance) == (1, 200, 2, 0, 1, 1)
    assert (stats.cumulative.trades, stats.cumulative.volume,
            stats.cumulative.active_members) == (4, 2000, 3)
    assert [(m.month, m.trades, m.volume) for m in stats.months_last_year] == [
        ("2025-06", 2, 1500), ("2025-12", 1, 300)]
    assert [(m.month, m.trades, m.volume) for m in stats.months_this_year] == [
        ("2026-01", 1, 200)]


async def test_only_coordinators_and_admins(history):
    services, kim = history
    member = await services.people.reload(2)
    with pytest.raises(Exception, match="not_coordinator"):
        await services.stats.for_coordinator(member)
    with pytest.raises(Exception, match="not_admin"):
        await services.stats.all_communities(kim)


async def test_csv_files_have_bom_and_the_right_columns(history):
    services, kim = history
    data = await services.stats.export(kim, datetime(2025, 1, 1, tzinfo=UTC),
                                       datetime(2027, 1, 1, tzinfo=UTC))
    files = csv_files(translator("ko"), data)
    assert sorted(files) == ["mapo-events.csv", "mapo-members.csv", "mapo-posts.csv",
                             "mapo-transfers.csv"]
    for content in files.values():
        assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(files["mapo-transfers.csv"].decode("utf-8-sig"))))
    assert rows[0] == ["거래 번호", "일시", "종류", "보낸 회원 번호", "보낸 사람", "받은 회원 번호",
                       "받은 사람", "금액", "메모", "되돌린 거래", "사유", "유통 경로"]
    assert len(rows) == 1 + 6  # five payments and one correction
    assert rows[4][1] == "2026-01-01 00:30"  # Seoul time
    assert rows[6][9] == "T5" and rows[6][10] == "중복"
    assert rows[5][11] == rows[6][11] == ""  # a reversed trade and its reversal: no channel
    members = list(csv.reader(io.StringIO(files["mapo-members.csv"].decode("utf-8-sig"))))
    assert len(members) == 1 + 4
    events = list(csv.reader(io.StringIO(files["mapo-events.csv"].decode("utf-8-sig"))))
    assert events[1][-2:] == ["1", "1"]  # signed up, attended


async def test_xlsx_holds_the_same_numbers(history):
    services, kim = history
    data = await services.stats.export(kim, datetime(2025, 1, 1, tzinfo=UTC),
                                       datetime(2027, 1, 1, tzinfo=UTC))
    workbook = load_workbook(io.BytesIO(xlsx_workbook(translator("ko"), data)))
    assert workbook.sheetnames == ["요약", "거래 내역", "회원 목록", "게시물", "일정"]
    summary = [[cell.value for cell in row] for row in workbook["요약"].iter_rows()]
    assert summary[1] == ["올해(2026년)", 1, 200, 2, 0, 1, 1]
    assert summary[2] == ["작년(2025년)", 3, 1800, 3, 4, 0, 0]
    assert summary[3] == ["누적", 4, 2000, 3, 4, 1, 1]
    assert workbook["거래 내역"].max_row == 7


async def test_chart_is_a_png_drawn_with_a_font_that_has_hangul(history):
    services, kim = history
    stats = await services.stats.for_coordinator(kim)
    tr = translator("ko")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = stats_chart(tr, stats)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    assert not [w for w in caught if "missing from font" in str(w.message).lower()]
    font = FT2Font(str(hangul_font_path()))
    labels = "".join([tr("Trades"), tr("Month"), tr("Last year ({year})"),
                      tr("This year ({year})"), tr("Volume ({unit})"), "마포 품앗이", "월"])
    hangul = {ch for ch in labels if "\uac00" <= ch <= "\ud7a3"}
    assert hangul and all(font.get_char_index(ord(ch)) for ch in hangul)
