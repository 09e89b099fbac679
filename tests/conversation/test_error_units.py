"""Amounts in refusals carry the community's unit, like every amount the bot shows."""

from __future__ import annotations

from conversation.limits import plain_text
from tests.conftest import LEE
from tests.conversation.test_free_text_everywhere import neighbours


def said(calls) -> str:
    return "\n".join(plain_text(call.text) for call in calls if call.text)


async def test_over_the_floor_and_too_large_say_the_unit(any_harness):
    harness = any_harness
    await neighbours(harness)  # a floor of -300,000
    refusal = said(await harness.send(LEE, "/pay #3 400000"))
    assert "300,000문" in refusal  # what can still be spent, with its unit
    assert "100,000,000문" in said(await harness.send(LEE, "/pay #3 900000000"))
