"""The bot's memory and cold start, each run in a fresh interpreter:

    .venv/bin/python bench/memory.py

- cold start: from launching `python` to the bot's first reply (a new user's /start), through
  the real Telegram path (python-telegram-bot, the application, the database) with the Bot
  API stand-in answering in-process — no network, so it is the bot's own start-up time;
- idle: the bot process's RSS after that first reply and 200 more /balance;
- after the first chart: the bot process's RSS after a coordinator's /stats (figures and the
  chart) — the chart is drawn in a child process; that child's peak RSS, while it lives (a
  minute after the last chart);
- for comparison, the same chart drawn in the bot's process, as it was before: its RSS after.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

READY = "first reply"


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def child(folder: Path) -> dict[str, float]:
    """The measured bot process."""
    from bot.app import build_application, close, prepare
    from bot.fake_api import FakeBotApi
    from bot.settings import Settings
    from bot.updates import FakeUser, UpdateFactory

    settings = Settings(telegram_token="1:bench", api_base_url="http://127.0.0.1:9/bot",
                        db_path=str(folder / "memory.db"), admin_telegram_ids=frozenset(),
                        locale="ko")
    api = FakeBotApi()
    application = build_application(settings, request=api)
    await application.initialize()
    await prepare(application)
    factory = UpdateFactory(application.bot)
    kim, lee = FakeUser(101, "김영희", "younghee"), FakeUser(102, "이철수", "chulsoo")
    await application.process_update(factory.message(kim, "/start"))
    assert any(call.method == "sendMessage" for call in api.calls)
    print(READY, flush=True)  # the parent's clock stops here

    services = application.bot_data["services"]
    await services.membership.create_community(code="mapo", name="마포 품앗이",
                                               credit_floor=-300_000, approval="auto")
    await services.membership.add_coordinator(code="mapo", channel="telegram",
                                              external_id="101")
    await application.process_update(factory.message(lee, "/join mapo"))
    for _ in range(200):
        await application.process_update(factory.message(lee, "/balance"))
    api.calls.clear()
    figures: dict[str, float] = {"idle": rss_mb()}

    await application.process_update(factory.message(kim, "/stats"))
    assert any(call.method == "sendPhoto" for call in api.calls)
    figures["after_chart"] = rss_mb()
    figures["matplotlib_loaded"] = float("matplotlib" in sys.modules)
    from conversation import charts

    process = charts._ChartProcess.executor
    if process is not None:
        process.shutdown(wait=True)  # as after a minute idle
    figures["after_child_exit"] = rss_mb()
    figures["chart_child_peak"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    # The chart as it was drawn before, in this process.
    from conversation.i18n import translator

    stats = await services.stats.for_coordinator(await services.people.reload(
        (await services.people.resolve("telegram", "101", "김영희", "younghee")).person.id))
    await asyncio.to_thread(charts.stats_chart, translator("ko"), stats)
    figures["in_process_chart"] = rss_mb()
    await close(application)
    await application.shutdown()
    return figures


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(asyncio.run(child(Path(sys.argv[2])))), flush=True)
        return
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        process = subprocess.Popen([sys.executable, __file__, "--child", folder],
                                   stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        cold = time.perf_counter() - began
        assert line == READY, line
        figures = json.loads(process.stdout.read().strip().splitlines()[-1])
        assert process.wait() == 0
    print(f"{'cold start to the first reply (/start)':50} {cold:7.2f} s")
    print(f"{'idle RSS (after it and 200 /balance)':50} {figures['idle']:7.1f} MB")
    print(f"{'RSS after the first chart (/stats)':50} {figures['after_chart']:7.1f} MB"
          f"   (+{figures['after_chart'] - figures['idle']:.1f} MB; matplotlib in the bot "
          f"process: {'yes' if figures['matplotlib_loaded'] else 'no'})")
    print(f"{'RSS once the chart process has exited':50} {figures['after_child_exit']:7.1f} MB")
    print(f"{'peak RSS of the chart process, while it lives':50} "
          f"{figures['chart_child_peak']:7.1f} MB")
    print(f"{'for comparison: RSS after a chart drawn in-process':50} "
          f"{figures['in_process_chart']:7.1f} MB"
          f"   (+{figures['in_process_chart'] - figures['after_child_exit']:.1f} MB)")


if __name__ == "__main__":
    main()
