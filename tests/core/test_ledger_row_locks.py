"""PostgreSQL: the ledger's hot path runs side by side (`transact(work, locks_rows=True)` takes
the database-wide write lock shared and locks its own rows), every other write still alone,
and the ledger's rules hold among the side-by-side ones (storage/postgres.py)."""

from __future__ import annotations

import asyncio
import random

import pytest

from storage.postgres import WRITE_LOCK
from tests.core.test_ledger_concurrency import outcome_of
from tests.support import seed_community

pytestmark = pytest.mark.postgres_only
GUARD = 30  # seconds: only so that a broken build fails instead of hanging


async def _waiting_for_the_write_lock(services) -> list[str]:
    """The modes of the write-lock requests not granted yet, oldest first."""
    async with services.db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT mode FROM pg_locks WHERE locktype = 'advisory' AND objid = ?"
            " AND NOT granted ORDER BY waitstart", (WRITE_LOCK,))
    return [row[0] for row in rows]


async def _until(condition) -> None:
    for _ in range(GUARD * 100):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


async def test_row_locking_transactions_run_beside_each_other_and_never_beside_others(services):
    kim, _, _ = await seed_community(services)
    db = services.db
    held = asyncio.Event()
    release = asyncio.Event()
    finished: list[str] = []

    async def long_ledger_work(conn):
        await conn.execute("SELECT 1")
        held.set()
        await release.wait()  # a test only: real work awaits nothing but the database
        finished.append("first")

    first = asyncio.create_task(db.transact(long_ledger_work, locks_rows=True))
    try:
        await _the_rest(services, kim, first, held, release, finished)
    finally:
        release.set()
        await asyncio.wait_for(first, GUARD)
    assert (await services.verify()).ok


async def _the_rest(services, kim, first, held, release, finished) -> None:
    db = services.db
    await asyncio.wait_for(held.wait(), GUARD)
    # A whole pay + confirm goes through while the first one is still open.
    view = await asyncio.wait_for(services.ledger.start_trade(
        kim, kind="pay", counterparty="#2", amount=500, memo=None, request_key="beside"), GUARD)
    done = await asyncio.wait_for(services.ledger.confirm_pay(kim, view.request.id), GUARD)
    assert done.newly_decided and not first.done()

    async def alone(conn):
        await conn.execute("UPDATE communities SET name = name")
        finished.append("alone")

    async def ledger_after(conn):
        finished.append("ledger after")

    exclusive = asyncio.create_task(db.transact(alone))
    await _until(lambda: _mode_is(services, ["ExclusiveLock"]))
    # A row-locking transaction asked for after it queues behind it (neither kind starves).
    queued = asyncio.create_task(db.transact(ledger_after, locks_rows=True))
    await _until(lambda: _mode_is(services, ["ExclusiveLock", "ShareLock"]))
    assert finished == []
    release.set()
    await asyncio.wait_for(asyncio.gather(first, exclusive, queued), GUARD)
    assert finished == ["first", "alone", "ledger after"]


async def _mode_is(services, modes: list[str]) -> bool:
    return await _waiting_for_the_write_lock(services) == modes


async def test_settlements_racing_at_the_floor_in_one_process_stop_exactly_there(services):
    actors = await seed_community(services, members=12, floor=-1000)
    kim = actors[0]
    previews = [await services.ledger.start_trade(kim, kind="pay", counterparty=f"#{n}",
                                                  amount=300, memo=None, request_key=f"k{n}")
                for n in range(2, 13)]
    outcomes = await asyncio.gather(*(outcome_of(services.ledger.confirm_pay(kim, v.request.id))
                                      for v in previews))
    assert len([o for o in outcomes if not isinstance(o, str)]) == 3
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["over_floor"] * 8
    assert (await services.ledger.balance(kim)).balance == -900
    assert (await services.verify()).ok


async def test_payments_both_ways_between_the_same_members_at_once_all_commit(services):
    """Every member paying every other at the same moment (so X pays Y while Y pays X), three
    rounds: every transfer commits once (no deadlock surfaces), the balances add up. (One
    payment per pair at a time: a newer preview to the same payee retires the older one.)"""
    actors = await seed_community(services, members=6, floor=-100_000)
    rng = random.Random(20261126)
    expected = {actor.membership.number: 0 for actor in actors}

    async def pay(key, payer, payee, amount):
        view = await services.ledger.start_trade(
            payer, kind="pay", counterparty=f"#{payee.membership.number}", amount=amount,
            memo=None, request_key=key)
        return await services.ledger.confirm_pay(payer, view.request.id)

    for round_ in range(3):
        flows = [(payer, payee, rng.randrange(1, 50) * 10)
                 for payer in actors for payee in actors if payer is not payee]
        rng.shuffle(flows)
        results = await asyncio.wait_for(asyncio.gather(*(
            pay(f"{round_}-{n}", *flow) for n, flow in enumerate(flows))), GUARD)
        assert all(result.newly_decided for result in results)
        assert len({result.transfer.id for result in results}) == len(flows)
        for payer, payee, amount in flows:
            expected[payer.membership.number] -= amount
            expected[payee.membership.number] += amount
    for actor in actors:
        assert (await services.ledger.balance(actor)).balance == expected[
            actor.membership.number]
    # The month's roll-up is spread over stripes (so these did not queue on one row), and
    # read back whole: verify compares its sum with the transfers.
    async with services.db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT COUNT(*), SUM(trades) FROM stats_months")
    assert rows[0][0] > 1 and rows[0][1] == 3 * len(flows)
    assert (await services.verify()).ok


async def test_two_previews_to_the_same_payee_opened_at_once_leave_one_to_confirm(services):
    """The same payment sent twice at the same moment (two messages, two keys): the newer
    preview retires the older one as when they come one after the other, so confirming both
    pays once. (Retiring decides on a row the other transaction has not committed yet: the
    payer's previews are opened one at a time.)"""
    kim, _, _ = await seed_community(services)
    for round_ in range(10):
        views = await asyncio.wait_for(asyncio.gather(*(services.ledger.start_trade(
            kim, kind="pay", counterparty="#2", amount=100, memo=None,
            request_key=f"twice-{round_}-{n}") for n in range(2))), GUARD)
        outcomes = [await outcome_of(services.ledger.confirm_pay(kim, view.request.id))
                    for view in views]
        assert sorted(o if isinstance(o, str) else "paid" for o in outcomes) == [
            "paid", "preview_expired"], round_
    assert (await services.ledger.balance(kim)).balance == -1000
    assert (await services.verify()).ok
