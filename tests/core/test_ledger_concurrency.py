"""The ledger's exactly-once and limit rules with two bot processes on one database: two
Services, each with its own connections and its own in-process locks, as two processes
have them (on PostgreSQL only the database's locks stand between them)."""

from __future__ import annotations

import asyncio

import pytest

from core.errors import DomainError
from core.services import Services
from tests.support import seed_community


@pytest.fixture
async def two_processes(db_target, clock):
    first = await Services.open(db_target, clock=clock)
    second = await Services.open(db_target, clock=clock)
    yield first, second
    await second.close()
    await first.close()


async def outcome_of(call):
    try:
        return await call
    except DomainError as error:
        return error.code


async def test_payments_racing_from_two_processes_stop_exactly_at_the_floor(two_processes):
    first, second = two_processes
    actors = await seed_community(first, members=8, floor=-1000)
    kim = actors[0]
    previews = [await first.ledger.start_trade(kim, kind="pay", counterparty=f"#{n}",
                                               amount=300, memo=None, request_key=f"k{n}")
                for n in range(2, 9)]
    outcomes = await asyncio.gather(*(
        outcome_of((first if i % 2 else second).ledger.confirm_pay(kim, view.request.id))
        for i, view in enumerate(previews)))
    paid = [o for o in outcomes if not isinstance(o, str)]
    assert len(paid) == 3  # 3 × 300 reaches -900; a fourth would cross -1000
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["over_floor"] * 4
    assert (await second.ledger.balance(kim)).balance == -900
    assert (await first.verify()).ok


async def test_one_request_confirmed_by_both_processes_commits_once(two_processes):
    first, second = two_processes
    kim, lee, _ = await seed_community(first)
    for round_ in range(5):
        view = await first.ledger.start_trade(kim, kind="pay", counterparty="#2", amount=100,
                                              memo=None, request_key=f"r{round_}")
        outcomes = await asyncio.gather(
            *(outcome_of(services.ledger.confirm_pay(kim, view.request.id))
              for services in (first, second, first, second)))
        committed = {o.transfer.id for o in outcomes if not isinstance(o, str)}
        assert len(committed) == 1, outcomes
    assert (await first.ledger.balance(kim)).balance == -500
    assert (await second.ledger.balance(lee)).balance == 500
    assert len((await first.ledger.history(lee)).entries) == 5
    assert (await second.verify()).ok


async def test_a_role_changed_by_one_process_is_seen_by_the_other_at_once(two_processes):
    """The actor cache of the second process never serves the role the first process took
    away (PostgreSQL: it looks at the actor version on every update; SQLite: within its
    recheck interval, here forced by asking again after it)."""
    first, second = two_processes
    kim, lee, _ = await seed_community(first)
    before = await second.people.resolve("telegram", "102", lee.person.display_name,
                                         lee.person.username)
    assert before.membership.status == "active"
    async with first.db.write() as conn:
        await conn.execute("UPDATE memberships SET status = 'suspended' WHERE id = ?",
                           (lee.membership.id,))
    cache = second.people.cache
    if cache is not None:
        cache._checked_at = None  # SQLite looks at most once a second; do not wait here
    after = await second.people.resolve("telegram", "102", lee.person.display_name,
                                        lee.person.username)
    assert after.membership.status == "suspended"


async def test_a_shop_bill_confirmed_and_refunded_from_two_processes_moves_once(two_processes):
    """The shop payments of migration 015 under the same rules: one bill paid once and given
    back once whichever process each tap reaches, and bills racing at the payer's floor stop
    exactly there."""
    from core.organisations import Profile

    first, second = two_processes
    coordinator, owner, customer = await seed_community(first, floor=-10_000)
    shop, _ = await first.organisations.apply(owner, Profile(name="마포 떡집",
                                                             share_percent=50, rounding=100))
    shop = (await second.organisations.decide(coordinator, shop.id, True)).organisation
    bill = await first.merchant_pay.preview(customer, shop.id, 8_000, "once")
    paid = await asyncio.gather(*(outcome_of(services.merchant_pay.confirm(customer, bill.id))
                                  for services in (first, second, first, second)))
    assert sorted(p.newly_decided for p in paid) == [False, False, False, True]
    refunded = await asyncio.gather(*(outcome_of(services.merchant_pay.refund(owner, bill.id))
                                      for services in (second, first, second, first)))
    assert sorted(r.newly_decided for r in refunded) == [False, False, False, True]
    assert (await first.ledger.balance(customer)).balance == 0

    previews = []  # four shops (one preview each: a newer one at a shop retires the older)
    for n in range(4):
        other, _ = await first.organisations.apply(owner, Profile(
            name=f"가게 {n}", share_percent=50, rounding=100))
        await first.organisations.decide(coordinator, other.id, True)
        previews.append(await (first if n % 2 else second).merchant_pay.preview(
            customer, other.id, 8_000, f"k{n}"))
    outcomes = await asyncio.gather(*(  # 4,000 each in currency: two reach -8,000
        outcome_of((first if i % 2 else second).merchant_pay.confirm(customer, p.id))
        for i, p in enumerate(previews)))
    assert sum(1 for o in outcomes if not isinstance(o, str)) == 2
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["over_floor"] * 2
    assert (await second.ledger.balance(customer)).balance == -8_000
    assert (await first.verify()).ok and (await second.verify()).ok
