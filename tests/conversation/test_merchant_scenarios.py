"""A shop from application to refund, on Telegram, the console and KakaoTalk (`any_harness`):
register, approve, open it by its QR link or code, pay a bill split into 품앗이 and cash, the
staff told, takings, refund, a new code; an institution's programme booked and paid."""

from __future__ import annotations

from datetime import timedelta

from conversation.limits import plain_text
from core.events import EventDraft
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.support import count_rows, open_community


def said(calls) -> str:
    return "\n".join(plain_text(call.text) for call in calls if call.text)


async def shop_of(harness, number: int = 1):
    """Shop `number` of the first community that has one (numbers repeat across
    communities: without the order PostgreSQL may answer with another community's)."""
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT id, token, short_code, status FROM organisations WHERE number = ?"
            " ORDER BY id LIMIT 1", (number,)) as cursor:
        return await cursor.fetchone()


async def register_shop(harness) -> None:
    """LEE (#2) applies for 마포 떡집 taking 40% rounded to 100; KIM (#1) approves."""
    await harness.send(LEE, "/shop")
    await harness.send(LEE, "마포 떡집")
    await harness.send(LEE, "떡집")
    await harness.tap(LEE, "sha:skip")  # address
    await harness.tap(LEE, "sha:skip")  # hours
    await harness.tap(LEE, "sha:skip")  # map
    await harness.tap(LEE, "sha:skip")  # phone
    await harness.tap(LEE, "sha:skip")  # photo
    await harness.send(LEE, "40")
    await harness.tap(LEE, "sha:skip")  # no cap
    await harness.tap(LEE, "sha:r:100")
    saved = said(await harness.tap(LEE, "sha:save"))
    assert "고마워요! 가게 1번 마포 떡집 신청을 운영위원에게 보냈어요." in saved  # its number
    asked = plain_text(harness.last_message_to(KIM).text)
    assert "마포 떡집" in asked and "가게 1번" in asked  # the shop's number, to the coordinator
    await harness.tap(KIM, harness.button_data(KIM, "승인"))
    assert "승인" in plain_text(harness.last_message_to(LEE).text)


async def test_a_shop_is_registered_paid_refunded_and_its_code_rotated(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    shop = await shop_of(harness)
    assert shop["status"] == "active"
    # the QR's deep link (a code typed elsewhere opens the same shop)
    opened = said(await harness.send(PARK, f"/start shop_{shop['token']}"))
    assert "마포 떡집 (가맹점 1)" in opened and f"가게 {shop['short_code']}" in opened
    preview = said(await harness.send(PARK, "19800원"))
    assert "19,800원 중 7,900문은 품앗이로, 11,900원은 현금으로" in preview
    paid = said(await harness.tap(PARK, harness.button_data(PARK, "보내기")))
    assert "7,900문" in paid and "11,900원" in paid
    told = harness.last_message_to(LEE)
    assert "#3 박민지: 7,900문 받음 · 현금 11,900원 받으세요" in plain_text(told.text)
    refund = next(data for label, data in told.buttons if "환불" in label)  # on that message
    assert "잔액: -7,900문" in said(await harness.send(PARK, "/balance"))
    assert "마포 떡집" in said(await harness.send(PARK, "/history"))  # not "the community"
    # a second Send pays nothing more
    await harness.tap(PARK, "mpay:ok:1")
    assert await count_rows(harness.services, "transfers") == 1
    takings = said(await harness.send(LEE, "/takings"))
    assert "1건" in takings and "7,900문" in takings and "11,900원" in takings
    refunded = said(await harness.tap(LEE, refund))
    assert "7,900문" in refunded
    assert "환불" in plain_text(harness.last_message_to(PARK).text)
    assert "잔액: 0문" in said(await harness.send(PARK, "/balance"))
    # the owner changes the code: the old QR and code say so
    await harness.send(LEE, "/shop")
    await harness.tap(LEE, "shm:rot:1")
    await harness.tap(LEE, harness.button_data(LEE, "코드를 바꿀게요"))  # carries the code
    assert "바뀌었어요" in said(await harness.send(PARK, f"/start shop_{shop['token']}"))
    assert "바뀌었어요" in said(await harness.send(PARK, f"가게 {shop['short_code']}"))
    new = await shop_of(harness)
    assert "마포 떡집" in said(await harness.send(PARK, f"가게 {new['short_code']}"))
    report = await harness.services.verify()
    assert report.ok, report.problems


async def test_the_list_a_suspended_shop_and_another_community(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    listed = said(await harness.send(PARK, "가맹점"))
    assert "1. 마포 떡집" in listed and "40%" in listed  # its number in the list
    assert "마포 떡집" in said(await harness.send(PARK, "/merchants 떡"))
    # the owner changes what the shop accepts from the shop menu
    await harness.send(LEE, "/shop")
    await harness.tap(LEE, harness.button_data(LEE, "받는 비율"))
    await harness.send(LEE, "50")
    await harness.send(LEE, "3천")  # at most 3,000 a bill
    await harness.tap(LEE, "sha:r:1000")
    assert "저장했어요" in said(await harness.tap(LEE, "sha:save"))
    listed = said(await harness.send(PARK, "가게"))
    assert "50%" in listed and "3,000문" in listed
    # someone of another community learns whose shop it is and how to join, not its code
    await harness.services.membership.create_community(code="jongno", name="종로 품앗이")
    await harness.join(CHOI, "jongno")
    shop = await shop_of(harness)
    refused = said(await harness.send(CHOI, f"/start shop_{shop['token']}"))
    assert "마포 떡집" in refused and "마포 품앗이" in refused and "/join" in refused
    assert "mapo" not in refused and "19800" not in refused
    await harness.send(CHOI, "10000")
    assert await count_rows(harness.services, "merchant_payments") == 0
    # a coordinator suspends it while a member has its card open: nobody can pay it
    await harness.send(PARK, f"가게 {shop['short_code']}")
    await harness.send(KIM, f"가게 {shop['short_code']}")
    await harness.tap(KIM, harness.button_data(KIM, "정지"))
    refused = said(await harness.send(PARK, "10000"))
    assert "받을 수 없어요" in refused
    assert await count_rows(harness.services, "transfers") == 0


async def test_an_institution_programme_is_booked_and_paid_to_it(any_harness, clock):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    created = said(await harness.send(KIM, "/institution 마포구립도서관"))
    assert "마포구립도서관" in created
    kim = await harness.services.people.resolve(harness.channel, str(KIM.id), KIM.first_name)
    starts = clock.now() + timedelta(days=3)
    await harness.services.events.create(kim, EventDraft(
        kind="study", title="그림책 읽기", starts_at=starts,
        ends_at=starts + timedelta(hours=2), capacity=10, fee=3000, organisation_id=1))
    card = said(await harness.send(PARK, "가게 1번"))
    assert "그림책 읽기" in card
    assert "그림책 읽기" in said(await harness.send(PARK, "/sessions"))
    await harness.tap(PARK, "ev:v:1")
    assert "✅ 신청됐어요" in said(await harness.tap(PARK, harness.button_data(PARK, "신청")))
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT a.balance FROM accounts a WHERE a.organisation_id = 1") as cursor:
        assert (await cursor.fetchone())[0] == 3000
    assert "잔액: -3,000문" in said(await harness.send(PARK, "/balance"))
    report = await harness.services.verify()
    assert report.ok, report.problems


async def test_words_that_are_no_bill_leave_the_payment(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    shop = await shop_of(harness)
    await harness.send(PARK, f"가게 {shop['short_code']}")
    assert "잔액" in said(await harness.send(PARK, "잔액"))  # the balance, not an error
    assert "품앗이로" not in said(await harness.send(PARK, "19800"))  # no longer a bill…
    await harness.send(PARK, f"가게 {shop['short_code']}")
    assert "금액" in said(await harness.send(PARK, "오천쯤"))  # …an unreadable bill is asked again
    assert "7,900문" in said(await harness.send(PARK, "19800"))


async def test_a_member_pays_less_than_the_most_in_pumasi(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    shop = await shop_of(harness)
    await harness.send(PARK, f"가게 {shop['short_code']}")
    await harness.send(PARK, "19800")
    asked = said(await harness.tap(PARK, harness.button_data(PARK, "적게")))
    assert "최대 7,900문" in asked
    assert "7,900문" in said(await harness.send(PARK, "8000"))  # more than the most: again
    preview = said(await harness.send(PARK, "5천"))
    assert "19,800원 중 5,000문은 품앗이로, 14,800원은 현금으로" in preview
    assert "최대 7,900문보다 적게" in preview
    paid = said(await harness.tap(PARK, harness.button_data(PARK, "보내기")))
    assert "5,000문" in paid and "14,800원" in paid
    told = plain_text(harness.last_message_to(LEE).text)
    assert "#3 박민지: 5,000문 받음 · 현금 14,800원 받으세요" in told
    assert "잔액: -5,000문" in said(await harness.send(PARK, "/balance"))
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT bill, currency, cash, status FROM merchant_payments") as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [
            (19_800, 5_000, 14_800, "paid")]
