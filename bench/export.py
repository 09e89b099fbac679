"""/export of a big community while other members ask for their balance:

    .venv/bin/python bench/export.py [--transfers 1000000] [--db PATH] [--no-tracemalloc]

Builds (or reuses, when PATH already holds it) a community of 10,000 members and N transfers
with storage/bulk.py, spread over 2023–2025, then, in a fresh interpreter each (so the build's
memory does not count):

1. the idle bot's /balance: p50/p99 of 200 calls through the real Telegram path (the
   application, python-telegram-bot, a Bot API stand-in that answers at once);
2. `/export 2023-01-01 2025-12-31` (every transfer) by the coordinator, through the same path,
   while 4 members each send /balance, wait 20 ms and send it again until the export is done:
   the export's wall time, the bot process's RSS before and its peak during (VmHWM), the
   documents sent and their sizes, and the p50/p99/max of the /balance calls made meanwhile;
   The export runs in a child process (conversation/export_job.py): its own peak RSS is
   reported too (getrusage of the children);
3. the export's own work (what the child runs) under tracemalloc in a fresh interpreter: the
   peak of Python's allocations (tracemalloc slows Python down: that run's time is not a
   figure of the export).

Targets (the issue): peak memory < 200 MB, and the p99 of members' /balance during the
export < 50 ms."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_application, close, prepare  # noqa: E402
from bot.fake_api import ApiCall, FakeBotApi  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.updates import FakeUser, UpdateFactory  # noqa: E402
from storage.bulk import seed_large_community  # noqa: E402
from storage.db import Database  # noqa: E402

CODE = "big"
MEMBERS = 10_000
FIRST_USER = 1_000_000
COORDINATOR = FakeUser(FIRST_USER, "회원1", "member1")
BALANCE_CALLERS = 4
PAUSE = 0.02


def status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def rss_mb() -> float:
    return status_mb("VmRSS")


def reset_peak_rss() -> None:
    """Start the kernel's high-water mark of this process's RSS (VmHWM) again from now."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")


def max_rss_mb() -> float:
    """The process's peak RSS (VmHWM; getrusage's ru_maxrss of a living process lags)."""
    return status_mb("VmHWM")


class SinkApi(FakeBotApi):
    """Answers like the fake Bot API, but reads an uploaded document the way an HTTP client
    sends it, 64 KB at a time, letting the event loop run between blocks, and keeps only its
    size; keeps no other call either."""

    def __init__(self) -> None:
        super().__init__()
        self.documents: list[tuple[str, int]] = []

    async def do_request(self, url: str, method: str, request_data: Any = None,
                         **kwargs: Any) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        if name != "sendDocument" or request_data is None:
            answer = await super().do_request(url, method, request_data, **kwargs)
            self.calls.clear()
            return answer
        for filename, content, _ in request_data.multipart_data.values():
            size = 0
            if isinstance(content, bytes):
                size = len(content)
            else:
                while block := content.read(1 << 16):
                    size += len(block)
                    await asyncio.sleep(0)  # as a network upload does, between blocks
            self.documents.append((filename, size))
        call = ApiCall(name, dict(request_data.parameters))
        result = self._message(call, next(self._message_ids))
        return 200, json.dumps({"ok": True, "result": result}).encode()


def built(path: Path, transfers: int) -> bool:
    if not path.exists():
        return False
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT COUNT(*) FROM transfers t JOIN communities c"
                           " ON c.id = t.community_id WHERE c.code = ?", (CODE,)).fetchone()
        return row is not None and row[0] == transfers
    except sqlite3.Error:
        return False
    finally:
        conn.close()


async def build(path: Path, transfers: int) -> None:
    db = Database(path)
    await db.open()
    await db.close()
    seed_large_community(path, code=CODE, members=MEMBERS, transfers=transfers, posts=1000,
                         first_user_id=FIRST_USER)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def traced_export(path: Path) -> dict[str, Any]:
    """What the export's child process does, here, under tracemalloc."""
    import tempfile
    import tracemalloc

    from conversation.export_files import DOCUMENT_LIMIT
    from conversation.export_job import _run
    from conversation.i18n import TIMEZONE
    from core.services import Services

    services = await Services.open(path)
    request = await services.stats.export_request(
        None, datetime(2023, 1, 1, tzinfo=TIMEZONE), datetime(2026, 1, 1, tzinfo=TIMEZONE),
        community_code=CODE)
    await services.close()
    with tempfile.TemporaryDirectory() as folder:
        tracemalloc.start()
        began = time.perf_counter()
        await _run(Path(folder), request, "ko", DOCUMENT_LIMIT)
        seconds = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return {"traced_peak": peak, "seconds": seconds, "max_rss": max_rss_mb()}


async def measure(path: Path) -> dict[str, Any]:
    """One run in this (fresh) interpreter: the idle /balance, then the export with /balance
    calls alongside."""
    settings = Settings(telegram_token="1:bench", api_base_url="http://127.0.0.1:9/bot",
                        db_path=str(path), admin_telegram_ids=frozenset(), locale="ko")
    api = SinkApi()
    application = build_application(settings, request=api)
    await application.initialize()
    await prepare(application)
    factory = UpdateFactory(application.bot)
    rng = random.Random(7)

    async def balance() -> float:
        number = rng.randrange(2, MEMBERS + 1)
        user = FakeUser(FIRST_USER + number - 1, f"회원{number}", f"member{number}")
        began = time.perf_counter()
        await application.process_update(factory.message(user, "/balance"))
        return time.perf_counter() - began

    for _ in range(20):  # warm up: first queries, translations, caches
        await balance()
    idle = [await balance() for _ in range(200)]
    rss_before = rss_mb()
    reset_peak_rss()  # the peak of the export, not of the start-up
    during: list[float] = []
    done = asyncio.Event()

    async def member() -> None:
        while not done.is_set():
            during.append(await balance())
            await asyncio.sleep(PAUSE)

    began = time.perf_counter()
    callers = [asyncio.create_task(member()) for _ in range(BALANCE_CALLERS)]
    await application.process_update(factory.message(COORDINATOR,
                                                      "/export 2023-01-01 2025-12-31"))
    seconds = time.perf_counter() - began
    done.set()
    await asyncio.gather(*callers)
    peak = max_rss_mb()
    await close(application)
    await application.shutdown()
    return {"seconds": seconds, "rss_before": rss_before, "max_rss": peak,
            "child_max_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "documents": api.documents,
            "idle_p50": percentile(idle, 0.5), "idle_p99": percentile(idle, 0.99),
            "calls": len(during), "p50": percentile(during, 0.5),
            "p99": percentile(during, 0.99), "max": max(during)}


def run_child(path: Path, traced: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", str(path)]
    if traced:
        command.append("--traced")
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(transfers: int, plain: dict[str, Any], traced: dict[str, Any] | None) -> None:
    ms = 1000
    print(f"/export of {transfers:,} transfers (10,000 members), "
          f"{BALANCE_CALLERS} members sending /balance meanwhile")
    print(f"{'export wall time':44} {plain['seconds']:8.1f} s")
    print(f"{'RSS before the export':44} {plain['rss_before']:8.1f} MB")
    print(f"{'peak RSS of the bot process (VmHWM)':44} {plain['max_rss']:8.1f} MB"
          f"   target < 200 MB")
    print(f"{'peak RSS of the export process (getrusage)':44} {plain['child_max_rss']:8.1f} MB"
          f"   target < 200 MB")
    if traced is not None:
        print(f"{'tracemalloc peak during the export':44} {traced['traced_peak']:8.1f} MB"
              f"   (in-process, traced: {traced['seconds']:.0f} s, max RSS "
              f"{traced['max_rss']:.0f} MB)")
    print(f"{'/balance idle p50 / p99':44} {plain['idle_p50'] * ms:8.1f} / "
          f"{plain['idle_p99'] * ms:.1f} ms")
    print(f"{'/balance during the export p50 / p99 / max':44} {plain['p50'] * ms:8.1f} / "
          f"{plain['p99'] * ms:.1f} / {plain['max'] * ms:.1f} ms ({plain['calls']:,} calls)"
          f"   target p99 < 50 ms")
    for name, size in plain["documents"]:
        print(f"  sent {name:40} {size / 1e6:10.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transfers", type=int, default=1_000_000)
    parser.add_argument("--db", help="database file to build or reuse "
                        "(default /tmp/pumasi-bench-export-N.db)")
    parser.add_argument("--no-tracemalloc", action="store_true")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        run = traced_export if args.traced else measure
        print(json.dumps(asyncio.run(run(Path(args.measure)))))
        return
    path = Path(args.db or f"/tmp/pumasi-bench-export-{args.transfers}.db")
    if built(path, args.transfers):
        print(f"reusing {path} ({args.transfers:,} transfers)")
    else:
        started = time.monotonic()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        asyncio.run(build(path, args.transfers))
        print(f"built {path}: {MEMBERS:,} members, {args.transfers:,} transfers in "
              f"{time.monotonic() - started:.0f} s")
    plain = run_child(path, traced=False)
    traced = None if args.no_tracemalloc else run_child(path, traced=True)
    report(args.transfers, plain, traced)


if __name__ == "__main__":
    main()
