"""A member approved while a survey is open gets its invitation too, once, and can answer."""

from __future__ import annotations

from tests.conftest import CHOI, KIM, LEE, PARK
from tests.handlers.telegram.test_surveys_e2e import imported, send_from_menu
from tests.support import count_rows, open_community, texts

OPEN = """
title: 새 회원도 답하는 설문
anonymous: false
audience: all
questions:
  - kind: scale
    text: 품앗이에 만족하세요?
"""

FOR_COORDINATORS = OPEN.replace("audience: all", "audience: coordinators").replace(
    "새 회원도 답하는", "운영위원 설문")


async def approve(harness, user) -> list:
    await harness.join(user, "mapo")
    return await harness.tap(KIM, harness.button_data(KIM, "승인"))


async def test_a_member_approved_while_a_survey_is_open_is_invited_once(harness, tmp_path):
    await open_community(harness, KIM, (LEE,))
    async with harness.services.db.write() as conn:
        await conn.execute("UPDATE communities SET approval = 'coordinator'")
    survey_id = await imported(harness, tmp_path, OPEN)
    only_coordinators = await imported(harness, tmp_path, FOR_COORDINATORS)
    await send_from_menu(harness, survey_id)
    await send_from_menu(harness, only_coordinators)
    outbox = await count_rows(harness.services, "outbox")

    calls = await approve(harness, PARK)
    assert "박민지" in texts(calls)
    await harness.deliver_notices()
    invitation = harness.last_message_to(PARK)
    assert "새 회원도 답하는 설문" in invitation.text
    assert await count_rows(harness.services, "outbox") == outbox + 1  # not the coordinators'
    answer = harness.button_data(PARK, "설문에 답하기")
    assert "(1/1)" in texts(await harness.tap(PARK, answer))
    await harness.tap(PARK, harness.button_data(PARK, "5"))
    assert "고맙습니다" in harness.last_message_to(PARK).text

    # Leaving and being approved again while it is still open: no second invitation.
    await harness.send(PARK, "/leave")
    await harness.tap(PARK, harness.button_data(PARK, "탈퇴하기"))
    await approve(harness, PARK)
    await harness.deliver_notices()
    assert await count_rows(harness.services, "outbox") == outbox + 1
    assert await count_rows(harness.services, "survey_invites") == 2 + 1 + 1  # KIM, LEE, PARK

    # Once it is closed, one approved later is not invited.
    await harness.send(KIM, "/surveys")
    await harness.tap(KIM, f"svya:v:{survey_id}")
    await harness.tap(KIM, harness.button_data(KIM, "마감"))
    await approve(harness, CHOI)
    await harness.deliver_notices()
    assert await count_rows(harness.services, "outbox") == outbox + 1
    assert "No survey" in texts(await harness.send(CHOI, "/survey"))


async def test_a_member_reinstated_while_a_survey_is_open_is_invited_once(harness, tmp_path):
    await open_community(harness, KIM, (LEE, PARK))
    await harness.send(KIM, "/suspend #3 연락이 안 돼요")
    survey_id = await imported(harness, tmp_path, OPEN)
    await send_from_menu(harness, survey_id)
    await harness.deliver_notices()
    assert await count_rows(harness.services, "survey_invites") == 2  # KIM, LEE
    outbox = await count_rows(harness.services, "outbox")

    await harness.send(KIM, "/reactivate #3 다시 연락돼요")
    await harness.deliver_notices()
    assert "새 회원도 답하는 설문" in harness.last_message_to(PARK).text
    assert await count_rows(harness.services, "outbox") == outbox + 1
    answer = harness.button_data(PARK, "설문에 답하기")
    assert "(1/1)" in texts(await harness.tap(PARK, answer))
    await harness.tap(PARK, harness.button_data(PARK, "5"))
    assert "고맙습니다" in harness.last_message_to(PARK).text

    # Suspended and reinstated again, or one who was invited when it was sent: no second one.
    for number in (3, 2):
        await harness.send(KIM, f"/suspend #{number} 잠시 정지해요")
        await harness.send(KIM, f"/reactivate #{number} 다시 활동해요")
    await harness.deliver_notices()
    assert await count_rows(harness.services, "outbox") == outbox + 1
    assert await count_rows(harness.services, "survey_invites") == 3
