"""The crash test on PostgreSQL with two driver processes at once on one database: the same
members, so they race on the same accounts and on the same pending charges (each takes up
charges left by earlier, killed runs, and accepts ones the other may be accepting). Each is
SIGKILLed at its own random moment, sometimes both at once. After every round nothing
acknowledged is lost, nothing is applied twice or half, and the ledger's invariants hold."""

from __future__ import annotations

import random
import time
from pathlib import Path

import asyncpg
import pytest

from core.services import Services
from tests.reliability.crash_driver import FIRST_USER_ID, MEMBERS
from tests.reliability.test_crash import (
    DOUBLED,
    HALF_APPLIED,
    TRANSFERS,
    Acknowledged,
    Driver,
    assert_verified,
    check_rows,
)
from tests.support import seed_community

pytestmark = pytest.mark.postgres_only

ROUNDS = 10
BOTH_AT_ONCE = 0.3  # share of rounds whose two kills land together
ROOT = Path(__file__).resolve().parents[2]


async def check_database(url: str, acknowledged: Acknowledged) -> None:
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            check_rows(acknowledged, *[await conn.fetch(query)
                                       for query in (TRANSFERS, DOUBLED, HALF_APPLIED)])
    finally:
        await conn.close()


def run_and_kill_two(url: str, run: int, rng: random.Random) -> tuple[list[str], str]:
    drivers = [Driver(url, f"r{run}{name}", rng.randrange(1 << 30)) for name in "ab"]
    try:
        for driver in drivers:
            driver.wait_ready()
        moments = sorted(rng.uniform(0.05, 0.5) for _ in drivers)
        if rng.random() < BOTH_AT_ONCE:
            moments = [moments[0], moments[0]]
        rng.shuffle(drivers)  # which one dies first
        started = time.monotonic()
        lines: list[str] = []
        for driver, moment in zip(drivers, moments, strict=True):
            time.sleep(max(0.0, moment - (time.monotonic() - started)))
            lines += driver.kill()
    finally:
        for driver in drivers:
            if driver.process.poll() is None:
                driver.process.kill()
                driver.process.wait(30)
    plan = "both at once" if moments[0] == moments[1] else "one, then the other"
    return lines, plan


async def test_two_processes_sigkilled_at_random_moments(db_target, record_property):
    url = str(db_target)
    services = await Services.open(url)
    try:
        await seed_community(services, "crash", members=MEMBERS, floor=-20_000,
                             ceiling=20_000, first_user_id=FIRST_USER_ID)
    finally:
        await services.close()
    rng = random.Random(20261126)
    acknowledged = Acknowledged()
    plans: list[str] = []
    started = time.monotonic()
    for run in range(ROUNDS):
        lines, plan = run_and_kill_two(url, run, rng)
        plans.append(plan)
        acknowledged.take(lines)
        await check_database(url, acknowledged)
        await assert_verified(url)
    assert len(acknowledged) > 5 * ROUNDS  # the kills landed among real work
    together = plans.count("both at once")
    record_property("summary", (
        f"postgres crash test: {ROUNDS} rounds of two processes ({together} killed"
        f" together, {ROUNDS - together} one after the other), {len(acknowledged)}"
        f" acknowledged transfers all present exactly once ({acknowledged.again} settles"
        f" lost a race and were answered with the winner's transfer),"
        f" {time.monotonic() - started:.1f} s"))
