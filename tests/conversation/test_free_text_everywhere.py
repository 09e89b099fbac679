"""Residents' own words, on every channel: the same free Korean text does the same thing on
Telegram, the console and KakaoTalk (the grammar lives in the conversation, written once)."""

from __future__ import annotations

from datetime import timedelta

from conversation.limits import plain_text
from core.events import EventDraft
from tests.conftest import KIM, LEE, PARK
from tests.support import count_rows


def said(calls) -> str:
    return "\n".join(plain_text(call.text) for call in calls if call.text)


async def neighbours(harness) -> None:
    """김영희 (#1, coordinator), 이철수 (#2), 박민지 (#3), joined as if they had agreed."""
    services = harness.services
    await services.membership.create_community(code="mapo", name="마포 품앗이",
                                               credit_floor=-300_000, approval="auto")
    for user in (KIM, LEE, PARK):
        actor = await services.people.resolve(harness.channel, str(user.id), user.first_name)
        if user is KIM:
            await services.membership.add_coordinator(code="mapo", channel=harness.channel,
                                                      external_id=str(user.id))
        await services.membership.join(actor, "mapo")


async def test_balance_and_statement_in_words(any_harness):
    harness = any_harness
    await neighbours(harness)
    assert "잔액: 0문" in said(await harness.send(LEE, "잔액"))
    assert "잔액: 0문" in said(await harness.send(LEE, "내 잔액 알려줘"))
    assert "거래 내역" in said(await harness.send(LEE, "내역"))


async def test_pay_by_name_in_a_sentence_and_yes_pays_once(any_harness):
    harness = any_harness
    await neighbours(harness)
    preview = said(await harness.send(LEE, "박민지한테 5천원 보내줘"))
    assert "#3 박민지" in preview and "5,000문" in preview
    assert "보냈어요" in said(await harness.send(LEE, "네"))
    await harness.send(LEE, "네")  # a second yes finds nothing left to send
    assert await count_rows(harness.services, "transfers") == 1
    assert "잔액: 5,000문" in said(await harness.send(PARK, "잔액"))
    assert (await harness.services.verify()).ok


async def test_charge_in_a_sentence_asks_the_payer(any_harness):
    harness = any_harness
    await neighbours(harness)
    await harness.send(PARK, "이철수한테 3천원 요청")
    asked = plain_text(harness.last_message_to(LEE).text)
    assert "3,000문" in asked and "박민지" in asked


async def test_market_words_and_sessions_in_words(any_harness, clock):
    harness = any_harness
    await neighbours(harness)
    park = await harness.services.people.resolve(harness.channel, str(PARK.id),
                                                 PARK.first_name)
    await harness.services.market.create_post(
        park, kind="offer", category="food", title="떡 나눠 드려요", description="",
        price=3000, photo_file_id=None)
    assert "떡 나눠 드려요" in said(await harness.send(LEE, "장터 떡"))
    kim = await harness.services.people.resolve(harness.channel, str(KIM.id), KIM.first_name)
    starts = clock.now() + timedelta(days=3)
    await harness.services.events.create(kim, EventDraft(
        kind="study", title="품앗이 학당", starts_at=starts,
        ends_at=starts + timedelta(hours=2), capacity=10))
    assert "품앗이 학당" in said(await harness.send(LEE, "학당"))


async def test_what_is_not_understood_offers_the_likely_actions(any_harness):
    harness = any_harness
    await neighbours(harness)
    calls = await harness.send(LEE, "음 그거 있잖아요")
    buttons = [label for call in calls for label, _ in call.buttons]
    assert len(buttons) >= 3  # never a dead end
