"""Joining, approving, invite codes, suspension notices and /whoami, end to end."""

from __future__ import annotations

from bot.updates import FakeUser
from tests.conftest import KIM, LEE, PARK
from tests.support import ADMIN, alerts, count_rows, texts

STRANGER = FakeUser(402, "지나가는사람", "stranger")
GANGNAM_ONLY = FakeUser(403, "강남주민", "gangnam_resident")


async def community_row(harness, code: str):
    async with harness.services.db.read() as conn, conn.execute(
        "SELECT * FROM communities WHERE code = ?", (code,)) as cursor:
        return await cursor.fetchone()


async def membership_status(harness, user: FakeUser, code: str) -> str | None:
    async with harness.services.db.read() as conn, conn.execute(
        "SELECT m.status FROM memberships m JOIN communities c ON c.id = m.community_id"
        " JOIN identities i ON i.person_id = m.person_id"
        " WHERE c.code = ? AND i.external_id = ?", (code, str(user.id))) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None


async def mapo(harness, *, approval: str = "auto"):
    """마포: 김영희 coordinates, 이철수 and 박민지 members (#2, #3), credit floor -300,000."""
    await harness.services.membership.create_community(
        code="mapo", name="마포 품앗이", credit_floor=-300_000, approval="auto")
    await harness.services.membership.add_coordinator(
        code="mapo", channel="telegram", external_id=str(KIM.id))
    await harness.send(KIM, "/start")
    for user in (LEE, PARK):
        await harness.join(user, "mapo")
    if approval != "auto":
        async with harness.services.db.write() as conn:
            await conn.execute("UPDATE communities SET approval = ? WHERE code = 'mapo'",
                               (approval,))


# ----- item 5: chat-made communities are closed by default; codes can be rotated ----------

async def test_newcommunity_starts_with_coordinator_approval_and_floor_zero(harness):
    calls = await harness.send(ADMIN, "/newcommunity eunpyeong 은평 품앗이")
    assert "만들었어요" in texts(calls)
    row = await community_row(harness, "eunpyeong")
    assert (row["name"], row["approval"], row["credit_floor"]) == ("은평 품앗이", "coordinator", 0)
    assert "운영위원 승인" in texts(calls) and "0문" in texts(calls)
    # A stranger who guesses the code only applies; nothing to spend.
    calls = await harness.join(STRANGER, "eunpyeong")
    assert "가입 신청을 전했어요" in texts(calls)
    assert await membership_status(harness, STRANGER, "eunpyeong") == "pending"


async def test_newcommunity_floor_and_approval_are_explicit_choices(harness):
    calls = await harness.send(ADMIN, "/newcommunity seocho 서초 품앗이 floor=-50000 approval=auto")
    assert "만들었어요" in texts(calls)
    row = await community_row(harness, "seocho")
    assert (row["name"], row["approval"], row["credit_floor"]) == ("서초 품앗이", "auto", -50_000)
    await harness.send(ADMIN, "/newcommunity gwanak 관악 품앗이 한도=3만 승인=운영위원")
    row = await community_row(harness, "gwanak")
    assert (row["name"], row["approval"], row["credit_floor"]) == ("관악 품앗이", "coordinator",
                                                                   -30_000)
    calls = await harness.send(ADMIN, "/newcommunity nowon 노원 approval=maybe")
    assert "floor=" in texts(calls) and await community_row(harness, "nowon") is None


async def test_coordinator_rotates_the_join_code(harness):
    await mapo(harness)
    calls = await harness.send(KIM, "/code")
    assert "mapo" in texts(calls) and "start=join_mapo" in texts(calls)

    calls = await harness.send(LEE, "/code mapo2 유출")
    assert "운영위원만" in texts(calls)
    assert await community_row(harness, "mapo") is not None

    calls = await harness.send(KIM, "/code Mapo-2026 단톡방에 코드가 퍼졌어요")
    assert "Mapo-2026" in texts(calls) and "start=join_Mapo-2026" in texts(calls)
    assert await community_row(harness, "mapo") is None

    # The old code and link stop working and say why; the new one works.
    calls = await harness.send(STRANGER, "/start join_mapo")
    assert "바뀌었을 수 있어요" in texts(calls)
    assert await membership_status(harness, STRANGER, "Mapo-2026") is None
    calls = await harness.join(STRANGER, "mapo-2026")
    assert "#4" in texts(calls)

    # Existing members are unaffected.
    assert "보낼 내용을 확인해 주세요" in texts(await harness.send(LEE, "/pay #3 100"))
    log = texts(await harness.send(KIM, "/audit"))
    assert "단톡방에 코드가 퍼졌어요" in log and "mapo" in log and "Mapo-2026" in log


async def test_random_code_button_rotates_once_per_tap(harness):
    await mapo(harness)
    await harness.send(KIM, "/code")
    data = harness.button_data(KIM, "새 코드")
    calls = await harness.tap(KIM, data)
    async with harness.services.db.read() as conn, conn.execute(
        "SELECT code FROM communities") as cursor:
        first = (await cursor.fetchone())[0]
    assert first != "mapo" and first.startswith("mapo-") and first in texts(calls)
    calls = await harness.tap(KIM, data)  # a double tap on the same button changes nothing
    async with harness.services.db.read() as conn, conn.execute(
        "SELECT code FROM communities") as cursor:
        assert (await cursor.fetchone())[0] == first
    assert any("이미" in a for a in alerts(calls))
    calls = await harness.tap(LEE, data.replace("mapo", first))
    assert any("운영위원만" in a for a in alerts(calls))


async def test_code_taken_or_invalid_is_refused(harness):
    await mapo(harness)
    await harness.services.membership.create_community(code="gangnam", name="강남 품앗이")
    assert "이미 쓰이고" in texts(await harness.send(KIM, "/code GANGNAM"))
    assert "3~32자" in texts(await harness.send(KIM, "/code 마포"))
    assert await community_row(harness, "mapo") is not None


# ----- item 8: one notification per application -------------------------------------------

async def test_repeated_join_while_pending_notifies_coordinators_once(harness):
    await mapo(harness, approval="coordinator")
    before = len(harness.api.sent_to(KIM.id))
    first = await harness.join(STRANGER, "mapo")
    assert "가입 신청을 전했어요" in texts(first)
    again = await harness.send(STRANGER, "/join mapo")
    link = await harness.send(STRANGER, "/start join_mapo")
    for calls in (again, link):
        assert "확인하고 있어요" in texts(calls) and "가입 신청을 전했어요" not in texts(calls)
    to_kim = harness.api.sent_to(KIM.id)[before:]
    assert len([c for c in to_kim if STRANGER.first_name in c.text]) == 1

    # A rejected applicant who applies again is a new application: notified again.
    await harness.tap(KIM, harness.button_data(KIM, "거절"))
    await harness.join(STRANGER, "mapo")
    to_kim = harness.api.sent_to(KIM.id)[before:]
    assert len([c for c in to_kim if "가입을 신청했어요" in c.text
                and STRANGER.first_name in c.text]) == 2


# ----- item 19: a waiting applicant is told so -------------------------------------------

async def test_pending_applicant_who_pays_is_told_the_application_waits(harness):
    await mapo(harness, approval="coordinator")
    await harness.join(STRANGER, "mapo")
    for command in ("/pay #2 100", "/market", "/offer"):
        text = texts(await harness.send(STRANGER, command))
        assert "마포 품앗이" in text and "확인하고 있어요" in text, command
        assert "가입한 지역 품앗이가 없어요" not in text
    # After a rejection they are simply not in a community.
    await harness.tap(KIM, harness.button_data(KIM, "거절"))
    assert "가입한 지역 품앗이가 없어요" in texts(await harness.send(STRANGER, "/pay #2 100"))


async def test_member_elsewhere_keeps_trading_while_applying(harness):
    await mapo(harness)
    await harness.services.membership.create_community(
        code="gangnam", name="강남 품앗이", approval="coordinator")
    await harness.join(LEE, "gangnam")
    assert "보낼 내용을 확인해 주세요" in texts(await harness.send(LEE, "/pay #3 100"))


# ----- item 20: /approve covers every community the coordinator runs -----------------------

async def test_approve_lists_applications_of_every_community_coordinated(harness):
    await mapo(harness, approval="coordinator")
    await harness.services.membership.create_community(
        code="gangnam", name="강남 품앗이", approval="coordinator")
    await harness.services.membership.add_coordinator(
        code="gangnam", channel="telegram", external_id=str(KIM.id))
    await harness.join(STRANGER, "mapo")
    await harness.join(GANGNAM_ONLY, "gangnam")
    calls = await harness.send(KIM, "/approve")
    shown = texts(calls)
    assert "지나가는사람" in shown and "마포 품앗이" in shown
    assert "강남주민" in shown and "강남 품앗이" in shown
    gangnam_call = next(c for c in calls if "강남주민" in c.text)
    approve = next(data for label, data in gangnam_call.buttons if "승인" in label)
    await harness.tap(KIM, approve)
    assert await membership_status(harness, GANGNAM_ONLY, "gangnam") == "active"
    # Others see only their own communities.
    assert "강남주민" not in texts(await harness.send(LEE, "/approve"))


# ----- item 18: a suspended member learns why and whom to ask; their posts are gone --------

async def suspend_park_with_a_post(harness):
    await mapo(harness)
    await harness.send(PARK, "/offer")
    await harness.tap(PARK, "dlg:cat:goods")
    await harness.send(PARK, "화분 나눔")
    await harness.tap(PARK, "dlg:skip")
    await harness.send(PARK, "3000")
    await harness.tap(PARK, "dlg:skip")
    await harness.tap(PARK, "dlg:publish")
    await harness.send(LEE, "/market")
    view = harness.button_data(LEE, "1")
    await harness.tap(LEE, view)
    trade = harness.button_data(LEE, "값 보내기")
    await harness.send(LEE, "/charge #3 500 모종값")
    await harness.send(KIM, "/suspend #3 회비 미납 확인 중 " + "(자세한 사정은 회의에서) " * 8)
    return view, trade


async def test_suspended_member_is_told_reason_community_and_whom_to_contact(harness):
    await suspend_park_with_a_post(harness)
    notice = harness.last_message_to(PARK).text
    assert "회비 미납 확인 중" in notice and "마포 품앗이" in notice and "김영희" in notice
    for command in ("/pay #2 100", "/market", "/offer", "/charge #2 100"):
        text = texts(await harness.send(PARK, command))
        assert "정지" in text and "마포 품앗이" in text, command
        assert "회비 미납 확인 중" in text and "김영희" in text and "#1" in text, command
        assert str(KIM.id) not in text, command
    # An old button (accepting a charge made before the suspension) says the same, in an
    # alert short enough for Telegram.
    calls = await harness.tap(PARK, harness.button_data(PARK, "수락"))
    [alert] = [a for a in alerts(calls) if a]
    assert "회비 미납 확인 중" in alert and "김영희 (#1, @younghee)" in alert
    assert len(alert) <= 200 and "…" in alert
    assert await count_rows(harness.services, "transfers") == 0


async def test_old_market_buttons_of_a_suspended_member_say_the_post_is_gone(harness):
    view, trade = await suspend_park_with_a_post(harness)
    for data in (view, trade):
        calls = await harness.tap(LEE, data)
        assert any("이 게시물은 이제 볼 수 없어요" in a for a in alerts(calls)), data
        assert "화분 나눔" not in texts(calls)
    assert await harness.services.verify()
    # Back in the market after reactivation.
    await harness.send(KIM, "/reactivate #3 확인 완료")
    assert "화분 나눔" in texts(await harness.tap(LEE, view))


# ----- item 27: /whoami ------------------------------------------------------------------

async def test_whoami_gives_the_id_and_how_to_appoint(harness):
    text = texts(await harness.send(STRANGER, "/whoami"))
    assert str(STRANGER.id) in text
    assert "pumasi coordinator add --community" in text and f"--telegram-id {STRANGER.id}" in text
