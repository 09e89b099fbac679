"""What the first pass of shops left out, on Telegram, the console and KakaoTalk
(`any_harness`): the particle after a shop's name, a typed yes to a shop's preview, expired
previews, staff management, the profile's phone and photo, and institutions' own
programmes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conversation import background
from conversation.limits import plain_text
from core.errors import DomainError
from core.events import EventDraft
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.support import count_rows, open_community


def said(calls) -> str:
    return "\n".join(plain_text(call.text) for call in calls if call.text)


async def apply_for(harness, name: str = "마포 떡집") -> None:
    """LEE (#2) applies for a shop taking 40% rounded to 100, skipping what is optional."""
    await harness.send(LEE, "/shop")
    await harness.send(LEE, name)
    for _ in range(10):
        if "퍼센트" in plain_text(harness.last_message_to(LEE).text):
            break
        await harness.tap(LEE, "sha:skip")
    await harness.send(LEE, "40")
    await harness.tap(LEE, "sha:skip")  # no cap
    await harness.tap(LEE, "sha:r:100")
    await harness.tap(LEE, "sha:save")


async def register(harness, name: str = "마포 떡집") -> None:
    await open_community(harness, KIM, (LEE, PARK))
    await apply_for(harness, name)
    await harness.tap(KIM, harness.button_data(KIM, "승인"))


async def test_the_particle_after_a_shop_name_follows_its_last_sound(any_harness):
    harness = any_harness
    await register(harness, "동네 카페")
    assert "동네 카페가 가게 1번으로 승인됐어요" in plain_text(harness.last_message_to(LEE).text)


async def shop_code(harness) -> str:
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT short_code FROM organisations WHERE number = 1") as cursor:
        return (await cursor.fetchone())[0]


async def test_a_typed_yes_sends_a_shop_payment_once(any_harness):
    harness = any_harness
    await register(harness)
    code = await shop_code(harness)
    await harness.send(PARK, f"가게 {code}")
    assert "7,900문은 품앗이로" in said(await harness.send(PARK, "19800"))
    paid = said(await harness.send(PARK, "네"))
    assert "7,900문" in paid and "11,900원" in paid
    assert "7,900문 받음" in plain_text(harness.last_message_to(LEE).text)
    again = said(await harness.send(PARK, "보내기"))  # nothing is left to send
    assert "7,900문" not in again
    assert await count_rows(harness.services, "transfers") == 1
    # the button, then a typed 확인: still once
    await harness.send(PARK, f"가게 {code}")
    await harness.send(PARK, "10000")
    await harness.tap(PARK, harness.button_data(PARK, "보내기"))
    await harness.send(PARK, "확인")
    assert await count_rows(harness.services, "transfers") == 2
    assert "잔액: -11,900문" in said(await harness.send(PARK, "/balance"))
    # a typed no withdraws the open shop check
    await harness.send(PARK, f"가게 {code}")
    await harness.send(PARK, "10000")
    assert "취소" in said(await harness.send(PARK, "아니요"))
    await harness.send(PARK, "네")
    assert await count_rows(harness.services, "transfers") == 2


class _Quiet:
    """A notifier for a sweep that should tell nobody anything."""

    def __init__(self) -> None:
        self.sent = []

    async def deliver(self, notification) -> bool:
        self.sent.append(notification)
        return True


async def payment_status(harness) -> str:
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT status FROM merchant_payments ORDER BY id DESC LIMIT 1") as cursor:
        return (await cursor.fetchone())[0]


async def test_the_sweep_expires_a_forgotten_shop_preview(any_harness, clock):
    harness = any_harness
    await register(harness)
    code = await shop_code(harness)
    await harness.send(PARK, f"가게 {code}")
    await harness.send(PARK, "19800")
    send = harness.button_data(PARK, "보내기")
    quiet = _Quiet()
    clock.advance(timedelta(minutes=9))
    await background.sweep(harness.services, quiet)
    assert await payment_status(harness) == "pending"  # still within its ten minutes
    clock.advance(timedelta(minutes=2))
    await background.sweep(harness.services, quiet)
    assert await payment_status(harness) == "expired" and not quiet.sent
    answer = said(await harness.tap(PARK, send))
    assert "만료" in answer and f"가게 {code}" in answer
    assert "만료" not in said(await harness.send(PARK, "네"))  # nothing waits for a yes
    assert await count_rows(harness.services, "transfers") == 0


async def test_an_institutions_staff_edit_and_cancel_its_own_programmes(any_harness, clock):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await harness.send(KIM, "/institution 마포구립도서관")
    await harness.tap(KIM, "shm:staff:1")
    await harness.tap(KIM, "shm:add:1")  # the staff list's Add
    await harness.send(KIM, "#2")  # LEE runs the library's programmes in chat
    kim = await harness.services.people.resolve(harness.channel, str(KIM.id), KIM.first_name)
    starts = clock.now() + timedelta(days=3)
    for title, organisation_id in (("그림책 읽기", 1), ("운영위원 회의", None)):
        await harness.services.events.create(kim, EventDraft(
            kind="study", title=title, starts_at=starts, ends_at=starts + timedelta(hours=2),
            capacity=10, fee=3000 if organisation_id else 0, organisation_id=organisation_id))
    await harness.send(PARK, "/sessions")
    await harness.tap(PARK, "ev:v:1")
    await harness.tap(PARK, harness.button_data(PARK, "신청"))
    assert "✏️" not in " ".join(label for label, _ in _buttons(harness, PARK))
    # LEE sees the manager's buttons on the library's programme and changes its title
    await harness.send(LEE, "/sessions")
    await harness.tap(LEE, "ev:v:1")
    assert "ev:edit:1" in [data for _, data in _buttons(harness, LEE)]
    await harness.tap(LEE, "ev:edit:1")
    await harness.tap(LEE, "eve:title:1")
    assert "1명에게 알렸어요" in said(await harness.send(LEE, "그림책 함께 읽기"))
    assert "그림책 함께 읽기" in plain_text(harness.last_message_to(PARK).text)
    # …but not the community's own meeting, and PARK runs neither
    await harness.send(LEE, "/sessions")
    await harness.tap(LEE, "ev:v:2")
    assert "ev:edit:2" not in [data for _, data in _buttons(harness, LEE)]
    for user, event_id in ((LEE, 2), (PARK, 1)):
        actor = await harness.services.people.resolve(harness.channel, str(user.id),
                                                      user.first_name)
        with pytest.raises(DomainError):
            await harness.services.events.cancel(actor, event_id)
    assert await _status(harness, 1) == "scheduled"
    assert await _status(harness, 2) == "scheduled"
    # LEE cancels the programme: PARK is told and gets the fee back, audit-logged as LEE
    await harness.send(LEE, "/sessions")
    await harness.tap(LEE, "ev:v:1")
    await harness.tap(LEE, "ev:cancel:1")
    assert "1" in said(await harness.tap(LEE, "ev:cancelok:1"))
    assert "취소됐어요" in plain_text(harness.last_message_to(PARK).text)
    assert await _status(harness, 1) == "cancelled"
    assert "잔액: 0문" in said(await harness.send(PARK, "/balance"))
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT p.display_name FROM audit_log a JOIN people p ON p.id = a.actor_person_id"
            " WHERE a.action = 'event_cancel'") as cursor:
        assert [row[0] for row in await cursor.fetchall()] == [LEE.first_name]
    assert (await harness.services.verify()).ok


def _buttons(harness, user):
    return [(label, data) for label, data in harness.last_message_to(user).buttons]


async def _status(harness, event_id: int) -> str:
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT status FROM events WHERE id = ?", (event_id,)) as cursor:
        return (await cursor.fetchone())[0]


async def test_the_owner_adds_and_removes_staff_who_then_lose_takings_and_refunds(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK, CHOI))
    await apply_for(harness)
    await harness.tap(KIM, harness.button_data(KIM, "승인"))
    await harness.send(LEE, "/shop")
    await harness.tap(LEE, harness.button_data(LEE, "직원"))
    await harness.tap(LEE, harness.button_data(LEE, "직원 추가"))
    assert "#4" in said(await harness.send(LEE, "#4"))  # CHOI joins the staff
    await harness.send(LEE, "/shop")
    listed = said(await harness.tap(LEE, "shm:staff:1"))
    assert "#2 이철수" in listed and "#4" in listed and "(직원)" in listed and "(대표)" in listed
    # PARK pays; CHOI is told, with a refund button
    code = await shop_code(harness)
    await harness.send(PARK, f"가게 {code}")
    await harness.send(PARK, "19800")
    await harness.tap(PARK, harness.button_data(PARK, "보내기"))
    told = harness.last_message_to(CHOI)
    assert "7,900" in plain_text(told.text)
    refund = "mpay:rf:1"
    assert refund in [data for _, data in told.buttons]
    assert "7,900" in said(await harness.send(CHOI, "/takings"))
    # the last owner cannot be removed; CHOI can, at once
    assert "마지막 대표" in said(await harness.tap(LEE, "shm:rm:1:2"))
    removed = said(await harness.tap(LEE, harness.button_data(LEE, "#4")))
    assert "#4" in removed and "결제를 받지 않아요" in removed
    # CHOI reads English on Telegram (the language Telegram gives), Korean elsewhere
    told = plain_text(harness.last_message_to(CHOI).text)
    assert "no longer take payments" in told or "볼 수 없어요" in told
    refused = said(await harness.tap(CHOI, refund))
    assert "Only the shop's staff" in refused or "가게 직원만" in refused
    assert "7,900" not in said(await harness.send(CHOI, "/takings"))
    assert await count_rows(harness.services, "transfers") == 1
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT action, details FROM audit_log WHERE action LIKE 'shop_staff_%'"
            " ORDER BY id") as cursor:
        rows = [(row[0], row[1]) for row in await cursor.fetchall()]
    assert [action for action, _ in rows] == ["shop_staff_add", "shop_staff_remove"]
    assert '"member": 4' in rows[1][1]


def photos(calls) -> list:
    return [call for call in calls if call.method == "sendPhoto"]


async def test_a_shops_phone_and_photo_in_the_dialog_the_menu_and_the_card(any_harness):
    harness = any_harness
    can_upload = hasattr(harness, "send_photo")  # KakaoTalk sends the bot no photos
    await open_community(harness, KIM, (LEE, PARK))
    await harness.send(LEE, "/shop")
    await harness.send(LEE, "마포 떡집")
    for _ in range(4):  # category, address, hours, map
        await harness.tap(LEE, "sha:skip")
    assert "전화번호" in plain_text(harness.last_message_to(LEE).text)
    assert "02-123-4567" in said(await harness.send(LEE, "전화 없음"))  # asked again
    asked = said(await harness.send(LEE, "02-123-4567"))
    if can_upload:
        assert "사진" in asked
        assert "퍼센트" in said(await harness.send_photo(LEE, "SHOP-PHOTO"))
    else:
        assert "카카오톡에서는 사진을 받을 수 없어서" in asked
        await harness.tap(LEE, "sha:skip")
    await harness.send(LEE, "40")
    await harness.tap(LEE, "sha:skip")
    await harness.tap(LEE, "sha:r:100")
    summary = plain_text(harness.last_message_to(LEE).text)
    assert "전화: 02-123-4567" in summary
    assert ("📷 사진 있음" in summary) == can_upload
    await harness.tap(LEE, "sha:save")
    assert "전화: 02-123-4567" in plain_text(harness.last_message_to(KIM).text)
    await harness.tap(KIM, harness.button_data(KIM, "승인"))
    # a member sees the phone on the card, under the photo where the channel shows one
    code = await shop_code(harness)
    card = await harness.send(PARK, f"가게 {code}")
    assert "전화: 02-123-4567" in said(card)
    shown = photos(card)
    assert len(shown) == (1 if can_upload else 0)
    if shown and harness.channel == "telegram":
        assert shown[0].params["photo"] == "SHOP-PHOTO"
        assert "전화: 02-123-4567" in plain_text(shown[0].params["caption"])
    # the owner changes the phone from the shop menu
    await harness.send(LEE, "/shop")
    await harness.tap(LEE, "shm:phone:1")
    assert "전화: 010-1234-5678" in said(await harness.send(LEE, "010-1234-5678"))
    assert "전화: 010-1234-5678" in said(await harness.send(PARK, f"가게 {code}"))
    # …and the photo: replaced where photos can be sent, else said plainly
    await harness.send(LEE, "/shop")
    answer = said(await harness.tap(LEE, "shm:photo:1"))
    if can_upload:
        await harness.send_photo(LEE, "SHOP-PHOTO-2")
        if harness.channel == "telegram":
            shown = photos(await harness.send(PARK, f"가게 {code}"))
            assert [call.params["photo"] for call in shown] == ["SHOP-PHOTO-2"]
        await harness.send(LEE, "/shop")
        await harness.tap(LEE, "shm:photo:1")
        await harness.tap(LEE, "sha:clear")  # the owner takes the photo away
        assert not photos(await harness.send(PARK, f"가게 {code}"))
    else:
        assert "카카오톡에서는 사진을 받을 수 없어서" in answer
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'shop_update'") as cursor:
        assert (await cursor.fetchone())[0] == (3 if can_upload else 1)


async def test_a_typed_yes_answers_the_newer_of_a_shop_check_and_a_payment_check(
        any_harness, clock):
    harness = any_harness
    await register(harness)
    code = await shop_code(harness)
    await harness.send(PARK, f"가게 {code}")
    await harness.send(PARK, "19800")
    clock.advance(timedelta(minutes=1))
    await harness.send(PARK, "/pay #1 1000")
    await harness.send(PARK, "네")  # the payment to #1, shown last
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT amount FROM transfers") as cursor:
        assert [row[0] for row in await cursor.fetchall()] == [1000]
    assert await payment_status(harness) == "pending"
