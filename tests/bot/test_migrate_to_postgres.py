"""`pumasi migrate-to-postgres --from FILE --to URL`: a SQLite community's data copied into
PostgreSQL, proven the same, and working there."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.cli import main
from core.clock import ManualClock
from core.events import EventDraft
from core.services import Services
from storage.media import MediaRows
from tests.support import START, seed_community


async def _a_busy_sqlite_file(path) -> dict[str, int]:
    clock = ManualClock(START)
    services = await Services.open(path, clock=clock)
    try:
        kim, lee, park = await seed_community(services, members=3, floor=-10_000)
        for n, (payer, payee) in enumerate([(kim, "#2"), (lee, "#3"), (park, "#1")] * 3):
            view = await services.ledger.start_trade(payer, kind="pay", counterparty=payee,
                                                     amount=100 + n, memo="떡값",
                                                     request_key=f"p{n}")
            paid = await services.ledger.confirm_pay(payer, view.request.id)
            clock.advance(timedelta(days=11))
        await services.ledger.reverse(kim, paid.transfer.id, "잘못 보냄")
        await services.ledger.start_trade(lee, kind="charge", counterparty="#3", amount=500,
                                          memo=None, request_key="c1")  # left pending
        await services.market.create_post(lee, kind="offer", category="food",
                                          title="가래떡 나눔", description="설에 뽑은 떡",
                                          price=None, photo_file_id=None)
        closed = await services.market.create_post(park, kind="request", category="goods",
                                                   title="우산", description="",
                                                   price=300, photo_file_id=None)
        await services.market.close(park, closed.post.id)
        starts = clock.now() + timedelta(days=3)
        event = await services.events.create(kim, EventDraft(
            kind="study", title="품앗이 학당", starts_at=starts,
            ends_at=starts + timedelta(hours=2), capacity=10, fee=200))
        await services.events.sign_up(lee, event.event.id)
        await MediaRows(services.db).store("chart", b"\x89PNG", "image/png", now_ms=0,
                                           expires_ms=2**62, max_bytes=100, max_items=10)
        balances = {actor.membership.number: (await services.ledger.balance(actor)).balance
                    for actor in (kim, lee, park)}
    finally:
        await services.close()
    return balances


def test_a_community_is_copied_proven_and_goes_on_in_postgresql(pg_url, tmp_path, capsys):
    source = tmp_path / "pumasi.db"
    balances = asyncio.run(_a_busy_sqlite_file(source))
    assert main(["migrate-to-postgres", "--from", str(source), "--to", pg_url]) == 0
    out = capsys.readouterr().out
    assert "transfers: 11" in out  # 9 payments, a reversal, a fee and "copied: 4 accounts" in out

    async def go_on() -> None:
        services = await Services.open(pg_url, clock=ManualClock(START + timedelta(days=200)))
        try:
            kim = await services.people.resolve("telegram", "101", "회원101", "user101")
            lee = await services.people.resolve("telegram", "102", "회원102", "user102")
            assert (await services.ledger.balance(kim)).balance == balances[1]
            assert (await services.ledger.balance(lee)).balance == balances[2]
            found = await services.market.search(lee, "떡")
            assert [post.title for post in found.posts] == ["가래떡 나눔"]
            assert (await services.market.search(lee, "우산")).posts == []  # closed
            pending = await services.ledger.pending(lee)
            assert [view.request.amount for view in pending.views] == [500]
            view = await services.ledger.start_trade(kim, kind="pay", counterparty="#2",
                                                     amount=1, memo=None, request_key="new")
            paid = await services.ledger.confirm_pay(kim, view.request.id)
            assert paid.transfer.id == 12  # ids go on after the copied ones
            assert (await services.verify()).ok
            assert await MediaRows(services.db).count(now_ms=0) == 0  # images live minutes
        finally:
            await services.close()

    asyncio.run(go_on())


def test_a_database_that_is_not_empty_is_refused(pg_url, tmp_path, capsys):
    source = tmp_path / "pumasi.db"
    asyncio.run(_a_busy_sqlite_file(source))
    assert main(["migrate-to-postgres", "--from", str(source), "--to", pg_url]) == 0
    capsys.readouterr()
    assert main(["migrate-to-postgres", "--from", str(source), "--to", pg_url]) == 1
    assert "not empty" in capsys.readouterr().err
    assert main(["migrate-to-postgres", "--from", str(tmp_path / "none.db"),
                 "--to", pg_url]) == 1


async def _a_sqlite_file_with_a_shop(path) -> dict[str, int]:
    """A shop paid twice and refunded once, an expert and a selected story (migrations 015 and
    017): what the copy must carry beside the members' ledger."""
    from core.organisations import Profile

    services = await Services.open(path, clock=ManualClock(START))
    try:
        coordinator, owner, customer = await seed_community(services, floor=-50_000)
        shop, _ = await services.organisations.apply(
            owner, Profile(name="마포 떡집", share_percent=40, rounding=100))
        shop = (await services.organisations.decide(coordinator, shop.id, True)).organisation
        payments = []
        for key in ("k1", "k2"):
            preview = await services.merchant_pay.preview(customer, shop.id, "19,800원", key)
            await services.merchant_pay.confirm(customer, preview.id)
            payments.append(preview.id)
        await services.merchant_pay.refund(owner, payments[0])
        await services.experts.recommend(coordinator, "#3", "도시농업")
        story = await services.stories.nominate(customer, "떡집에서 품앗이로 떡을 샀어요", [])
        await services.stories.select(coordinator, story.id, "<b>우수사례</b>")
        return {"customer": (await services.ledger.balance(customer)).balance,
                "shop": (await services.organisations.staff_of(owner, shop.id)).balance}
    finally:
        await services.close()


def test_shops_experts_and_stories_are_copied_and_verified(pg_url, tmp_path, capsys):
    source = tmp_path / "pumasi.db"
    balances = asyncio.run(_a_sqlite_file_with_a_shop(source))
    assert balances == {"customer": -7_900, "shop": 7_900}
    assert main(["migrate-to-postgres", "--from", str(source), "--to", pg_url]) == 0
    out = capsys.readouterr().out
    for copied in ("organisations: 1", "merchant_payments: 2", "stats_channels: 1",
                   "experts: 1", "stories: 1", "transfers: 3"):
        assert copied in out

    async def go_on() -> None:
        services = await Services.open(pg_url, clock=ManualClock(START + timedelta(days=1)))
        try:
            customer = await services.people.resolve("telegram", "103", "회원103", "user103")
            owner = await services.people.resolve("telegram", "102", "회원102", "user102")
            assert (await services.ledger.balance(customer)).balance == balances["customer"]
            preview = await services.merchant_pay.preview(customer, 1, "10,000원", "k3")
            assert (await services.merchant_pay.confirm(customer, preview.id)).newly_decided
            shop = await services.organisations.staff_of(owner, 1)
            assert shop.balance == balances["shop"] + 4_000
            assert (await services.verify()).ok  # the channel roll-up went on from the copy
        finally:
            await services.close()

    asyncio.run(go_on())
