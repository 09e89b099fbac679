"""Many members paying at once: transfers per second with group commit, against the raw
durable floor of SQLite measured in the same run, and fsyncs per transfer.

    .venv/bin/python bench/concurrent_pay.py [--members 2000] [--flows 200] [--rounds 5]
        [--no-strace]

Each round, `flows` different members each send `/pay #N 100` and tap Confirm, all at once,
through python-telegram-bot's `process_update` (the whole bot: adapter, conversation,
ledger, storage) with a zero-latency fake Bot API. Transfers/s = committed transfers over
the wall time of the rounds.

The raw durable floor: one plain sqlite3 connection on a file in the same folder, WAL and
synchronous=FULL as the bot uses, committing one small row per transaction as fast as it
can: the commits per second this disk allows one writer. Target: the bot's transfers/s at
least 30% of it.

fsyncs per transfer: the rounds are run again in a child process under
`strace -f -c -e trace=fsync,fdatasync` (when strace is installed), and the fsync and
fdatasync calls it counts are divided by the transfers made there (the strace run is slower,
so its own throughput is not reported). Target: < 0.5. Also printed without strace: commits
per transfer, from the database's own counters.

And the framework's floor for the same traffic: a bare python-telegram-bot echo answering two
messages per flow at the same concurrency. A transfer is CPU-bound in python-telegram-bot
(parsing each update and each Bot API answer) long before the disk matters, so on a disk with
fast fsyncs the share of the raw floor says more about the CPU than about the commits."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from trading import echo_application  # noqa: E402

from bot.app import build_application, close, prepare  # noqa: E402
from bot.fake_api import FakeBotApi  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.updates import FakeUser, UpdateFactory  # noqa: E402
from handlers.telegram.background import background_of  # noqa: E402
from storage.bulk import seed_large_community  # noqa: E402
from storage.db import Database  # noqa: E402

FIRST_USER_ID = 20_000_000


def raw_durable_commits_per_second(folder: Path, seconds: float = 2.0) -> float:
    path = folder / "raw-floor.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v INTEGER)")
    commits = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (v) VALUES (?)", (commits,))
        conn.execute("COMMIT")
        commits += 1
    elapsed = time.perf_counter() - started
    conn.close()
    return commits / elapsed


async def echo_pairs_per_second(flows: int, rounds: int) -> float:
    """The framework's own floor for the same traffic: a bare python-telegram-bot echo
    answering two messages per flow, `flows` at once, `rounds` times."""
    application, factory = await echo_application(check_limits=False)
    started = time.perf_counter()
    for _ in range(rounds):
        await asyncio.gather(*(
            _echo_pair(application, factory, user(number)) for number in range(2, flows + 2)))
    elapsed = time.perf_counter() - started
    await application.shutdown()
    return flows * rounds / elapsed


async def _echo_pair(application, factory: UpdateFactory, who: FakeUser) -> None:
    await application.process_update(factory.message(who, "hi"))
    await application.process_update(factory.message(who, "there"))


def user(number: int) -> FakeUser:
    return FakeUser(FIRST_USER_ID + number - 1, f"회원{number}", f"member{number}")


async def one_flow(application, api: FakeBotApi, factory: UpdateFactory, payer: int,
                   payee: int) -> bool:
    """/pay then Confirm for one member; True if a transfer was committed."""
    who = user(payer)
    await application.process_update(factory.message(who, f"/pay #{payee} 100 bench"))
    confirm = next((data for call in reversed(api.sent_to(who.id))
                    for _label, data in call.buttons if data.startswith("pay:ok:")), None)
    if confirm is None:
        return False
    await application.process_update(factory.callback(who, confirm))
    return True


async def run_rounds(db_path: Path, members: int, flows: int, rounds: int) -> dict[str, float]:
    settings = Settings(telegram_token="1:bench", api_base_url="http://127.0.0.1:9/bot",
                        db_path=str(db_path), admin_telegram_ids=frozenset(), locale="ko")
    api = FakeBotApi(enforce_limits=False)
    application = build_application(settings, request=api)
    await application.initialize()
    await prepare(application)
    database = application.bot_data["services"].db
    factory = UpdateFactory(application.bot, first_message_id=time.time_ns() // 1000)
    await one_flow(application, api, factory, 2, 3)  # warm-up: imports, caches
    await background_of(application).finish()
    api.calls.clear()

    made = 0
    round_seconds: list[float] = []
    transactions_before, commits_before = database.commits
    started = time.perf_counter()
    for round_number in range(rounds):
        first = 2 + (round_number * flows) % (members - flows - 1)
        payers = range(first, first + flows)
        began = time.perf_counter()
        outcomes = await asyncio.gather(*(
            one_flow(application, api, factory, payer, payer + 1 if payer < members else 2)
            for payer in payers))
        round_seconds.append(time.perf_counter() - began)
        made += sum(outcomes)
        await background_of(application).finish()  # payees' messages, outside the rounds
        api.calls.clear()
    elapsed = time.perf_counter() - started
    transactions, commits = database.commits
    report = await application.bot_data["services"].verify()
    await close(application)
    await application.shutdown()
    return {"transfers": made, "seconds": elapsed,
            "round_median": statistics.median(round_seconds),
            "transactions": transactions - transactions_before,
            "commits": commits - commits_before, "verify_ok": float(report.ok)}


def count_fsyncs(db_path: Path, members: int, flows: int, rounds: int) -> tuple[int, int] | None:
    """(fsync calls, transfers) of the same rounds run in a child under strace."""
    if shutil.which("strace") is None:
        return None
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "bench.db"
        shutil.copy(db_path, copy)
        summary = Path(scratch) / "strace.txt"
        child = subprocess.run(
            ["strace", "-f", "-c", "-e", "trace=fsync,fdatasync", "-o", str(summary),
             sys.executable, __file__, "--child", str(copy), "--members", str(members),
             "--flows", str(flows), "--rounds", str(rounds)],
            capture_output=True, text=True, check=True)
        transfers = int(re.search(r"transfers=(\d+)", child.stdout).group(1))
        calls = 0
        for line in summary.read_text().splitlines():
            fields = line.split()
            if fields and fields[-1] in ("fsync", "fdatasync"):
                calls += int(fields[3])
        return calls, transfers


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--flows", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-strace", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        figures = await run_rounds(Path(args.child), args.members, args.flows, args.rounds)
        print(f"transfers={int(figures['transfers'])}")
        return

    folder = Path(tempfile.mkdtemp(prefix="pumasi-concurrent-"))
    db_path = folder / "bench.db"
    database = Database(db_path)
    await database.open()
    await database.close()
    seed_large_community(db_path, code="busy", members=args.members, transfers=0, posts=0,
                         first_user_id=FIRST_USER_ID)
    pristine = folder / "pristine.db"
    shutil.copy(db_path, pristine)

    floor = raw_durable_commits_per_second(folder)
    figures = await run_rounds(db_path, args.members, args.flows, args.rounds)
    echo_rate = await echo_pairs_per_second(args.flows, args.rounds)
    rate = figures["transfers"] / figures["seconds"]
    print(f"{args.flows} concurrent pay+confirm flows × {args.rounds} rounds,"
          f" {args.members:,} members, python-telegram-bot process_update, fake Bot API")
    print(f"raw durable floor (one sqlite3 writer, WAL, synchronous=FULL): {floor:,.0f} commits/s")
    print(f"bot: {int(figures['transfers']):,} transfers in {figures['seconds']:.2f} s ="
          f" {rate:,.0f} transfers/s = {rate / floor:.0%} of the floor (target ≥ 30%)")
    print(f"framework floor: a bare echo answers {echo_rate:,.0f} message pairs/s the same way;"
          f" the bot's transfers/s are {rate / echo_rate:.0%} of that")
    print(f"median round of {args.flows} flows: {figures['round_median'] * 1000:.0f} ms")
    print(f"write transactions {int(figures['transactions']):,}, commits"
          f" {int(figures['commits']):,}: {figures['commits'] / figures['transfers']:.3f}"
          f" commits per transfer")
    print(f"verify after the run: {'ok' if figures['verify_ok'] else 'FAILED'}")
    if not args.no_strace:
        counted = count_fsyncs(pristine, args.members, args.flows, args.rounds)
        if counted is None:
            print("fsyncs per transfer: strace is not installed; commits per transfer above")
        else:
            calls, transfers = counted
            print(f"fsyncs per transfer (strace, fsync+fdatasync): {calls:,} / {transfers:,} ="
                  f" {calls / transfers:.3f} (target < 0.5)")
    shutil.rmtree(folder, ignore_errors=True)
    os.sync()


if __name__ == "__main__":
    asyncio.run(main())
