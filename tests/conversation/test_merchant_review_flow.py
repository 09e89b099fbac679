"""The merchants review, seen in chat: Cancel after Send tells the truth, a stale preview is
refused when the shop's terms changed, a member with little room is offered what they can
spend, a double tap on "change the code" changes it once, a coordinator's correction of a
shop payment names the shop, tells its staff and leaves the takings, and a refund is never
reversed."""

from __future__ import annotations

from conversation.limits import plain_text
from tests.conftest import KIM, LEE, PARK
from tests.conversation.test_merchant_scenarios import register_shop, said, shop_of
from tests.kakao_support import KakaoHarness
from tests.support import alerts, count_rows, open_community


async def _pay_at_the_shop(harness, bill: str = "19800원") -> None:
    shop = await shop_of(harness)
    await harness.send(PARK, f"/start shop_{shop['token']}")
    await harness.send(PARK, bill)


async def test_cancel_after_send_says_it_was_paid(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    await _pay_at_the_shop(harness)
    await harness.tap(PARK, "mpay:ok:1")
    answer = said(await harness.tap(PARK, "mpay:no:1"))  # the preview's Cancel, after Send
    assert "이미 7,900문 결제했어요" in answer and "환불" in answer
    assert "아무것도 내지 않았어요" not in answer
    assert await count_rows(harness.services, "transfers") == 1
    # a Cancel before Send still cancels
    await _pay_at_the_shop(harness, "10000")
    assert "아무것도 내지 않았어요" in said(await harness.tap(PARK, "mpay:no:2"))
    assert await count_rows(harness.services, "transfers") == 1


async def test_send_and_cancel_leave_no_buttons_on_the_preview(harness):
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    await _pay_at_the_shop(harness)
    sent = await harness.tap(PARK, "mpay:ok:1")
    edits = [call for call in sent if call.method == "editMessageText"]
    assert edits and all(not call.buttons for call in edits)
    cancelled = await harness.tap(PARK, "mpay:no:1")
    edits = [call for call in cancelled if call.method == "editMessageText"]
    assert edits and all(not call.buttons for call in edits)


async def test_send_after_the_shop_changed_its_terms_is_refused(harness):
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    await _pay_at_the_shop(harness)
    await harness.send(LEE, "/shop")
    await harness.tap(LEE, harness.button_data(LEE, "받는 비율"))
    await harness.send(LEE, "10")
    await harness.tap(LEE, "sha:skip")
    await harness.tap(LEE, "sha:r:100")
    await harness.tap(LEE, "sha:save")
    calls = await harness.tap(PARK, "mpay:ok:1")
    assert any("다시 입력" in alert for alert in alerts(calls)), alerts(calls)
    assert any(call.method == "editMessageReplyMarkup" for call in calls)  # buttons gone
    assert await count_rows(harness.services, "transfers") == 0


async def test_a_member_with_little_room_is_offered_what_they_can_spend(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    async with harness.services.db.write() as conn:
        await conn.execute("UPDATE communities SET credit_floor = -3000")
    await register_shop(harness)
    await _pay_at_the_shop(harness)
    preview = said(harness.sent_to(PARK)[-1:])
    assert "19,800원 중 3,000문은 품앗이로, 16,800원은 현금으로" in preview
    assert "7,900문까지 받지만" in preview
    assert "3,000문" in said(await harness.tap(PARK, "mpay:ok:1"))


async def test_a_double_tap_on_change_the_code_changes_it_once(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    old = await shop_of(harness)
    await harness.send(LEE, "/shop")
    await harness.tap(LEE, "shm:rot:1")
    confirm = harness.button_data(LEE, "코드를 바꿀게요")
    assert confirm == f"shm:rot2:1:{old['token']}"  # it carries the code it replaces
    first = said(await harness.tap(LEE, confirm))
    new = await shop_of(harness)
    assert f"가게 {new['short_code']}" in first
    second = said(await harness.tap(LEE, confirm))
    # Telegram and the console reach the flow again; KakaoTalk's single-use token stops it
    assert ("이미 바뀌었어요" in second and f"가게 {new['short_code']}" in second) or (
        isinstance(harness, KakaoHarness) and "이미 처리했어요" in second), second
    assert (await shop_of(harness))["token"] == new["token"]
    assert await count_rows(harness.services, "organisation_old_codes") == 1
    assert "마포 떡집" in said(await harness.send(PARK, f"/start shop_{new['token']}"))


async def test_a_coordinators_correction_of_a_shop_payment_names_the_shop(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    await _pay_at_the_shop(harness)
    await harness.tap(PARK, "mpay:ok:1")
    asked = said(await harness.send(KIM, "/reverse T1 잘못 결제함"))
    assert "마포 떡집" in asked and "공동 계좌" not in asked
    # the shop is no member: the confirmation says who is told, as the answer after it does
    assert "회원과 마포 떡집 직원에게 알려요" in asked and "두 회원" not in asked
    done = said(await harness.tap(KIM, "rev:ok:1"))
    assert "마포 떡집" in done and "회원과 마포 떡집 직원에게 알렸어요" in done
    told = plain_text(harness.last_message_to(LEE).text)
    assert "T1" in told and "마포 떡집" in told
    assert "마포 떡집" in plain_text(harness.last_message_to(PARK).text)
    takings = said(await harness.send(LEE, "/takings"))
    assert "0건" in takings and "운영위원이 되돌림" in takings
    assert "잔액: 0문" in said(await harness.send(PARK, "/balance"))
    report = await harness.services.verify()
    assert report.ok, report.problems


async def test_a_correction_of_a_payment_to_a_shop_without_active_staff_tells_the_member(
        harness):
    """The shop's only staff member is suspended: the confirmation promises what the answer
    after it says, that only the member is told."""
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    await _pay_at_the_shop(harness)
    await harness.tap(PARK, "mpay:ok:1")
    await harness.send(KIM, "/suspend #2 가게 점검 중")
    asked = said(await harness.send(KIM, "/reverse T1 잘못 결제함"))
    assert "회원에게 알려요" in asked and "직원" not in asked
    done = said(await harness.tap(KIM, "rev:ok:1"))
    assert "회원에게 알렸어요" in done and "직원" not in done


async def test_a_refund_cannot_be_reversed_in_chat(harness):
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    await _pay_at_the_shop(harness)
    await harness.tap(PARK, "mpay:ok:1")
    await harness.tap(LEE, harness.button_data(LEE, "환불"))
    refused = said(await harness.send(KIM, "/reverse T2 환불 실수"))
    assert "환불이라" in refused and "되돌릴 수 없어요" in refused
    assert await count_rows(harness.services, "transfers") == 2
