import asyncio
import logging
import re
from datetime import UTC, datetime, timedelta

from bot.cli import main
from core.backups import RetentionPolicy, backup, files_to_delete, scheduled_backup
from core.health import check_health
from core.services import Services
from tests.conftest import KIM, LEE, PARK
from tests.support import seed_community


async def test_backup_taken_during_writes_restores_and_verifies(services, tmp_path):
    kim, lee, park = await seed_community(services)
    stop = asyncio.Event()
    made = 0

    async def keep_paying():
        nonlocal made
        while not stop.is_set():
            view = await services.ledger.start_trade(
                kim, kind="pay", counterparty="#2", amount=1, memo=None,
                request_key=f"w{made}")
            await services.ledger.confirm_pay(kim, view.request.id)
            made += 1

    writer = asyncio.create_task(keep_paying())
    await asyncio.sleep(0.05)
    copies = [await backup(services.db.path, tmp_path / f"copy{i}.db") for i in range(3)]
    stop.set()
    await writer
    assert made > 0
    for copy in copies:
        restored = await Services.open(copy)
        try:
            report = await restored.verify()
            assert report.ok, report.problems
            assert await restored.db.integrity_check() == "ok"
        finally:
            await restored.close()
    health = await check_health(copies[-1])
    assert health.ok, health.problems


def test_retention_keeps_seven_daily_and_four_weekly():
    names = [f"pumasi-daily-2026-11-{day:02d}.db" for day in range(1, 21)]
    names += [f"pumasi-weekly-2026-W{week:02d}.db" for week in range(40, 48)]
    names += ["notes.txt"]
    doomed = files_to_delete(names, RetentionPolicy(daily=7, weekly=4))
    kept = sorted(set(names) - set(doomed))
    assert [n for n in kept if "daily" in n] == [
        f"pumasi-daily-2026-11-{day:02d}.db" for day in range(14, 21)]
    assert [n for n in kept if "weekly" in n] == [
        f"pumasi-weekly-2026-W{week:02d}.db" for week in range(44, 48)]
    assert "notes.txt" in kept


async def test_scheduled_backups_over_many_days_keep_the_policy(services, tmp_path):
    await seed_community(services, members=2)
    folder = tmp_path / "backups"
    day = datetime(2026, 1, 1, 18, 30, tzinfo=UTC)
    for offset in range(40):
        await scheduled_backup(services.db.path, folder, day + timedelta(days=offset),
                               RetentionPolicy(daily=7, weekly=4))
    names = sorted(p.name for p in folder.iterdir())
    assert len([n for n in names if "daily" in n]) == 7
    assert len([n for n in names if "weekly" in n]) == 4
    assert not [n for n in names if n.endswith(".partial")]


def test_cli_backup_and_health(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PUMASI_DB", str(tmp_path / "live.db"))
    assert main(["health"]) == 1  # no database yet
    assert main(["community", "create", "--code", "mapo", "--name", "마포"]) == 0
    assert main(["health"]) == 0
    assert main(["backup", str(tmp_path / "b" / "copy.db")]) == 0
    assert "백업을 저장했어요" in capsys.readouterr().out
    monkeypatch.setenv("PUMASI_DB", str(tmp_path / "b" / "copy.db"))
    assert main(["verify"]) == 0
    import sqlite3

    with sqlite3.connect(tmp_path / "live.db") as conn:
        conn.execute("UPDATE accounts SET balance = 3")
    monkeypatch.setenv("PUMASI_DB", str(tmp_path / "live.db"))
    assert main(["health"]) == 1
    assert "PROBLEM" in capsys.readouterr().out


async def test_info_logs_hold_no_message_text(harness, caplog):
    caplog.set_level(logging.DEBUG)
    await harness.services.membership.create_community(code="mapo", name="마포 품앗이",
                                                       credit_floor=-300_000, approval="auto")
    for user in (KIM, LEE, PARK):
        await harness.join(user, "mapo")
    secret = "전화 010-1234-5678 떡값"
    await harness.send(LEE, f"/pay #3 500 {secret}")
    await harness.tap(LEE, harness.button_data(LEE, "보내기"))
    await harness.send(LEE, "아무 말이나 010-9876-5432")
    for user in (LEE,):
        for _ in range(3):
            await harness.send(user, "/balance")
    phone = re.compile(r"01\d-?\d{3,4}-?\d{4}")
    for record in caplog.records:
        if record.levelno >= logging.INFO:
            text = record.getMessage()
            assert "떡값" not in text and not phone.search(text), text
