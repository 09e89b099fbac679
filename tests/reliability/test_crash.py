"""Crash test: SIGKILL a process mid-trade at random moments; nothing acknowledged is lost,
nothing is applied twice, nothing is half-applied, and the ledger's invariants hold."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from core.services import Services
from tests.reliability.crash_driver import FIRST_USER_ID, MEMBERS
from tests.support import seed_community

KILLS = 50
ROOT = Path(__file__).resolve().parents[2]


class Driver:
    """One crash_driver process on a SQLite file or a PostgreSQL URL, its output read by a
    thread as it comes (a buffered readline() then communicate() would lose what the first
    read took beyond its line)."""

    def __init__(self, target: str, run_id: str, seed: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_driver", target, run_id, str(seed)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.strip())
            if line.strip() == "READY":
                self.ready.set()
        self.ready.set()  # the output ended: wait_ready sees why

    def wait_ready(self) -> None:
        assert self.ready.wait(60) and "READY" in self.lines, self._stopped_early()

    def kill(self) -> list[str]:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self._reader.join(30)
        errors = self.process.stderr.read()
        self.process.stderr.close()
        self.process.stdout.close()
        assert self.process.returncode == -signal.SIGKILL, errors
        return self.lines

    def _stopped_early(self) -> str:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(30)
        return self.process.stderr.read()


def run_and_kill(db: Path, run: int, rng: random.Random) -> list[str]:
    driver = Driver(str(db), f"r{run}", rng.randrange(1 << 30))
    try:
        driver.wait_ready()  # earlier runs' requests taken up first
        time.sleep(rng.uniform(0.01, 0.25))
        return driver.kill()
    finally:
        if driver.process.poll() is None:
            driver.process.kill()
            driver.process.wait(30)


async def assert_verified(target) -> None:
    """The database, opened afresh as after a restart, passes verify."""
    reopened = await Services.open(target)
    try:
        report = await reopened.verify()
    finally:
        await reopened.close()
    assert report.ok, report.problems


class Acknowledged:
    """What the drivers were told is committed: transfer id → (request id, amount)."""

    def __init__(self) -> None:
        self.transfers: dict[int, tuple[int, int]] = {}
        self._made: set[int] = set()  # announced by the settle that made them
        self.again = 0  # settles that found their request committed by a racing one

    def take(self, lines: list[str]) -> None:
        for line in lines:
            word, *numbers = line.split()
            if word not in ("ACK", "AGAIN"):
                continue
            transfer_id, request_id, amount = map(int, numbers)
            if word == "ACK":
                assert transfer_id not in self._made, f"T{transfer_id} made twice"
                self._made.add(transfer_id)
            else:
                self.again += 1
            # A settle that found its request committed answers with that same transfer.
            assert self.transfers.setdefault(transfer_id, (request_id, amount)) == (
                request_id, amount), f"T{transfer_id} acknowledged for two requests"

    def __len__(self) -> int:
        return len(self.transfers)


# The same checks on both engines, each query answered by one consistent state.
TRANSFERS = "SELECT id, request_id, amount FROM transfers"
DOUBLED = "SELECT request_id, COUNT(*) FROM transfers GROUP BY request_id HAVING COUNT(*) > 1"
HALF_APPLIED = (
    "SELECT r.id, r.status, r.transfer_id, t.id FROM trade_requests r"
    " LEFT JOIN transfers t ON t.request_id = r.id"
    " WHERE (r.status = 'committed') <> (t.id IS NOT NULL)"
    "    OR (r.status = 'committed' AND r.transfer_id IS DISTINCT FROM t.id)"
)


def check_rows(acknowledged: Acknowledged, transfers: list, doubled: list,
               half_applied: list) -> None:
    """Every acknowledged transfer present exactly once with its request and amount, no
    request with two transfers, no request committed without its transfer or the reverse."""
    present = {row[0]: (row[1], row[2]) for row in transfers}
    for transfer_id, expected in acknowledged.transfers.items():
        assert present.get(transfer_id) == expected, f"acknowledged T{transfer_id} lost"
    assert [tuple(row) for row in doubled] == []
    assert [tuple(row) for row in half_applied] == []


def check_database(db: Path, acknowledged: Acknowledged) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        check_rows(acknowledged, *(conn.execute(query).fetchall()
                                   for query in (TRANSFERS, DOUBLED, HALF_APPLIED)))
    finally:
        conn.close()


async def test_sigkill_at_random_moments(tmp_path, record_property):
    db = tmp_path / "crash.db"
    services = await Services.open(db)
    await seed_community(services, "crash", members=MEMBERS, floor=-20_000, ceiling=20_000,
                         first_user_id=FIRST_USER_ID)
    await services.close()
    rng = random.Random(20261124)
    acknowledged = Acknowledged()
    started = time.monotonic()
    for run in range(KILLS):
        acknowledged.take(run_and_kill(db, run, rng))
        check_database(db, acknowledged)
        await assert_verified(db)
    assert len(acknowledged) > KILLS  # the kills landed among real work
    record_property("summary", (
        f"crash test: {KILLS} kills survived, {len(acknowledged)} acknowledged transfers"
        f" all present exactly once, {time.monotonic() - started:.1f} s"))
