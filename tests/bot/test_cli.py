import asyncio
import sqlite3
import subprocess
import sys

from bot.cli import main


def run(monkeypatch, tmp_path, *args):
    monkeypatch.setenv("PUMASI_DB", str(tmp_path / "cli.db"))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    return main(list(args))


def test_create_appoint_verify(monkeypatch, tmp_path, capsys):
    assert run(monkeypatch, tmp_path, "community", "create", "--code", "mapo", "--name",
               "마포 품앗이", "--floor", "-100000", "--approval", "coordinator") == 0
    assert "마포 품앗이" in capsys.readouterr().out
    assert run(monkeypatch, tmp_path, "community", "create", "--code", "mapo", "--name",
               "또") == 1
    assert "이미 쓰이고 있어요" in capsys.readouterr().err
    assert run(monkeypatch, tmp_path, "coordinator", "add", "--community", "mapo",
               "--telegram-id", "555") == 0
    assert "#1" in capsys.readouterr().out
    assert run(monkeypatch, tmp_path, "coordinator", "add", "--community", "nope",
               "--telegram-id", "555") == 1
    assert run(monkeypatch, tmp_path, "verify") == 0
    assert "장부에 이상이 없어요" in capsys.readouterr().out


def test_verify_exits_non_zero_on_a_broken_invariant(monkeypatch, tmp_path, capsys):
    assert run(monkeypatch, tmp_path, "community", "create", "--code", "mapo", "--name",
               "마포") == 0
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        conn.execute("UPDATE accounts SET balance = 7")
    assert run(monkeypatch, tmp_path, "verify") == 1
    out = capsys.readouterr().out
    assert "PROBLEM" in out and "sum to 7" in out


def test_python_dash_m_bot_help():
    done = subprocess.run([sys.executable, "-m", "bot", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0
    for word in ("run", "console", "community", "coordinator", "verify"):
        assert word in done.stdout


def test_console_runs_a_whole_trade(tmp_path):
    from bot.console import Console, console_settings
    from bot.settings import Settings

    script = iter(["/balance", "/pay #2 5천 떡값", "!1", "/notice", "토요일 장터 열려요", "!1",
                   "!1", "!1", "/as 이철수", "/balance", "/quit"])
    output: list[str] = []

    async def read(prompt: str):
        return next(script, None)

    settings = console_settings(Settings.from_env({}), str(tmp_path / "demo.db"))
    asyncio.run(Console(settings, read=read, write=output.append).run())
    shown = "\n".join(output)
    assert "데모 품앗이" in shown
    assert "[!1] ✅ 보내기" in shown
    assert "보냈어요" in shown
    assert "잔액: 5,000문" in shown  # 이철수 after the trade, tags stripped for the terminal
    # the notice was delivered in the console, saying who sent it
    assert "→ 이철수 📢 데모 품앗이 공지 · 김영희 운영위원\n토요일 장터 열려요" in shown


def test_export_writes_csv_and_xlsx(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PUMASI_DB", str(tmp_path / "cli.db"))
    assert main(["community", "create", "--code", "mapo", "--name", "마포"]) == 0
    out = tmp_path / "report"
    assert main(["export", "--community", "mapo", "--from", "2020-01-01", "--out",
                 str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["mapo-events.csv", "mapo-members.csv", "mapo-posts.csv", "mapo-report.xlsx",
                     "mapo-transfers.csv"]
    assert (out / "mapo-members.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert main(["export", "--community", "nope", "--out", str(out)]) == 1
    assert main(["export", "--community", "mapo", "--from", "yesterday"]) == 1


def test_export_with_bad_dates_says_what_is_wrong(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PUMASI_DB", str(tmp_path / "cli.db"))
    assert main(["community", "create", "--code", "mapo", "--name", "마포"]) == 0
    capsys.readouterr()
    out = tmp_path / "report"
    for args, problem in ((["--from", "bad"], "--from bad: 날짜가 아니에요"),
                          (["--to", "2026-13-40"], "--to 2026-13-40: 날짜가 아니에요"),
                          (["--from", "2026-06-01", "--to", "2026-01-01"],
                           "--to 는 --from 보다 뒤여야 해요")):
        assert main(["export", "--community", "mapo", "--out", str(out), *args]) == 1
        err = capsys.readouterr().err
        assert problem in err, args
        assert "YYYY-MM-DD" in err or "다음 날" in err
    assert not out.exists()
