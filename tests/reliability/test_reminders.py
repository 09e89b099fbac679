"""Reminders survive restarts: sent once, never twice, skipped when the event has begun."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.events import EventDraft
from core.services import Services
from tests.conftest import KIM, LEE
from tests.support import START, BotHarness, seed_community

ROOT = Path(__file__).resolve().parents[2]


async def signed_up_event(services, members, starts_in=timedelta(days=2)):
    kim = members[0]
    view = await services.events.create(kim, EventDraft(
        kind="study", title="품앗이 학당", starts_at=START + starts_in,
        ends_at=START + starts_in + timedelta(hours=2)))
    for member in members[1:]:
        await services.events.sign_up(member, view.event.id)
    return view.event


async def test_restart_between_scheduling_and_due_still_sends_once(tmp_path, clock):
    db = tmp_path / "bot.db"
    first = await BotHarness.start(db, clock)
    await first.services.membership.create_community(code="mapo", name="마포 품앗이",
                                                     credit_floor=-300_000, approval="auto")
    await first.services.membership.add_coordinator(code="mapo", channel="telegram",
                                                    external_id=str(KIM.id))
    await first.send(KIM, "/start")
    await first.join(LEE, "mapo")
    members = [await first.services.people.resolve("telegram", str(u.id), u.first_name)
               for u in (KIM, LEE)]
    await signed_up_event(first.services, members)
    await first.stop()

    clock.advance(timedelta(days=1, minutes=1))  # the 24-hour reminder fell due while down
    second = await BotHarness.start(db, clock)
    calls = await second.sweep()
    assert [c.chat_id for c in calls if "알림" in c.text] == [LEE.id]
    await second.stop()

    third = await BotHarness.start(db, clock)  # restarted after it was sent
    assert not [c for c in await third.sweep() if c.method == "sendMessage"]
    clock.advance(timedelta(hours=23))
    assert [c.chat_id for c in await third.sweep() if "곧 시작해요" in c.text] == [LEE.id]
    await third.stop()


async def test_reminder_due_while_down_after_the_start_is_skipped(services, clock):
    members = await seed_community(services, members=2)
    await signed_up_event(services, members, starts_in=timedelta(hours=30))
    clock.advance(timedelta(hours=31))  # down through both reminders and the start
    assert await services.reminders.claim() is None
    assert (await services.reminders.counts()).get("skipped") == 2


async def test_cancelled_signup_and_event_drop_their_reminders(services, clock):
    members = await seed_community(services, members=3)
    event = await signed_up_event(services, members)
    await services.events.cancel_signup(members[1], event.id)
    await services.events.cancel(members[0], event.id)
    clock.advance(timedelta(days=2))
    assert await services.reminders.claim() is None
    assert (await services.reminders.counts()).get("dropped") == 4


async def test_turning_reminders_off_and_on(services, clock):
    members = await seed_community(services, members=2)
    event = await signed_up_event(services, members)
    await services.events.set_reminders(await services.people.reload(members[1].person.id),
                                        False)
    assert (await services.reminders.counts()).get("pending", 0) == 0
    await services.events.set_reminders(await services.people.reload(members[1].person.id),
                                        True)
    assert (await services.reminders.counts()).get("pending") == 2
    assert event.status == "scheduled"


def _first_line(process: subprocess.Popen) -> str:
    """The child's first line, read off the pipe byte by byte: a buffered readline() takes
    whatever else is already there (the "DONE" of a driver with nothing left to send), and
    communicate(), which reads the pipe itself, would never see it."""
    line = b""
    while not line.endswith(b"\n") and (byte := os.read(process.stdout.fileno(), 1)):
        line += byte
    return line.decode()


def _run_driver(db: Path, log: Path, now: str, rng: random.Random, kill: bool) -> str:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.reminder_driver", str(db), str(log), now],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    first_line = _first_line(process)
    assert first_line.startswith("RECOVERED"), process.stderr.read()
    if kill:
        time.sleep(rng.uniform(0.0, 0.08))
        process.send_signal(signal.SIGKILL)
    output, errors = process.communicate(timeout=60)
    assert process.returncode in (0, -signal.SIGKILL), errors
    if not kill:  # it must have finished: say how it ended if it did not
        assert "DONE" in output, (process.returncode, output, errors[-2000:])
    return output


async def test_sigkill_during_a_batch_of_sends(tmp_path, record_property):
    db, log = tmp_path / "reminders.db", tmp_path / "sent.log"
    services = await Services.open(db)
    members = await seed_community(services, members=151)
    async with services.db.write() as conn:  # reminders 47 and 46 hours ahead of the start
        await conn.execute("UPDATE communities SET reminder_hours = '47,46'")
    members = [await services.people.reload(m.person.id) for m in members]
    event = await signed_up_event_now(services, members)
    await services.close()
    driver_now = (event.starts_at - timedelta(hours=45, minutes=30)).isoformat()

    rng, kills = random.Random(7), 0
    for _ in range(40):
        output = _run_driver(db, log, driver_now, rng, kill=True)
        if "DONE" in output:
            break
        kills += 1
    output = _run_driver(db, log, driver_now, rng, kill=False)
    assert "DONE" in output

    sent = [int(line.split()[1]) for line in log.read_text().splitlines()]
    assert len(sent) == len(set(sent)), "a reminder was sent twice"
    with sqlite3.connect(db) as conn:
        states = dict(conn.execute("SELECT id, state FROM reminders").fetchall())
    assert len(states) == 300
    assert all(state in ("sent", "uncertain") for state in states.values())
    uncertain = [rid for rid, state in states.items() if state == "uncertain"]
    lost = [rid for rid in uncertain if rid not in set(sent)]
    assert len(uncertain) <= kills  # at most the one in flight at each kill
    assert set(sent) >= {rid for rid, state in states.items() if state == "sent"}
    record_property("summary", (
        f"reminder kill test: {kills} kills, {len(sent)} of 300 sent once each,"
        f" {len(uncertain)} in flight at a kill ({len(lost)} of them not delivered),"
        " none sent twice"))


async def signed_up_event_now(services, members):
    """An event three days after the real now (the driver runs on its own clock)."""
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    view = await services.events.create(members[0], EventDraft(
        kind="study", title="학당", starts_at=starts, ends_at=starts + timedelta(hours=1)))
    for member in members[1:]:
        await services.events.sign_up(member, view.event.id)
    return view.event
