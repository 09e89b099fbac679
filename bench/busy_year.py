"""A database that looks like a busy year, built once and reused, and the read commands
measured on it against a bare python-telegram-bot echo in the same run.

    .venv/bin/python bench/busy_year.py [--members 100000] [--transfers 5000000]
        [--posts 100000] [--runs 300] [--actor-cache both|on|off] [--build-only]

The database: one community of `members` members who made `transfers` payments evenly over
the last 365 days (so this month is busy and nearly everyone traded in it), `posts` open
posts, the statistics roll-ups as the bot keeps them. It is written to
bench/.cache/busy-m<members>-t<transfers>-p<posts>-<YYYY-MM>.db (the month: "this month"
has to be now) and reused while its bench_meta table matches; other benches take it with
--db (bench/trading.py --db PATH).

The reads: sessions of one member each, sending /balance, /history, /market with a word
that matches nothing and /market with one that matches about one post in twenty, in a
random order (a person taps a few things in a row: with the actor cache the first update of
a session loads who they are, the later ones do not). Prints median and p99 in ms and the
median's ratio to the echo's; target: ≤ 3× the echo, p99 < 10 ms.

A second baseline, "mirror": a bare python-telegram-bot handler that sends back exactly the
reply the bot gave to that read (its text and buttons), with no database and no logic. The
echo's one-word reply costs python-telegram-bot far less than a page of ten statement lines
with its buttons (each answer is parsed back into a Message, every button an object): the
ratio to the mirror is what the bot itself adds.

The fake Bot API (for the bot and the echo alike) does not check each message against
Telegram's limits unless --check-limits: that check parses the message's HTML, about
0.15 ms for a statement, work the test double does and the real bot never does."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from trading import FIRST_USER_ID, echo_application, percentile, timed  # noqa: E402

from bot.app import build_application, close, prepare  # noqa: E402
from bot.fake_api import FakeBotApi  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.updates import FakeUser, UpdateFactory  # noqa: E402
from core.services import Services  # noqa: E402
from handlers.telegram.common import SERVICES_KEY  # noqa: E402
from storage.busy_year import read_meta, seed_busy_year, write_meta  # noqa: E402
from storage.db import Database  # noqa: E402

CACHE = BENCH / ".cache"
NO_MATCH = "우주선"  # in no title or description
MANY = "김치"  # one of storage.bulk.WORDS: about one post in twenty
READS = ("/balance", "/history", f"/market {NO_MATCH}", f"/market {MANY}")


def params_of(members: int, transfers: int, posts: int) -> dict[str, str]:
    month = datetime.now(UTC).strftime("%Y-%m")
    return {"members": str(members), "transfers": str(transfers), "posts": str(posts),
            "month": month, "first_user_id": str(FIRST_USER_ID), "kind": "busy_year"}


async def _migrate(path: Path) -> None:
    database = Database(path)
    await database.open()
    await database.close()


def busy_database(members: int, transfers: int, posts: int, folder: Path = CACHE) -> Path:
    """The database for these figures: reused if it was built, else built now (printed)."""
    params = params_of(members, transfers, posts)
    path = folder / f"busy-m{members}-t{transfers}-p{posts}-{params['month']}.db"
    if path.exists() and read_meta(path) == params:
        print(f"reusing {path} ({path.stat().st_size / 1e6:,.0f} MB)")
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    print(f"building {members:,} members, {transfers:,} transfers, {posts:,} posts …",
          flush=True)
    started = time.perf_counter()
    asyncio.run(_migrate(partial))
    seed_busy_year(partial, members=members, transfers=transfers, posts=posts,
                   now=datetime.now(UTC), first_user_id=FIRST_USER_ID)
    write_meta(partial, params)
    os.replace(partial, path)  # only a finished build is ever reused
    print(f"built {path} in {time.perf_counter() - started:,.1f} s"
          f" ({path.stat().st_size / 1e6:,.0f} MB)")
    return path


async def mirror_application(check_limits: bool):
    """An application answering each message with the reply held in `reply`."""
    from telegram import InlineKeyboardMarkup
    from telegram.ext import Application, MessageHandler, filters

    reply: dict[str, object] = {}

    async def mirror(update, context) -> None:
        await context.bot.send_message(update.effective_chat.id, reply["text"],
                                       parse_mode=reply.get("parse_mode"),
                                       reply_markup=reply.get("markup"))

    application = Application.builder().token("1:mirror").request(
        FakeBotApi(enforce_limits=check_limits)).get_updates_request(FakeBotApi()).build()
    application.add_handler(MessageHandler(filters.TEXT, mirror))
    await application.initialize()

    def hold(params: dict) -> None:
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        reply["text"] = params.get("text") or "…"
        reply["parse_mode"] = params.get("parse_mode")
        reply["markup"] = (InlineKeyboardMarkup.de_json(markup, application.bot)
                           if markup and "inline_keyboard" in markup else None)

    return application, UpdateFactory(application.bot), hold


async def read_bench(db_path: Path, members: int, runs: int, actor_cache: bool,
                     check_limits: bool = False, seed: int = 7) -> None:
    rng = random.Random(seed)
    settings = Settings(telegram_token="1:bench", api_base_url="http://127.0.0.1:9/bot",
                        db_path=str(db_path), admin_telegram_ids=frozenset(), locale="ko")
    api = FakeBotApi(enforce_limits=check_limits)
    application = build_application(settings, request=api)
    application.bot_data[SERVICES_KEY] = await Services.open(
        db_path, admins=settings.admins, actor_cache=10_000 if actor_cache else 0)
    await application.initialize()
    await prepare(application)
    factory = UpdateFactory(application.bot, first_message_id=time.time_ns() // 1000)
    echo_app, echo_factory = await echo_application(check_limits)
    mirror_app, mirror_factory, hold = await mirror_application(check_limits)

    try:
        def someone() -> FakeUser:
            number = rng.randrange(2, members + 1)
            return FakeUser(FIRST_USER_ID + number - 1, f"회원{number}", f"member{number}")

        for _ in range(30):  # warm-up: SQLite's page cache, the code paths
            user = someone()
            for text in READS:
                await timed(application, [factory.message(user, text)])
            await timed(echo_app, [echo_factory.message(someone(), "hello")])
        services: Services = application.bot_data[SERVICES_KEY]
        cache = services.people.cache
        hits, misses = (cache.hits, cache.misses) if cache else (0, 0)
        results: dict[str, list[float]] = {name: [] for name in ("echo", *READS)}
        mirrored: dict[str, list[float]] = {name: [] for name in READS}
        for _ in range(runs):
            user = someone()
            for text in rng.sample(READS, len(READS)):
                results["echo"].append(await timed(echo_app, [echo_factory.message(someone(),
                                                                                   "hi")]))
                results[text].append(await timed(application, [factory.message(user, text)]))
                hold(next(call for call in reversed(api.calls)
                          if call.method == "sendMessage").params)
                mirrored[text].append(await timed(mirror_app, [mirror_factory.message(
                    someone(), "hi")]))
            api.calls.clear()

        echo = statistics.median(results["echo"])
        title = "with the actor cache" if actor_cache else "without the actor cache"
        if cache:
            title += (f" ({cache.hits - hits:,} hits, {cache.misses - misses:,} misses:"
                      " a session's first update misses)")
        checked = ("the fake API checking limits" if check_limits
                   else "no limit checks in the fake API")
        print(f"\n{title}, {runs} sessions of {len(READS)} reads, {checked}")
        print(f"{'':22} {'median ms':>10} {'p99 ms':>8} {'× echo':>8} {'mirror ms':>10}"
              f" {'× mirror':>9}  target")
        for name, samples in results.items():
            median = statistics.median(samples)
            target = "baseline" if name == "echo" else "≤ 3× echo, p99 < 10 ms"
            mirror = (f"{statistics.median(mirrored[name]):10.2f}"
                      f" {median / statistics.median(mirrored[name]):9.2f}"
                      if name in mirrored else f"{'':10} {'':9}")
            print(f"{name:22} {median:10.2f} {percentile(samples, 0.99):8.2f} "
                  f"{median / echo:8.2f} {mirror}  {target}")
    finally:  # or aiosqlite's threads keep the process alive after an error
        await close(application)
        await application.shutdown()
        await echo_app.shutdown()
        await mirror_app.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--transfers", type=int, default=5_000_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--actor-cache", choices=("both", "on", "off"), default="both")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--check-limits", action="store_true",
                        help="let the fake Bot API check every message (slower, not the bot's)")
    args = parser.parse_args()
    path = busy_database(args.members, args.transfers, args.posts)
    if args.build_only:
        return
    for on in {"both": (False, True), "on": (True,), "off": (False,)}[args.actor_cache]:
        asyncio.run(read_bench(path, args.members, args.runs, on, args.check_limits))


if __name__ == "__main__":
    main()
