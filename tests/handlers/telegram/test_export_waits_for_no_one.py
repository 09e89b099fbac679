"""No member waits on an export: while a coordinator's /export of a big community is frozen
half-way (its process stopped), other members' /balance and /pay are answered; once it goes on,
the export holds what was committed when it began, and nothing else."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import os
import signal
import sqlite3
import zipfile
from pathlib import Path

import pytest

from bot.updates import FakeUser
from conversation import export_job
from conversation.i18n import translator
from storage.bulk import seed_large_community

TRANSFERS = 50_000
FIRST = 5000
COORDINATOR = FakeUser(FIRST, "회원1", "member1")
MEMBERS = [FakeUser(FIRST + n - 1, f"회원{n}", f"member{n}") for n in (2, 3, 4, 5)]
GUARD = 120  # seconds: only so that a broken build fails instead of hanging


async def until(condition) -> None:
    """Polls what no event tells (a child process's file)."""
    for _ in range(GUARD * 200):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("never happened")


def stopped(pid: int) -> bool:
    """Every thread of the process has stopped (a signal is delivered some time after it is
    sent, and to each thread in turn: the child reads on one thread and writes on another, so
    the main thread alone showing "T" is not enough)."""
    tasks = Path(f"/proc/{pid}/task")
    states = []
    for task in tasks.iterdir():
        with contextlib.suppress(FileNotFoundError):
            states.append((task / "stat").read_text("ascii").rsplit(")", 1)[1].split()[0])
    return bool(states) and all(state == "T" for state in states)


def balance_of(path: str, number: int) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT a.balance FROM accounts a JOIN memberships m ON m.id = a.membership_id"
            " JOIN communities c ON c.id = m.community_id WHERE c.code = 'big'"
            " AND m.number = ?", (number,)).fetchone()[0]
    finally:
        conn.close()


def balance_shown(calls, user: FakeUser) -> str:
    texts = [c.text for c in calls if c.method == "sendMessage" and c.chat_id == user.id]
    assert len(texts) == 1, texts
    return texts[0]


@pytest.mark.sqlite_only  # storage/bulk.py loads SQLite files only
async def test_members_are_answered_while_an_export_is_frozen_half_way(harness, monkeypatch):
    path = harness.services.db.path
    seed_large_community(path, code="big", members=50, transfers=TRANSFERS, posts=0,
                         first_user_id=FIRST)
    children = []
    original = asyncio.create_subprocess_exec

    async def recorded(*args, **kwargs):
        process = await original(*args, **kwargs)
        children.append((process, args))
        return process

    monkeypatch.setattr(export_job.asyncio, "create_subprocess_exec", recorded)
    export = asyncio.create_task(harness.send(COORDINATOR, "/export 2023-01-01 2026-12-31"))
    try:
        await until(lambda: children or export.done())
        assert children, "the export ran in the bot's own process"
        process, args = children[0]
        transfers_csv = export_job.Path(args[-1]) / "big-transfers.csv"
        # Frozen once the first rows are on disk: half-way through reading and writing.
        await until(lambda: transfers_csv.exists() and transfers_csv.stat().st_size > 10_000)
        os.kill(process.pid, signal.SIGSTOP)
        try:
            await until(lambda: stopped(process.pid))
            written = transfers_csv.stat().st_size
            amount = translator("ko").amount
            for member, number in zip(MEMBERS, (2, 3, 4, 5), strict=True):
                calls = await asyncio.wait_for(harness.send(member, "/balance"), GUARD)
                assert amount(balance_of(path, number), "문") in balance_shown(calls, member)
            # A payment goes through, and the payer's balance shows it at once.
            before = balance_of(path, 2)
            await asyncio.wait_for(harness.send(MEMBERS[0], "/pay #3 700 떡값"), GUARD)
            await asyncio.wait_for(
                harness.tap(MEMBERS[0], harness.button_data(MEMBERS[0], "보내기")), GUARD)
            assert balance_of(path, 2) == before - 700
            calls = await asyncio.wait_for(harness.send(MEMBERS[0], "/balance"), GUARD)
            assert amount(before - 700, "문") in balance_shown(calls, MEMBERS[0])
            # All of that while the export stood still, unfinished.
            assert not export.done()
            assert transfers_csv.stat().st_size == written
        finally:
            os.kill(process.pid, signal.SIGCONT)
        calls = await asyncio.wait_for(export, GUARD)
    finally:
        if not export.done():
            export.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await export
    documents = {name: content for c in calls if c.method == "sendDocument"
                 and c.chat_id == COORDINATOR.id for name, content in c.files.items()}
    assert sorted(documents) == ["big-events.csv", "big-members.csv", "big-posts.csv",
                                 "big-report.xlsx", "big-transfers.csv"]
    rows = list(csv.reader(io.StringIO(documents["big-transfers.csv"].decode("utf-8-sig"))))
    # The export's snapshot: every transfer made before it began, not the one made during it
    # (on 2026-03-02, inside the period).
    assert len(rows) == 1 + TRANSFERS
    assert "떡값" not in {row[8] for row in rows[1:]}
    # ... and the balances as they were then, though the members' table is read after.
    members = list(csv.reader(io.StringIO(documents["big-members.csv"].decode("utf-8-sig"))))
    assert [row[5] for row in members if row[0] == "2"] == [str(before)]
    assert zipfile.is_zipfile(io.BytesIO(documents["big-report.xlsx"]))
