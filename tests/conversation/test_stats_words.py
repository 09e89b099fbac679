"""Figures read as sentences: months by name, counts with their counter, amounts with the
unit (not `3: 12 · 285,000`)."""

from __future__ import annotations

from conversation.limits import plain_text
from tests.conftest import KIM, LEE
from tests.conversation.test_free_text_everywhere import neighbours


async def test_stats_by_month_say_the_month_and_count_trades(any_harness):
    harness = any_harness
    await neighbours(harness)
    for amount in ("700", "800"):
        await harness.send(LEE, f"/pay #3 {amount}")
        await harness.send(LEE, "네")
    calls = await harness.send(KIM, "/stats")
    shown = "\n".join(plain_text(call.text) for call in calls if call.text)
    assert "3월: 거래 2건 · 1,500문" in shown  # the harness's clock is in March 2026


async def test_the_calendar_buttons_name_the_months(any_harness):
    harness = any_harness
    await neighbours(harness)
    calls = await harness.send(LEE, "/calendar")
    labels = [label for call in calls for label, _ in call.buttons]
    assert "◀ 2월" in labels and "4월 ▶" in labels
