"""Switching community ends the question a member was answering: whom to pay and how much
belong to the community they leave (a member number typed next would name someone else)."""

from __future__ import annotations

from tests.conftest import PARK
from tests.conversation.test_merchant_scenarios import said
from tests.conversation.test_shop_outsiders import JUNG, _two_communities, _using_jongno


async def _requests(harness) -> list[str]:
    """The community of each payment request opened so far."""
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT c.code FROM trade_requests t JOIN communities c ON c.id = t.community_id"
            " ORDER BY t.id") as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def test_a_switch_ends_the_payment_being_written(any_harness):
    harness = any_harness
    await _two_communities(harness)
    await harness.join(JUNG, "jongno")  # #1 of 종로; in 마포, #1 is 김영희
    await harness.join(PARK, "jongno")
    await harness.send(PARK, "/switch")
    await harness.tap(PARK, harness.button_data(PARK, "마포 품앗이"))
    await harness.send(PARK, "💳 돈 보내기")
    assert "#1 " in said(await harness.send(PARK, "#1"))  # 마포's #1: how much?
    switched = said(await _using_jongno(harness, PARK))
    assert "이제 종로 품앗이에서 거래해요." in switched and "하시던 입력은 멈췄어요." in switched
    answer = said(await harness.send(PARK, "3000"))
    assert "보낼 내용을 확인해 주세요" not in answer  # no payment to either #1
    assert await _requests(harness) == []
    # the community already in use: nothing stops
    await harness.send(PARK, "💳 돈 보내기")
    await harness.send(PARK, "#1")
    assert "멈췄어요" not in said(await _using_jongno(harness, PARK))
    assert "보낼 내용을 확인해 주세요" in said(await harness.send(PARK, "3000"))
    assert await _requests(harness) == ["jongno"]
