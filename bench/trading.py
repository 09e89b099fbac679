"""Latency of /balance, /history, /market search and pay+confirm on a large community,
against a bare python-telegram-bot echo handler measured in the same run.

    .venv/bin/python bench/trading.py [--members 10000] [--transfers 1000000] [--runs 400]
    .venv/bin/python bench/trading.py --db bench/.cache/busy-….db   (built by busy_year.py;
        pay+confirm adds up to --runs valid transfers to it)

Prints median and p99 in milliseconds (in-process, through Application.process_update with
a zero-latency fake Bot API) and the ratio of each median to the echo's. Targets: reads ≤ 3×
echo, p99 < 10 ms; pay+confirm ≤ 2× its floor, p99 < 25 ms. The floor is measured in the same
run: the echo pair (two updates through python-telegram-bot) plus two durable commits of a
raw sqlite3 connection (WAL, synchronous=FULL) on the same disk: what a pay and a confirm
cannot avoid."""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update  # noqa: E402
from telegram.ext import Application, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.app import build_application, close, prepare  # noqa: E402
from bot.fake_api import FakeBotApi  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.updates import FakeUser, UpdateFactory  # noqa: E402
from handlers.telegram.background import background_of  # noqa: E402
from storage.bulk import WORDS, seed_large_community  # noqa: E402
from storage.busy_year import read_meta  # noqa: E402
from storage.db import Database  # noqa: E402

FIRST_USER_ID = 10_000_000


def raw_durable_commit_ms(folder: Path, runs: int = 400) -> list[float]:
    """Milliseconds of one small durable commit by a plain sqlite3 connection, as the bot
    configures its file (WAL, synchronous=FULL)."""
    conn = sqlite3.connect(folder / "raw-commit.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v INTEGER)")
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (v) VALUES (?)", (n,))
        conn.execute("COMMIT")
        samples.append((time.perf_counter() - started) * 1000)
    conn.close()
    return samples


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def build_database(path: Path, members: int, transfers: int, posts: int) -> float:
    started = time.perf_counter()
    database = Database(path)
    await database.open()
    await database.close()
    seed_large_community(path, code="big", members=members, transfers=transfers, posts=posts,
                         first_user_id=FIRST_USER_ID)
    return time.perf_counter() - started


async def timed(application: Application, updates) -> float:
    started = time.perf_counter()
    for update in updates:
        await application.process_update(update)
    return (time.perf_counter() - started) * 1000


async def echo_application(check_limits: bool = True) -> tuple[Application, UpdateFactory]:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await context.bot.send_message(update.effective_chat.id, update.effective_message.text)

    application = Application.builder().token("1:echo").request(
        FakeBotApi(enforce_limits=check_limits)).get_updates_request(FakeBotApi()).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    await application.initialize()
    return application, UpdateFactory(application.bot)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--transfers", type=int, default=1_000_000)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--db", help="an existing bench database (bench/busy_year.py)")
    parser.add_argument("--check-limits", action="store_true",
                        help="the fake Bot API checks every message against Telegram's limits"
                             " (parses its HTML: test work the real bot never does)")
    args = parser.parse_args()
    rng = random.Random(7)

    if args.db:
        db_path = Path(args.db)
        meta = read_meta(db_path)
        args.members = int(meta.get("members", args.members))
        print(f"using {db_path}: {args.members:,} members, {meta.get('transfers', '?')}"
              f" transfers, {meta.get('posts', '?')} posts")
    else:
        folder = Path(tempfile.mkdtemp(prefix="pumasi-bench-"))
        db_path = folder / "bench.db"
        seconds = await build_database(db_path, args.members, args.transfers, args.posts)
        print(f"built {args.members:,} members, {args.transfers:,} transfers,"
              f" {args.posts:,} posts in {seconds:.1f} s ({db_path.stat().st_size / 1e6:.0f} MB)")

    settings = Settings(telegram_token="1:bench", api_base_url="http://127.0.0.1:9/bot",
                        db_path=str(db_path), admin_telegram_ids=frozenset(), locale="ko")
    api = FakeBotApi(enforce_limits=args.check_limits)
    application = build_application(settings, request=api)
    await application.initialize()
    await prepare(application)
    factory = UpdateFactory(application.bot, first_message_id=time.time_ns() // 1000)
    echo_app, echo_factory = await echo_application(args.check_limits)

    def user(number: int) -> FakeUser:
        return FakeUser(FIRST_USER_ID + number - 1, f"회원{number}", f"member{number}")

    def someone() -> FakeUser:
        return user(rng.randrange(2, args.members + 1))

    results: dict[str, list[float]] = {k: [] for k in (
        "echo", "/balance", "/history", "/market search", "echo pair", "pay+confirm")}
    for _ in range(20):  # warm-up
        await timed(application, [factory.message(someone(), "/balance")])
        await timed(echo_app, [echo_factory.message(someone(), "hello")])
    refused = 0
    for _ in range(args.runs):
        results["echo"].append(await timed(echo_app, [echo_factory.message(someone(), "hi")]))
        results["echo pair"].append(await timed(echo_app, [
            echo_factory.message(someone(), "hi"), echo_factory.message(someone(), "there")]))
        results["/balance"].append(await timed(application, [factory.message(someone(),
                                                                             "/balance")]))
        results["/history"].append(await timed(application, [factory.message(someone(),
                                                                             "/history")]))
        results["/market search"].append(await timed(application, [factory.message(
            someone(), f"/market {rng.choice(WORDS)}")]))
        payer = someone()
        payee = rng.randrange(2, args.members + 1)
        # Only the bot's two updates are timed, not the bench building the tap's update
        # (as the echo pair's updates are built before its timing starts).
        pay_ms = await timed(application, [factory.message(payer, f"/pay #{payee} 100 bench")])
        confirm = next((data for label, data in reversed(api.calls[-1].buttons)
                        if data.startswith("pay:ok:")), None)
        if confirm is None:  # refused by the rules (a payer at the floor): no sample
            refused += 1
            api.calls.clear()
            continue
        confirm_ms = await timed(application, [factory.callback(payer, confirm)])
        results["pay+confirm"].append(pay_ms + confirm_ms)
        await background_of(application).finish()  # the payee's message, outside the timing
        api.calls.clear()

    results["raw commit"] = raw_durable_commit_ms(db_path.parent)
    echo_median = statistics.median(results["echo"])
    floor = statistics.median(results["echo pair"]) + 2 * statistics.median(results["raw commit"])
    print(f"{'':16} {'median ms':>10} {'p99 ms':>8} {'ratio':>8}  target")
    for name, samples in results.items():
        median = statistics.median(samples)
        if name == "pay+confirm":
            ratio, target = f"{median / floor:7.2f}F", "≤ 2× floor (F), p99 < 25 ms"
        elif name.startswith("/"):
            ratio, target = f"{median / echo_median:7.2f}×", "≤ 3× echo, p99 < 10 ms"
        else:
            ratio, target = "", "baseline"
        print(f"{name:16} {median:10.2f} {percentile(samples, 0.99):8.2f} {ratio:>8}  {target}")
    print(f"floor F = echo pair + 2 raw durable commits = {floor:.2f} ms")

    if refused:
        print(f"({refused} payments refused by the rules, not timed)")
    report = await application.bot_data["services"].verify()
    print(f"verify after the run: {'ok' if report.ok else report.problems[:3]}")
    await close(application)
    await application.shutdown()
    await echo_app.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
