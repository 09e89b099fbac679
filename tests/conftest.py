from __future__ import annotations

import pytest

from bot.updates import FakeUser
from core.clock import ManualClock
from core.services import Services
from tests.support import START, BotHarness

KIM = FakeUser(101, "김영희", "younghee")
LEE = FakeUser(102, "이철수", "chulsoo")
PARK = FakeUser(103, "박민지", "minji")
CHOI = FakeUser(104, "최수진", "sujin", language_code="en")


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
