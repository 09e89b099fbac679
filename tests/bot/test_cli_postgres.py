"""`pumasi` commands with PUMASI_DB a postgresql:// URL: create, appoint, verify, health,
backup (pg_dump)."""

from __future__ import annotations

import asyncio

import asyncpg

from bot.cli import main


def run(monkeypatch, url, *args):
    monkeypatch.setenv("PUMASI_DB", url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    return main(list(args))


async def _execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def test_create_appoint_verify_and_health(monkeypatch, pg_url, capsys):
    assert run(monkeypatch, pg_url, "community", "create", "--code", "mapo", "--name",
               "마포 품앗이", "--floor", "-100000") == 0
    assert "마포 품앗이" in capsys.readouterr().out
    assert run(monkeypatch, pg_url, "community", "create", "--code", "MAPO", "--name",
               "또") == 1  # codes are unique whatever their case, as on SQLite
    assert "이미 쓰이고 있어요" in capsys.readouterr().err
    assert run(monkeypatch, pg_url, "coordinator", "add", "--community", "mapo",
               "--telegram-id", "555") == 0
    assert run(monkeypatch, pg_url, "verify") == 0
    assert "장부에 이상이 없어요" in capsys.readouterr().out
    assert run(monkeypatch, pg_url, "health") == 0
    out = capsys.readouterr().out
    assert "정상 / healthy" in out and "1 communities" in out


def test_verify_and_health_fail_on_a_broken_invariant(monkeypatch, pg_url, capsys):
    assert run(monkeypatch, pg_url, "community", "create", "--code", "mapo", "--name",
               "마포") == 0
    asyncio.run(_execute(pg_url, "UPDATE accounts SET balance = 7"))
    assert run(monkeypatch, pg_url, "verify") == 1
    out = capsys.readouterr().out
    assert "PROBLEM" in out and "sum to 7" in out
    assert run(monkeypatch, pg_url, "health") == 1
    assert "unhealthy" in capsys.readouterr().out


def test_backup_is_a_pg_dump_archive(monkeypatch, pg_url, tmp_path, capsys):
    assert run(monkeypatch, pg_url, "community", "create", "--code", "mapo", "--name",
               "마포") == 0
    target = tmp_path / "backup.dump"
    assert run(monkeypatch, pg_url, "backup", str(target)) == 0
    assert target.read_bytes()[:5] == b"PGDMP"
    assert str(target) in capsys.readouterr().out


def test_export_writes_the_files(monkeypatch, pg_url, tmp_path, capsys):
    assert run(monkeypatch, pg_url, "community", "create", "--code", "mapo", "--name",
               "마포") == 0
    assert run(monkeypatch, pg_url, "export", "--community", "mapo", "--out",
               str(tmp_path)) == 0
    written = sorted(path.name for path in tmp_path.iterdir())
    assert any(name.endswith(".xlsx") for name in written), written
    assert any("transfers" in name and name.endswith(".csv") for name in written), written
