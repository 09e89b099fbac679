"""The bot starts without matplotlib, openpyxl, icalendar or fpdf, and keeps without them: the
chart is drawn and the export and the report written in child processes. Checked in fresh
interpreters, since this one has imported them all for other tests."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HEAVY = ("matplotlib", "openpyxl", "icalendar", "fpdf")


def run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                            capture_output=True, text=True, check=True, timeout=120)
    return result.stdout.strip().splitlines()[-1]


def test_importing_the_bot_loads_none_of_the_heavy_libraries():
    loaded = run(f"""
        import sys
        import bot.app, bot.cli, conversation.routes, handlers.telegram.adapter
        print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))
    """)
    assert loaded == "[]"


def test_a_chart_and_an_export_leave_the_bot_process_without_them(tmp_path):
    loaded = run(f"""
        import asyncio, sys
        from tests.support import BotHarness
        from bot.updates import FakeUser

        KIM, LEE = FakeUser(101, "김영희", "younghee"), FakeUser(102, "이철수", "chulsoo")

        async def main():
            harness = await BotHarness.start({str(tmp_path / "bot.db")!r})
            try:
                services = harness.services
                await services.membership.create_community(
                    code="mapo", name="마포 품앗이", credit_floor=-300_000, approval="auto")
                await services.membership.add_coordinator(code="mapo", channel="telegram",
                                                          external_id="101")
                await harness.send(KIM, "/start")
                await harness.join(LEE, "mapo")
                await harness.send(LEE, "/pay #1 700 떡값")
                await harness.tap(LEE, harness.button_data(LEE, "보내기"))
                stats = await harness.send(KIM, "/stats")
                export = await harness.send(KIM, "/export")
            finally:
                await harness.stop()
            photos = [c for c in stats if c.method == "sendPhoto"]
            assert len(photos) == 1 and next(iter(photos[0].files.values()))[:4] == b"\\x89PNG"
            assert len([c for c in export if c.method == "sendDocument"]) == 5

        asyncio.run(main())
        print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))
    """)
    assert loaded == "[]"
