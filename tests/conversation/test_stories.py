"""Best-practice stories end to end: nominated, selected by a coordinator, published to the
members as a notice exactly once (double taps, two coordinators), and found by the report."""

from __future__ import annotations

from conversation.limits import plain_text
from tests.conftest import KIM, LEE, PARK
from tests.support import ADMIN, BotHarness, count_rows, open_community

STORY = "이웃 다섯 집이 모여 김장을 함께 했어요. 남은 김치는 경로당에 나눴어요."


def said(calls) -> str:
    return "\n".join(plain_text(call.text) for call in calls if call.text)


def shown(calls) -> str:
    """Messages and button toasts alike (a toast is a message on some channels)."""
    return " ".join(plain_text(call.text or "") + str((getattr(call, "params", None) or {})
                                                      .get("text") or "") for call in calls)


def story_messages(harness, user) -> list:
    """The published story as it reached the member (KakaoTalk may show it as news on top of
    a reply), leaving out the coordinator's preview of it."""
    return [call for call in harness.sent_to(user)
            if STORY in (call.text or "") and "우수사례" in (call.text or "")
            and "알릴까요" not in (call.text or "")]


async def test_nominated_selected_and_published_once(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await harness.send(LEE, "/story")
    assert "추천하기" in said(await harness.send(LEE, STORY))
    submit = harness.button_data(LEE, "추천하기")
    assert "추천됐어요" in said(await harness.tap(LEE, submit))
    await harness.tap(LEE, submit)  # a double tap nominates nothing more
    assert await count_rows(harness.services, "stories") == 1

    assert "운영위원" in said(await harness.send(PARK, "/stories"))  # members can't select
    listed = said(await harness.send(KIM, "/stories"))
    assert "이철수" in listed and "김장" in listed
    preview = said(await harness.tap(KIM, harness.button_data(KIM, "선정하기")))
    assert STORY in preview
    publish = harness.button_data(KIM, "선정하고 알리기")
    assert "선정했어요" in said(await harness.tap(KIM, publish))
    again = await harness.tap(KIM, publish)  # the same tap again publishes nothing
    assert "이미" in shown(again)
    assert await count_rows(harness.services, "notices") == 1
    assert await count_rows(harness.services, "outbox") == 3
    await harness.deliver_notices()
    assert await count_rows(harness.services, "notices") == 1
    for user in (KIM, LEE, PARK):
        assert len(story_messages(harness, user)) == 1, user.first_name
    assert any("선정되어" in plain_text(call.text or "") for call in harness.sent_to(LEE))
    assert "이미" in shown(await harness.tap(KIM, "sty:sel:1"))  # an old Select button
    assert "기다리는 사례가 없어요" in said(await harness.send(KIM, "/stories"))


async def test_two_coordinators_selecting_at_once_publish_once(db_target, clock):
    harness = await BotHarness.start(db_target, clock)
    try:
        await open_community(harness, KIM, (LEE, PARK))
        await harness.services.membership.add_coordinator(code="mapo", channel="telegram",
                                                          external_id=str(LEE.id))
        await harness.send(PARK, "/story")
        await harness.send(PARK, STORY, photo_file_id="PHOTO-1")
        await harness.tap(PARK, harness.button_data(PARK, "추천하기"))
        await harness.tap(KIM, "sty:pub:1")
        assert "이미" in shown(await harness.tap(LEE, "sty:pub:1"))
        await harness.deliver_notices()
        assert await count_rows(harness.services, "notices") == 1
        for user in (KIM, LEE, PARK):
            got = [call for call in harness.sent_to(user) if call.method == "sendPhoto"
                   and STORY in (call.text or "")]
            assert len(got) == 1, user.first_name
        async with harness.services.db.read() as conn, conn.execute(
                "SELECT action FROM audit_log WHERE action = 'story_select'") as cursor:
            assert len(await cursor.fetchall()) == 1
    finally:
        await harness.stop()


async def test_an_admin_of_no_community_selects_from_every_community(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE,))
    await open_community(harness, PARK, (), code="jongno")
    for user in (LEE, PARK):
        await harness.send(user, "/story")
        await harness.send(user, f"{user.first_name}: {STORY}")
        await harness.tap(user, harness.button_data(user, "추천하기"))
    await harness.send(ADMIN, "/start")
    listed = said(await harness.send(ADMIN, "/stories"))
    assert "이철수" in listed and "박민지" in listed and "(2건)" in listed
    await harness.tap(ADMIN, harness.button_data(ADMIN, "2번 읽고 선정하기"))
    assert "선정했어요" in said(await harness.tap(ADMIN, harness.button_data(ADMIN,
                                                                         "선정하고 알리기")))
    await harness.deliver_notices()
    assert [call for call in harness.sent_to(PARK)
            if f"박민지: {STORY}" in (call.text or "") and "우수사례" in (call.text or "")]
    assert not [call for call in harness.sent_to(LEE) if "박민지: " in (call.text or "")]
    assert "이철수" in said(await harness.send(ADMIN, "/stories"))
