"""Coordinators' desk at scale, in one run:

    .venv/bin/python bench/coordinators.py [--recipients 10000] [--transfers 1000000]

1. A notice to every member of a 10,000-member community through the real outbox and the
   production AIORateLimiter set to 30 messages/s, against a zero-latency fake Bot API that
   answers 429 (RetryAfter) whenever more than 30 messages arrive within one second, as
   Telegram does. Prints the achieved rate, its ratio to the limit, and the 429s.
   Target (issue 4): ≥ 95% of the limit, none unhandled.
2. /stats on a community with 1,000,000 transfers: the figures alone and the whole command
   (figures, text, chart). Target: under 1 s."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram.ext import AIORateLimiter  # noqa: E402

from bot.app import build_application, close, prepare  # noqa: E402
from bot.fake_api import ApiCall, FakeBotApi  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.updates import FakeUser, UpdateFactory  # noqa: E402
from core.notices import NoticeDraft  # noqa: E402
from handlers.telegram.outbox import drain  # noqa: E402
from storage.bulk import seed_large_community  # noqa: E402
from storage.db import Database  # noqa: E402

LIMIT = 30


class StrictApi(FakeBotApi):
    """Refuses, like Telegram, a message that would make more than LIMIT in one second."""

    def __init__(self) -> None:
        super().__init__()
        self.window: deque[float] = deque()
        self.refused = 0
        self.fail("sendMessage", self._police)

    def _police(self, call: ApiCall):
        now = time.monotonic()
        while self.window and self.window[0] <= now - 1.0:
            self.window.popleft()
        if len(self.window) >= LIMIT:
            self.refused += 1
            return 429, {"ok": False, "error_code": 429, "parameters": {"retry_after": 1},
                         "description": "Too Many Requests: retry after 1"}
        self.window.append(now)
        return None


async def database(path: Path, members: int, transfers: int, code: str) -> None:
    db = Database(path)
    await db.open()
    await db.close()
    seed_large_community(path, code=code, members=members, transfers=transfers, posts=0,
                         first_user_id=1_000_000)


def settings(path: Path) -> Settings:
    return Settings(telegram_token="1:bench", api_base_url="http://127.0.0.1:9/bot",
                    db_path=str(path), admin_telegram_ids=frozenset(), locale="ko")


async def broadcast(recipients: int) -> None:
    path = Path(tempfile.mkdtemp()) / "notice.db"
    await database(path, recipients, 0, "notice")
    api = StrictApi()
    limiter = AIORateLimiter(overall_max_rate=LIMIT, overall_time_period=1, max_retries=5)
    application = build_application(settings(path), request=api, rate_limiter=limiter)
    await application.initialize()
    await prepare(application)
    services = application.bot_data["services"]
    coordinator = await services.people.resolve("telegram", "1000000", "회원1", "member1")
    report = await services.notices.send(coordinator, NoticeDraft(text="대청소", audience="all"),
                                         message="대청소")
    started = time.monotonic()
    handled = await drain(application)
    seconds = time.monotonic() - started
    final = (await services.notices.report(coordinator, report.notice_id))[0]
    rate = handled / seconds
    print(f"broadcast: {handled:,} recipients in {seconds:.1f} s = {rate:.1f} msg/s, "
          f"{rate / LIMIT:.1%} of the {LIMIT}/s limit; 429 answers: {api.refused} "
          f"(all retried: sent {final.sent:,}, failed {final.failed}, "
          f"unreachable {final.unreachable})")
    await close(application)
    await application.shutdown()


async def stats(transfers: int) -> None:
    path = Path(tempfile.mkdtemp()) / "stats.db"
    started = time.monotonic()
    await database(path, 10_000, transfers, "big")
    print(f"built 10,000 members and {transfers:,} transfers in "
          f"{time.monotonic() - started:.0f} s")
    api = FakeBotApi()
    application = build_application(settings(path), request=api)
    await application.initialize()
    await prepare(application)
    services = application.bot_data["services"]
    coordinator = await services.people.resolve("telegram", "1000000", "회원1", "member1")
    factory = UpdateFactory(application.bot)
    figures, whole = [], []
    for _ in range(5):
        began = time.monotonic()
        await services.stats.for_coordinator(coordinator)
        figures.append(time.monotonic() - began)
        began = time.monotonic()
        await application.process_update(factory.message(FakeUser(1_000_000, "회원1",
                                                                  "member1"), "/stats"))
        whole.append(time.monotonic() - began)
    print(f"/stats on {transfers:,} transfers: figures median {sorted(figures)[2]:.2f} s "
          f"(max {max(figures):.2f}), whole command median {sorted(whole)[2]:.2f} s "
          f"(max {max(whole):.2f}); target < 1 s")
    await close(application)
    await application.shutdown()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--transfers", type=int, default=1_000_000)
    args = parser.parse_args()
    await stats(args.transfers)
    await broadcast(args.recipients)


if __name__ == "__main__":
    asyncio.run(main())
