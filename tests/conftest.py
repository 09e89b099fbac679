from __future__ import annotations

import pytest

from bot.fake_api import RejectionLog
from bot.updates import FakeUser
from core.clock import ManualClock
from core.services import Services
from tests.support import START, BotHarness

KIM = FakeUser(101, "김영희", "younghee")
LEE = FakeUser(102, "이철수", "chulsoo")
PARK = FakeUser(103, "박민지", "minji")
CHOI = FakeUser(104, "최수진", "sujin", language_code="en")


@pytest.fixture(autouse=True)
def telegram_refuses_nothing(monkeypatch):
    """A call Telegram would refuse fails the test that made it, unless the test took it with
    `api.acknowledge_rejections()`: the bot swallows a handler's BadRequest into its log, so
    without this a reply that never reached the member could pass unnoticed. Every stand-in
    for Telegram (the fake Bot API, the HTTP emulator) keeps a RejectionLog."""
    created: list[RejectionLog] = []
    original_init = RejectionLog.__init__

    def tracked_init(self) -> None:
        original_init(self)
        created.append(self)

    monkeypatch.setattr(RejectionLog, "__init__", tracked_init)
    yield
    refused = [f"{rejection.call.method} → {rejection.description}\n"
               f"    {str(rejection.call.params)[:300]}"
               for api in created for rejection in api.unacknowledged_rejections()]
    if refused:
        pytest.fail("Telegram would refuse what the bot sent:\n" + "\n".join(refused),
                    pytrace=False)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def services(tmp_path, clock):
    opened = await Services.open(tmp_path / "core.db", clock=clock,
                                 admins=frozenset({("telegram", "900")}))
    yield opened
    await opened.close()


@pytest.fixture
async def harness(tmp_path, clock):
    started = await BotHarness.start(tmp_path / "bot.db", clock)
    yield started
    await started.stop()
