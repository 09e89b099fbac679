"""`any_harness`: one scenario, run on every channel the conversation serves."""

from __future__ import annotations

import pytest

from tests.console_support import ConsoleHarness
from tests.kakao_support import KakaoHarness
from tests.support import BotHarness

HARNESSES = {"telegram": BotHarness, "console": ConsoleHarness, "kakao": KakaoHarness}


@pytest.fixture(params=list(HARNESSES))
async def any_harness(request, db_target, clock):
    kind = HARNESSES[request.param]
    harness = await kind.start(db_target, clock)
    yield harness
    await harness.stop()
