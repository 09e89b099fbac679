"""The admin command line for communities and coordinators, its help, and the console's
database."""

import argparse
import asyncio
import re
import sqlite3

from bot.cli import _parser, main

HANGUL = re.compile(r"[가-힣]")


def run(monkeypatch, tmp_path, *args):
    monkeypatch.setenv("PUMASI_DB", str(tmp_path / "cli.db"))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    return main(list(args))


def query(tmp_path, sql, params=()):
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        return conn.execute(sql, params).fetchall()


def test_community_create_is_closed_unless_told_otherwise(monkeypatch, tmp_path, capsys):
    assert run(monkeypatch, tmp_path, "community", "create", "--code", "mapo", "--name",
               "마포 품앗이") == 0
    out = capsys.readouterr().out
    assert "운영위원 승인" in out and "잔액 한도 0문" in out and str(tmp_path / "cli.db") in out
    assert query(tmp_path, "SELECT approval, credit_floor FROM communities") == [
        ("coordinator", 0)]
    assert run(monkeypatch, tmp_path, "community", "create", "--code", "seocho", "--name",
               "서초", "--floor", "-50000", "--approval", "auto") == 0
    assert query(tmp_path, "SELECT approval, credit_floor FROM communities WHERE code = ?",
                 ("seocho",)) == [("auto", -50_000)]


def test_community_code_rotation(monkeypatch, tmp_path, capsys):
    assert run(monkeypatch, tmp_path, "community", "create", "--code", "mapo", "--name",
               "마포 품앗이") == 0
    assert run(monkeypatch, tmp_path, "coordinator", "add", "--community", "mapo",
               "--telegram-id", "555") == 0
    capsys.readouterr()
    assert run(monkeypatch, tmp_path, "community", "code", "--community", "mapo", "--new",
               "mapo-2026", "--reason", "코드 유출") == 0
    out = capsys.readouterr().out
    assert "mapo-2026" in out and "start=join_mapo-2026" in out
    assert query(tmp_path, "SELECT code FROM communities") == [("mapo-2026",)]
    assert query(tmp_path, "SELECT COUNT(*) FROM memberships WHERE status = 'active'") == [(1,)]
    assert query(tmp_path, "SELECT actor_person_id, target, reason FROM audit_log"
                 " WHERE action = 'community_code_change'") == [
        (None, "mapo → mapo-2026", "코드 유출")]

    # The old code is gone, and says so.
    assert run(monkeypatch, tmp_path, "community", "code", "--community", "mapo") == 1
    assert "바뀌었을 수 있어요" in capsys.readouterr().err
    # Without --new, a random code that keeps the readable stem.
    assert run(monkeypatch, tmp_path, "community", "code", "--community", "mapo-2026") == 0
    [(code,)] = query(tmp_path, "SELECT code FROM communities")
    assert code.startswith("mapo-") and code != "mapo-2026" and len(code) == len("mapo-") + 6
    assert run(monkeypatch, tmp_path, "community", "code", "--community", code, "--new",
               "마포") == 1
    assert "3~32자" in capsys.readouterr().err


def test_coordinator_add_takes_exactly_what_whoami_shows(monkeypatch, tmp_path, capsys):
    assert run(monkeypatch, tmp_path, "community", "create", "--code", "mapo", "--name",
               "마포") == 0
    for wrong in ("@younghee", "김영희", "12a45"):
        assert run(monkeypatch, tmp_path, "coordinator", "add", "--community", "mapo",
                   "--telegram-id", wrong) == 1
        assert "/whoami" in capsys.readouterr().err
    assert query(tmp_path, "SELECT COUNT(*) FROM identities") == [(0,)]
    assert run(monkeypatch, tmp_path, "coordinator", "add", "--community", "mapo",
               "--telegram-id", " 123456789 ") == 0
    assert query(tmp_path, "SELECT external_id FROM identities") == [("123456789",)]


def test_every_help_text_is_korean_first_then_english():
    def walk(parser: argparse.ArgumentParser, path: str):
        yield path, parser.description or ""
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    yield from walk(child, f"{path} {name}")
            elif action.help and action.help != argparse.SUPPRESS:
                yield f"{path} {'/'.join(action.option_strings) or action.dest}", action.help

    found = list(walk(_parser(), "pumasi"))
    assert len(found) > 40
    for where, text in found:
        korean, slash, english = text.partition(" / ")
        assert slash and HANGUL.search(korean) and re.search(r"[a-z]", english), (where, text)


def test_console_says_which_database_and_adds_no_demo_to_real_data(monkeypatch, tmp_path):
    from bot.console import Console, console_settings
    from bot.settings import Settings

    def start(db_path: str | None, real: str) -> str:
        output: list[str] = []

        async def read(prompt: str):
            return None

        settings = console_settings(Settings.from_env({}), db_path)
        asyncio.run(Console(settings, read=read, write=output.append, real_db=real).run())
        return "\n".join(output)

    monkeypatch.chdir(tmp_path)
    shown = start(None, "data/pumasi.db")
    assert "연습용 데모 데이터(data/demo.db)" in shown
    assert "pumasi console --db data/pumasi.db" in shown
    assert "데모 품앗이를 만들었어요" in shown

    assert run(monkeypatch, tmp_path, "community", "create", "--code", "mapo", "--name",
               "마포") == 0
    shown = start(str(tmp_path / "cli.db"), str(tmp_path / "cli.db"))
    assert f"데이터베이스: {tmp_path / 'cli.db'}" in shown and "데모를 만들지 않았어요" in shown
    assert query(tmp_path, "SELECT code FROM communities") == [("mapo",)]
