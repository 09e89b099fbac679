"""`pumasi migrate-to-postgres --from FILE --to URL`: a SQLite community's data copied into
PostgreSQL, proven the same, and working there."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.cli import main
from core.clock import ManualClock
from core.events import EventDraft
from core.services import Services
from tests import postgres_support
from tests.support import START, seed_community


@pytest.fixture
def pg_url():
    admin, why = asyncio.run(postgres_support.server_url())
    if admin is None:
        postgres_support.skip_or_fail(why)
    url = asyncio.run(postgres_support.fresh_database(admin))
    yield url
    asyncio.run(postgres_support.release_database(url))


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
