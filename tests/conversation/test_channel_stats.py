"""Trades by channel of circulation (물품거래, 품 나눔, 가맹점, 공공영역) in /stats and in the
export's summary sheet, kept as the transfers are written."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from conversation.exports import write_export, xlsx_workbook
from conversation.i18n import translator
from conversation.limits import plain_text
from core.events import EventDraft
from core.organisations import Profile
from tests.support import seed_community


async def _one_trade_of_each_channel(services, clock):
    """품 나눔 1,000 (T1), 물품거래 2,000 (T2), 가맹점 5,000 (T3), 공공영역 700 (T4)."""
    kim, lee, park = await seed_community(services)
    # 품 나눔: a payment with no post; 물품거래: paying for a food offer
    preview = await services.ledger.start_trade(lee, kind="pay", counterparty="#3",
                                                amount=1000, memo=None, request_key="a")
    await services.ledger.confirm_pay(lee, preview.request.id)
    post = await services.market.create_post(park, kind="offer", category="food",
                                             title="김치 나눔", description="", price=2000,
                                             photo_file_id=None)
    preview = await services.ledger.start_post_trade(lee, post_id=post.post.id, amount=None,
                                                     request_key="b")
    await services.ledger.confirm_pay(lee, preview.request.id)
    # 가맹점: a bill at park's shop; 공공영역: a programme of an institution
    shop, _ = await services.organisations.apply(park, Profile(name="떡집", share_percent=50))
    await services.organisations.decide(kim, shop.id, True)
    bill = await services.merchant_pay.preview(lee, shop.id, 10_000, "c")
    await services.merchant_pay.confirm(lee, bill.id)
    library = await services.organisations.register_institution(
        kim, Profile(name="도서관", rounding=10))
    starts = clock.now() + timedelta(days=2)
    event = await services.events.create(kim, EventDraft(
        kind="study", title="책 모임", starts_at=starts, ends_at=starts + timedelta(hours=1),
        fee=700, organisation_id=library.id))
    await services.events.sign_up(lee, event.event.id)
    return kim, lee, park, shop


async def test_stats_and_the_export_count_each_channel(harness, clock):
    services = harness.services
    kim, lee, park, _ = await _one_trade_of_each_channel(services, clock)
    report = await services.verify()
    assert report.ok, report.problems

    text = "\n".join(plain_text(c.text) for c in await harness.send(
        _user(101), "/stats") if c.text)
    assert "물품거래: 거래 1건 · 2,000문" in text
    assert "품 나눔: 거래 1건 · 1,000문" in text
    assert "가맹점: 거래 1건 · 5,000문" in text
    assert "공공영역: 거래 1건 · 700문" in text

    data = await services.stats.export(kim, clock.now() - timedelta(days=40),
                                       clock.now() + timedelta(days=1))
    book = load_workbook(io.BytesIO(xlsx_workbook(translator("ko"), data)))
    cells = [[cell for cell in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    month = clock.now().strftime("%Y-%m")
    assert [month, "가맹점", 1, 5000] in [list(row[:4]) for row in cells]
    assert [month, "공공영역", 1, 700] in [list(row[:4]) for row in cells]
    transfers = [row for row in book.worksheets[1].iter_rows(values_only=True)]
    assert any("떡집" in row and 5000 in row for row in transfers)  # the shop by its name


def _user(user_id: int):
    from bot.updates import FakeUser

    return FakeUser(user_id, f"회원{user_id}", f"user{user_id}")


def test_the_chart_shows_trades_and_volume_per_month_for_each_channel():
    from conversation.charts import hangul_fonts, stats_figure
    from core.models import Community
    from core.stats import ChannelMonth, CommunityStats, PeriodTotals

    community = Community(id=1, code="mapo", name="마포 품앗이", unit="문", credit_floor=0,
                          credit_ceiling=0, approval="auto", open_ledger=False)
    empty = PeriodTotals(0, 0, 0, 0, 0, 0)
    stats = CommunityStats(community, 2026, empty, empty, empty, [], [], channels_this_year=[
        ChannelMonth("2026-03", "merchant", 2, 7_900), ChannelMonth("2026-03", "public", 1, 700),
        ChannelMonth("2026-05", "merchant", 1, 4_000), ChannelMonth("2026-05", "goods", 3, 900)])
    tr = translator("ko")
    with hangul_fonts():
        figure = stats_figure(tr, stats)
    panels = {axes.get_ylabel(): axes for axes in figure.axes}
    for label, march, may in (("경로별 거래 (2026)", (0, 0, 2, 1), (3, 0, 1, 0)),
                              ("경로별 거래액 (2026, 문)", (0, 0, 7_900, 700),
                               (900, 0, 4_000, 0))):
        bars = {text.get_text(): list(container.datavalues) for text, container in zip(
            panels[label].get_legend().get_texts(), panels[label].containers, strict=True)}
        assert list(bars) == ["물품거래", "품 나눔", "가맹점", "공공영역"]
        assert tuple(values[2] for values in bars.values()) == march, label
        assert tuple(values[4] for values in bars.values()) == may, label


async def test_the_streamed_csv_names_each_transfers_channel(harness, clock, tmp_path):
    """The transfers CSV of /export and `pumasi export` carries the channel on each row, where
    the statistics count the transfer: a reversed trade, its reversal and a refunded shop
    payment count nowhere, so each channel's rows add up to its figures in /stats."""
    services = harness.services
    kim, lee, park, shop = await _one_trade_of_each_channel(services, clock)
    bill = await services.merchant_pay.preview(lee, shop.id, 4_000, "d")  # T5, refunded (T6)
    await services.merchant_pay.confirm(lee, bill.id)
    await services.merchant_pay.refund(park, bill.id)
    preview = await services.ledger.start_trade(lee, kind="pay", counterparty="#3",
                                                amount=300, memo=None, request_key="e")
    await services.ledger.confirm_pay(lee, preview.request.id)  # T7, reversed by T8
    await services.ledger.reverse(kim, 7, "잘못 보냄")
    period = (clock.now() - timedelta(days=40), clock.now() + timedelta(days=1))
    async with services.stats.export_stream(kim, *period, chunk=3) as stream:
        files = await write_export(translator("ko"), stream, tmp_path)
    path = next(file.path for file in files if file.name == "mapo-transfers.csv")
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    column = rows[0].index("유통 경로")
    assert [(row[0], row[column]) for row in rows[1:]] == [
        ("T1", "품 나눔"), ("T2", "물품거래"), ("T3", "가맹점"), ("T4", "공공영역"),
        ("T5", ""), ("T6", ""), ("T7", ""), ("T8", "")]
    # the same rule as the statistics' own view, on this engine
    async with services.db.read() as conn, conn.execute(
            "SELECT id, channel FROM stats_channel_trades ORDER BY id") as cursor:
        counted = {f"T{row[0]}": row[1] for row in await cursor.fetchall()}
    names = {"goods": "물품거래", "labour": "품 나눔", "merchant": "가맹점", "public": "공공영역"}
    assert {row[0]: row[column] for row in rows[1:] if row[column]} == {
        ident: names[channel] for ident, channel in counted.items()}
    english = translator("en")
    (tmp_path / "en").mkdir()
    async with services.stats.export_stream(kim, *period) as stream:
        files = await write_export(english, stream, tmp_path / "en")
    path = next(file.path for file in files if file.name == "mapo-transfers.csv")
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    assert rows[1][rows[0].index("Channel")] == "Sharing work (품 나눔)"
