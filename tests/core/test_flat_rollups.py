"""What is kept beside the transfers so queries stay flat (migration 014): the members active
in each month, year and all time, and each account's last trade. Kept right under
corrections, checked by verify, and paid for per transfer without reading a month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.clock import ManualClock
from core.services import Services
from storage.bulk import seed_large_community
from storage.db import Database
from storage.timefmt import to_db
from tests.support import seed_community


async def pay(services, payer, payee_number, amount, key):
    view = await services.ledger.start_trade(
        payer, kind="pay", counterparty=f"#{payee_number}", amount=amount, memo=None,
        request_key=key)
    return (await services.ledger.confirm_pay(payer, view.request.id)).request.transfer_id


async def kept(services, sql: str, params=()) -> list[tuple]:
    async with services.db.read() as conn, conn.execute(sql, params) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def active(services) -> dict[str, int]:
    return dict(await kept(services, "SELECT period, SUM(members) FROM stats_active"
                                     " GROUP BY period HAVING SUM(members) <> 0"
                                     " ORDER BY period"))


async def test_corrections_take_members_out_of_each_period(services, clock):
    kim, lee, park, choi = await seed_community(services, members=4)
    clock._now = datetime(2026, 1, 20, 3, 0, tzinfo=UTC)
    await pay(services, lee, 3, 100, "a")           # 이 → 박, January
    clock._now = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    second = await pay(services, lee, 3, 200, "b")  # 이 → 박, March
    mistaken = await pay(services, kim, 4, 50, "c")  # 김 → 최, March
    assert await active(services) == {"2026": 4, "2026-01": 2, "2026-03": 4, "all": 4}
    lee_account = (await kept(services, "SELECT id FROM accounts WHERE membership_id = ?",
                              (lee.membership.id,)))[0][0]
    assert await kept(services, "SELECT period, trades FROM stats_members WHERE account_id = ?"
                      " ORDER BY period", (lee_account,)) == [
        ("2026", 2), ("2026-01", 1), ("2026-03", 1), ("all", 2)]

    await services.ledger.reverse(kim, mistaken, "잘못 보냄")  # their only trade: both go
    assert await active(services) == {"2026": 2, "2026-01": 2, "2026-03": 2, "all": 2}
    await services.ledger.reverse(kim, second, "중복")  # 이 and 박 still traded in January
    assert await active(services) == {"2026": 2, "2026-01": 2, "all": 2}
    assert await kept(services, "SELECT period, trades FROM stats_members WHERE account_id = ?"
                      " ORDER BY period", (lee_account,)) == [
        ("2026", 1), ("2026-01", 1), ("all", 1)]
    stats = await services.stats.for_coordinator(kim)
    assert (stats.this_year.trades, stats.this_year.active_members,
            stats.cumulative.active_members) == (1, 2, 2)
    assert (await services.verify()).ok


async def test_charges_count_and_the_community_account_does_not(services):
    kim, lee, _ = await seed_community(services, members=3)
    view = await services.ledger.start_trade(kim, kind="charge", counterparty="#2",
                                             amount=300, memo=None, request_key="c")
    await services.ledger.accept_charge(lee, view.request.id)
    assert await active(services) == {"2026": 2, "2026-03": 2, "all": 2}
    assert (await services.verify()).ok


async def test_verify_catches_corrupted_member_roll_ups(services):
    kim, lee, _ = await seed_community(services, members=3)
    await pay(services, lee, 1, 100, "a")
    assert (await services.verify()).ok
    async with services.db.write() as conn:
        await conn.execute("UPDATE stats_members SET trades = trades + 1 WHERE period = 'all'")
    problems = (await services.verify()).problems
    assert any("period all: statistics count 2 trades for account" in p
               and "the transfers hold 1" in p for p in problems)
    async with services.db.write() as conn:
        await conn.execute("UPDATE stats_members SET trades = trades - 1 WHERE period = 'all'")
        await conn.execute("UPDATE stats_active SET members = 5 WHERE period = '2026'")
    problems = (await services.verify()).problems
    assert problems == [f"community {kim.community.id} period 2026: statistics count 5 active"
                        " members but their trades show 2"]


async def test_verify_catches_corrupted_month_and_channel_roll_ups(services):
    kim, lee, _ = await seed_community(services, members=3)
    await pay(services, lee, 1, 100, "a")  # a pay with no post: 품 나눔 (labour)
    assert (await services.verify()).ok
    async with services.db.write() as conn:
        await conn.execute("UPDATE stats_channels SET trades = trades + 1")
    assert [p for p in (await services.verify()).problems if "labour" in p] == [
        f"community {kim.community.id} month 2026-03 labour: statistics count 2 trades but"
        " the transfers hold 1"]
    async with services.db.write() as conn:  # a channel nobody traded in, kept anyway
        await conn.execute("UPDATE stats_channels SET trades = trades - 1")
        await conn.execute("INSERT INTO stats_channels (community_id, month, channel, stripe,"
                           " trades, volume) VALUES (?, '2026-03', 'goods', 0, 0, 500)",
                           (kim.community.id,))
    assert [p for p in (await services.verify()).problems if "goods" in p] == [
        f"community {kim.community.id} month 2026-03 goods: statistics count 0 trades but"
        " the transfers hold 0"]


async def test_last_trade_is_kept_under_pay_charge_and_reversal(services, clock):
    kim, lee, park, choi = await seed_community(services, members=4)

    async def last_trades() -> dict[int, str | None]:
        return dict(await kept(services, "SELECT m.number, a.last_trade_at FROM accounts a"
                                         " JOIN memberships m ON m.id = a.membership_id"))

    start = clock.now()
    paid = await pay(services, lee, 3, 100, "a")
    assert await last_trades() == {1: None, 2: to_db(start), 3: to_db(start), 4: None}
    clock.advance(timedelta(hours=1))
    view = await services.ledger.start_trade(choi, kind="charge", counterparty="#3",
                                             amount=300, memo=None, request_key="c")
    clock.advance(timedelta(hours=1))
    await services.ledger.accept_charge(park, view.request.id)  # the time it was accepted
    charged = clock.now()
    assert await last_trades() == {1: None, 2: to_db(start), 3: to_db(charged),
                                   4: to_db(charged)}
    clock.advance(timedelta(days=2))
    await services.ledger.reverse(kim, paid, "중복")  # the parties, not the coordinator
    reversed_at = clock.now()
    assert await last_trades() == {1: None, 2: to_db(reversed_at), 3: to_db(reversed_at),
                                   4: to_db(charged)}
    clock._now = start - timedelta(days=1)  # a clock set back: the newest transfer still wins
    await pay(services, choi, 2, 10, "late")
    assert (await last_trades())[2] == to_db(reversed_at)
    entries, _ = await services.membership.directory(kim)
    assert [(e.number, e.last_active) for e in entries] == [
        (1, None), (2, reversed_at), (3, reversed_at), (4, charged)]
    assert (await services.verify()).ok


async def test_verify_catches_a_wrong_last_trade(services):
    kim, lee, _ = await seed_community(services, members=3)
    await pay(services, lee, 1, 100, "a")
    async with services.db.write() as conn:
        await conn.execute("UPDATE accounts SET last_trade_at = '2000-01-01 00:00:00'"
                           " WHERE membership_id = ?", (lee.membership.id,))
        await conn.execute("UPDATE accounts SET last_trade_at = '2000-01-01 00:00:00'"
                           " WHERE membership_id = 3")
    problems = (await services.verify()).problems
    assert len(problems) == 2
    assert any("last trade kept as 2000-01-01 00:00:00 but its newest transfer is from"
               f" {to_db(services.clock.now())}" in p for p in problems)
    assert any("but its newest transfer is from None" in p for p in problems)


async def _confirm_steps(services, payer, payee_number: int, key: str) -> int:
    """SQLite virtual-machine steps (in hundreds) of one Confirm, whole transaction."""
    view = await services.ledger.start_trade(payer, kind="pay", counterparty=f"#{payee_number}",
                                             amount=100, memo=None, request_key=key)
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    writer = services.db._writer.conn
    await writer.set_progress_handler(count, 100)
    try:
        await services.ledger.confirm_pay(payer, view.request.id)
    finally:
        await writer.set_progress_handler(None, 100)
    return steps


async def test_a_payment_costs_the_same_in_a_busy_month(tmp_path):
    """Confirm touches its rows by key: in a month where 1,300 members traded it does no more
    work than in a month where nobody did (it used to read the whole month's activity)."""
    path = tmp_path / "busy.db"
    database = Database(path)
    await database.open()
    await database.close()
    seed_large_community(path, code="big", members=2000, transfers=40_000, posts=0,
                         first_user_id=5000)  # spread over 2023–2025: ~1,100 a month
    clock = ManualClock(datetime(2024, 6, 15, 3, 0, tzinfo=UTC))
    services = await Services.open(path, clock=clock)
    try:
        busy_members = (await kept(services, "SELECT SUM(members) FROM stats_active"
                                             " WHERE period = '2024-06'"))[0][0]
        assert busy_members > 1200
        payer = await services.people.resolve("telegram", "5010", "회원11", "member11")
        busy = [await _confirm_steps(services, payer, 12 + n, f"busy{n}") for n in range(3)]
        clock._now = datetime(2027, 6, 15, 3, 0, tzinfo=UTC)  # a month nobody traded in
        quiet = [await _confirm_steps(services, payer, 22 + n, f"quiet{n}") for n in range(3)]
        assert min(busy) <= max(quiet) * 1.25, (busy, quiet)
        assert (await services.verify()).ok
    finally:
        await services.close()
