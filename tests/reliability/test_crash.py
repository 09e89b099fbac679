"""Crash test: SIGKILL a process mid-trade at random moments; nothing acknowledged is lost,
nothing is applied twice, nothing is half-applied, and the ledger's invariants hold."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from core.services import Services
from tests.reliability.crash_driver import FIRST_USER_ID, MEMBERS
from tests.support import seed_community

KILLS = 50
ROOT = Path(__file__).resolve().parents[2]


def run_and_kill(db: Path, run: int, rng: random.Random) -> list[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.crash_driver", str(db), f"r{run}",
         str(rng.randrange(1 << 30))],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    lines = [process.stdout.readline().strip()]
    while lines[-1].startswith("ACK"):  # recovery of earlier runs' requests comes first
        lines.append(process.stdout.readline().strip())
    assert lines[-1] == "READY", process.stderr.read()
    time.sleep(rng.uniform(0.01, 0.25))
    process.send_signal(signal.SIGKILL)
    rest, errors = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL, errors
    return [line for line in lines + rest.splitlines() if line.startswith("ACK")]


def check_database(db: Path, acknowledged: dict[int, tuple[int, int]]) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        transfers = {
            row[0]: (row[1], row[2])
            for row in conn.execute("SELECT id, request_id, amount FROM transfers")
        }
        for transfer_id, expected in acknowledged.items():
            assert transfers.get(transfer_id) == expected, f"acknowledged T{transfer_id} lost"
        per_request = conn.execute(
            "SELECT request_id, COUNT(*) FROM transfers GROUP BY request_id HAVING COUNT(*) > 1"
        ).fetchall()
        assert per_request == []
        half_applied = conn.execute(
            "SELECT r.id, r.status, r.transfer_id, t.id FROM trade_requests r"
            " LEFT JOIN transfers t ON t.request_id = r.id"
            " WHERE (r.status = 'committed') <> (t.id IS NOT NULL)"
            "    OR (r.status = 'committed' AND r.transfer_id IS NOT t.id)"
        ).fetchall()
        assert half_applied == []
    finally:
        conn.close()


async def test_sigkill_at_random_moments(tmp_path, capsys):
    db = tmp_path / "crash.db"
    services = await Services.open(db)
    await seed_community(services, "crash", members=MEMBERS, floor=-20_000, ceiling=20_000,
                         first_user_id=FIRST_USER_ID)
    await services.close()
    rng = random.Random(20261124)
    acknowledged: dict[int, tuple[int, int]] = {}
    started = time.monotonic()
    for run in range(KILLS):
        for line in run_and_kill(db, run, rng):
            _, transfer_id, request_id, amount = line.split()
            assert int(transfer_id) not in acknowledged
            acknowledged[int(transfer_id)] = (int(request_id), int(amount))
        check_database(db, acknowledged)
        reopened = await Services.open(db)
        try:
            report = await reopened.verify()
        finally:
            await reopened.close()
        assert report.ok, report.problems
    assert len(acknowledged) > KILLS  # the kills landed among real work
    with capsys.disabled():
        print(f"\ncrash test: {KILLS} kills survived, {len(acknowledged)} acknowledged transfers"
              f" all present exactly once, {time.monotonic() - started:.1f} s")
