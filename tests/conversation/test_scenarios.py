"""The same scenarios on every channel: the flows are written once, so Telegram (through the
real python-telegram-bot adapter and the recording fake Bot API), the console (driving
the conversation directly) and KakaoTalk (skill JSON through the ASGI app, every response
validated) must give the same answers and make the same ledger."""

from __future__ import annotations

from datetime import timedelta

from conversation.limits import plain_text
from core.events import EventDraft
from tests.conftest import KIM, LEE, PARK
from tests.support import count_rows, open_community

# `any_harness` (tests/conversation/conftest.py) runs each on Telegram, the console and Kakao.


def said(calls) -> str:
    """What was shown, as a person reads it (the console prints plain text)."""
    return "\n".join(plain_text(call.text) for call in calls if call.text)


async def community(harness) -> None:
    await open_community(harness, KIM, (LEE, PARK))


async def balance_of(harness, user) -> str:
    return said(await harness.send(user, "/balance"))


async def test_pay_confirm_and_the_payee_is_told(any_harness):
    harness = any_harness
    await community(harness)
    preview = said(await harness.send(LEE, "/pay #3 5천원 떡값"))
    assert "5,000문" in preview and "떡값" in preview
    calls = await harness.tap(LEE, harness.button_data(LEE, "보내기"))
    assert "보냈어요" in said(calls)
    assert "5,000문" in plain_text(harness.last_message_to(PARK).text)  # the payee is told
    assert "잔액: -5,000문" in await balance_of(harness, LEE)
    assert "잔액: 5,000문" in await balance_of(harness, PARK)
    # the same Confirm again pays nothing more
    await harness.tap(LEE, f"pay:ok:{1}")
    assert await count_rows(harness.services, "transfers") == 1
    assert (await harness.services.verify()).ok


async def test_charge_accepted_by_the_payer(any_harness):
    harness = any_harness
    await community(harness)
    await harness.send(PARK, "/charge #2 3000 반찬")
    assert "3,000문" in plain_text(harness.last_message_to(LEE).text)
    calls = await harness.tap(LEE, harness.button_data(LEE, "수락"))
    assert "보냈어요" in said(calls)
    assert "잔액: 3,000문" in await balance_of(harness, PARK)
    assert (await harness.services.verify()).ok


async def test_an_offer_posted_through_the_dialog_is_found_and_paid(any_harness):
    harness = any_harness
    await community(harness)
    await harness.send(PARK, "/offer")
    await harness.tap(PARK, "dlg:cat:food")
    await harness.send(PARK, "김치 담가 드려요")
    await harness.tap(PARK, "dlg:skip")
    await harness.send(PARK, "15000")
    await harness.tap(PARK, "dlg:skip")
    assert "올렸어요" in said(await harness.tap(PARK, "dlg:publish"))
    market = said(await harness.send(LEE, "/market 김치"))
    assert "김치 담가 드려요" in market and "15,000문" in market
    await harness.tap(LEE, "post:v:1")
    await harness.tap(LEE, harness.button_data(LEE, "💳"))
    await harness.tap(LEE, harness.button_data(LEE, "보내기"))
    assert "잔액: 15,000문" in await balance_of(harness, PARK)


async def test_a_study_session_sign_up(any_harness, clock):
    harness = any_harness
    await community(harness)
    kim = await harness.services.people.resolve(harness.channel, str(KIM.id), KIM.first_name)
    starts = clock.now() + timedelta(days=3)
    await harness.services.events.create(kim, EventDraft(
        kind="study", title="품앗이 학당", starts_at=starts, ends_at=starts + timedelta(hours=2),
        capacity=10))
    listed = said(await harness.send(LEE, "/sessions"))
    assert "품앗이 학당" in listed
    await harness.tap(LEE, "ev:v:1")
    calls = await harness.tap(LEE, harness.button_data(LEE, "신청"))
    assert "✅ 신청됐어요" in said(calls)
    assert "품앗이 학당" in said(await harness.send(LEE, "/mysessions"))


async def test_a_notice_reaches_every_member_once(any_harness):
    harness = any_harness
    await community(harness)
    await harness.send(LEE, "/pay #3 1000 떡값")  # left waiting for Lee's tap
    pay = harness.button_data(LEE, "보내기")
    await harness.send(KIM, "/notice")
    await harness.send(KIM, "토요일 대청소해요")
    await harness.tap(KIM, "ntc:aud:all")
    await harness.tap(KIM, "ntc:urg:0")
    assert "3명에게 보내고 있어요" in said(await harness.tap(KIM, "ntc:send:go"))
    await harness.deliver_notices()
    # On Kakao Lee is shown the notice at the top of this tap's answer: still once.
    assert "보냈어요" in said(await harness.tap(LEE, pay))
    for user in (KIM, LEE, PARK):
        got = [call for call in harness.sent_to(user) if call.method == "sendMessage"
               and "토요일 대청소해요" in call.text and "공지" in call.text]
        assert len(got) == 1, user.first_name
