"""Start-up with 100,000 pending reminders against an empty start, in the same run:

    .venv/bin/python bench/reminders.py [--reminders 100000] [--runs 3]

Each run starts `python -m bot run` (the real process, polling a Bot API emulator on
127.0.0.1) and measures the time from spawning it to its first getUpdates, and its resident
memory then. Targets (issue 3): < 2 s and within 1.5× of the empty start; < 150 MB."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.bulk import seed_pending_reminders  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.emulator import BotApiEmulator  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_once(db: Path, emulator: BotApiEmulator) -> tuple[float, float]:
    polls_before = len(emulator.poll_times)
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "1:bench", "PUMASI_DB": str(db),
           "TELEGRAM_API_BASE_URL": emulator.base_url, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while len(emulator.poll_times) <= polls_before:
            if process.poll() is not None:
                raise RuntimeError("the bot exited before polling")
            time.sleep(0.002)
        seconds = emulator.poll_times[polls_before] - started
        time.sleep(0.3)
        memory = rss_mb(process.pid)
    finally:
        process.kill()
        process.wait()
    return seconds, memory


async def make_databases(folder: Path, reminders: int) -> tuple[Path, Path]:
    empty, full = folder / "empty.db", folder / "full.db"
    for path in (empty, full):
        database = Database(path)
        await database.open()
        await database.close()
    seed_pending_reminders(full, count=reminders)
    return empty, full


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pumasi-reminders-"))
    empty, full = asyncio.run(make_databases(folder, args.reminders))
    emulator = BotApiEmulator()
    emulator.start()
    results = {}
    try:
        for name, db in (("empty", empty), (f"{args.reminders:,} reminders", full)):
            runs = []
            for _ in range(args.runs):
                copy = folder / f"run-{name[:5]}.db"
                shutil.copy(db, copy)
                runs.append(start_once(copy, emulator))
            results[name] = (statistics.median(r[0] for r in runs),
                             statistics.median(r[1] for r in runs))
    finally:
        emulator.stop()
    base = results["empty"][0]
    print(f"{'':20} {'to first poll s':>16} {'× empty':>8} {'RSS MB':>8}")
    for name, (seconds, memory) in results.items():
        print(f"{name:20} {seconds:16.2f} {seconds / base:8.2f} {memory:8.1f}")
    print("targets: < 2 s, ≤ 1.5× empty, < 150 MB")


if __name__ == "__main__":
    main()
