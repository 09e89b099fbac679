"""The expert pool end to end: listed only with consent, withdrawal removes at once, a
non-member's consent recorded by the coordinator, invitations answered by buttons."""

from __future__ import annotations

from conversation.limits import plain_text
from tests.conftest import KIM, LEE, PARK
from tests.support import ADMIN, count_rows, open_community


def said(calls) -> str:
    return "\n".join(plain_text(call.text) for call in calls if call.text)


async def audit_actions(services) -> list[str]:
    async with services.db.read() as conn, conn.execute(
            "SELECT action FROM audit_log ORDER BY id") as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def test_a_member_is_listed_only_once_they_agree_and_leaves_at_once(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    answer = said(await harness.send(
        KIM, "/expert add #2 | 공동체화폐, 회계 | 마포복지관 | 010-1234-5678"))
    assert "동의" in answer
    asked = plain_text(harness.last_message_to(LEE).text)
    assert "공동체화폐, 회계" in asked and "마포복지관" in asked
    # not listed before consent, neither in the whole pool nor by topic
    assert "이철수" not in said(await harness.send(PARK, "/experts"))
    assert "이철수" not in said(await harness.send(PARK, "/experts 회계"))

    agree = harness.button_data(LEE, "동의")
    assert "전문가" in said(await harness.tap(LEE, agree))
    found = said(await harness.send(PARK, "/experts 회계"))
    assert "이철수" in found and "010-1234-5678" in found
    assert "이철수" not in said(await harness.send(PARK, "/experts 요리"))
    # a second tap changes nothing
    assert "이미" in said(await harness.tap(LEE, agree))

    # the expert leaves: gone at once, for everyone, and their contact with them
    await harness.send(LEE, "/experts")
    await harness.tap(LEE, harness.button_data(LEE, "빠지기"))
    after = said(await harness.send(PARK, "/experts"))
    assert "이철수" not in after and "010-1234-5678" not in after
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT status, contact FROM experts") as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [("withdrawn", "")]
    assert "expert_recommend" in await audit_actions(harness.services)


async def test_a_member_who_says_no_is_never_listed(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await harness.send(KIM, "/expert add #2 | 회계")
    await harness.tap(LEE, harness.button_data(LEE, "괜찮아요"))
    assert "이철수" not in said(await harness.send(PARK, "/experts"))


async def test_a_non_member_is_listed_with_the_consent_the_coordinator_records(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    refused = said(await harness.send(KIM, "/expert add 홍길동 | 마을공동체 | 서울대 | hong@x.org"))
    assert "동의" in refused  # when and how they agreed must be written
    assert await count_rows(harness.services, "experts") == 0
    await harness.send(KIM, "/expert add 홍길동 | 마을공동체 | 서울대 | hong@x.org | "
                            "2026-03-01 전화로 동의")
    listed = said(await harness.send(PARK, "/experts 마을"))
    assert "홍길동" in listed and "hong@x.org" in listed
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT consent_note, consented_at IS NOT NULL FROM experts") as cursor:
        assert tuple(await cursor.fetchone()) == ("2026-03-01 전화로 동의", 1)
    # a member may not remove or recommend; the coordinator may, and it is audit-logged
    assert "운영위원" in said(await harness.send(PARK, "/expert remove 1"))
    assert "운영위원" in said(await harness.send(PARK, "/expert add 김철수 | 회계 | | | 구두"))
    await harness.send(KIM, "/expert remove 1")
    assert "홍길동" not in said(await harness.send(PARK, "/experts"))
    actions = await audit_actions(harness.services)
    assert actions.count("expert_recommend") == 1 and "expert_remove" in actions
    log = said(await harness.send(KIM, "/audit"))
    assert "전문가 추천" in log and "전문가 명단에서 뺌" in log and "expert_" not in log


async def test_an_invited_expert_answers_and_the_coordinator_learns_it(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await harness.send(KIM, "/expert add #3 | 텃밭 가꾸기")
    await harness.tap(PARK, harness.button_data(PARK, "동의"))
    assert "초대" in said(await harness.send(KIM, "/expert invite 1 강의 4월 학당에서"))
    invitation = plain_text(harness.last_message_to(PARK).text)
    assert "강의" in invitation and "4월 학당에서" in invitation
    accept = harness.button_data(PARK, "수락")
    await harness.tap(PARK, accept)
    told = plain_text(harness.last_message_to(KIM).text)
    assert "박민지" in told and "수락" in told
    before = len(harness.sent_to(KIM))
    await harness.tap(PARK, accept)  # a double tap tells nobody twice
    assert len(harness.sent_to(KIM)) == before
    assert "expert_invite" in await audit_actions(harness.services)


async def test_the_pool_is_paged(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE,))
    for number in range(7):
        await harness.send(KIM, f"/expert add 전문가{number} | 회계 | | | 서면 동의")
    first = said(await harness.send(LEE, "/experts 회계"))
    assert "전문가0" in first and "전문가5" not in first
    second = said(await harness.tap(LEE, harness.button_data(LEE, "다음")))
    assert "전문가5" in second and "전문가6" in second and "전문가0" not in second


async def test_a_foundation_admin_recommends_and_removes_without_a_community(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE,))
    await harness.send(ADMIN, "/start")
    await harness.send(ADMIN, "/expert add 홍길동 | 마을공동체 | 서울대 | hong@x.org | "
                              "2026-03-01 이메일로 동의")
    assert "홍길동" in said(await harness.send(LEE, "/experts 마을"))
    await harness.send(ADMIN, "/expert remove 1")
    assert "홍길동" not in said(await harness.send(LEE, "/experts"))
    assert (await audit_actions(harness.services))[-2:] == ["expert_recommend", "expert_remove"]
