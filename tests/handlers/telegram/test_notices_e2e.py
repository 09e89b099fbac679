"""Notices end to end: audiences, blocked members, RetryAfter, restart mid-broadcast, mute,
group chats."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

from bot.updates import FakeUser
from core.events import EventDraft
from core.notices import NoticeDraft
from handlers.telegram.outbox import drain
from storage.bulk import seed_large_community
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.support import START, BotHarness, texts


async def community(harness):
    await harness.services.membership.create_community(code="mapo", name="마포 품앗이")
    await harness.services.membership.add_coordinator(code="mapo", channel="telegram",
                                                      external_id=str(KIM.id))
    await harness.send(KIM, "/start")
    for user in (LEE, PARK, CHOI):
        await harness.send(user, "/join mapo")


async def write_notice(harness, text, audience_buttons, urgent=False):
    await harness.send(KIM, "/notice")
    await harness.send(KIM, text)
    calls = []
    for data in audience_buttons:
        calls = await harness.tap(KIM, data)
    calls = await harness.tap(KIM, "ntc:urg:1" if urgent else "ntc:urg:0")
    preview = texts(calls)
    await harness.tap(KIM, "ntc:send:go")
    await drain(harness.application)
    return preview


def receivers(harness, text):
    return sorted(c.chat_id for c in harness.api.calls
                  if c.method == "sendMessage" and c.text == text)


async def test_three_audiences_reach_exactly_the_right_members(harness):
    await community(harness)
    await harness.send(LEE, "/pay #4 1000")  # 이철수 and 최수진 traded this week
    await harness.tap(LEE, harness.button_data(LEE, "보내기"))
    kim = await harness.services.people.resolve("telegram", str(KIM.id), KIM.first_name)
    event = await harness.services.events.create(kim, EventDraft(
        kind="study", title="학당", starts_at=START + timedelta(days=3),
        ends_at=START + timedelta(days=3, hours=2)))
    await harness.tap(PARK, f"ev:join:{event.event.id}")

    preview = await write_notice(harness, "운영위원 회의 안내", ["ntc:aud:coordinators"])
    assert "1명에게 보내요" in preview
    assert receivers(harness, "운영위원 회의 안내") == [KIM.id]
    await write_notice(harness, "학당 준비물: 필기구", ["ntc:aud:event",
                                                  f"ntc:ev:{event.event.id}"])
    assert receivers(harness, "학당 준비물: 필기구") == [PARK.id]
    await write_notice(harness, "요즘 거래 고마워요", ["ntc:aud:active", "ntc:days:30"])
    assert receivers(harness, "요즘 거래 고마워요") == sorted([LEE.id, CHOI.id])
    await write_notice(harness, "장터에 놀러 오세요", ["ntc:aud:inactive", "ntc:days:30"])
    assert receivers(harness, "장터에 놀러 오세요") == sorted([KIM.id, PARK.id])
    report = harness.last_message_to(KIM).text
    assert "결과: 2명 중 2명에게 보냈어요" in report


async def test_blocked_member_is_reported_unreachable(harness):
    await community(harness)
    harness.api.fail("sendMessage", lambda call: (403, {
        "ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
        if call.chat_id == PARK.id else None)
    await write_notice(harness, "전체 공지", ["ntc:aud:all"])
    assert receivers(harness, "전체 공지") == sorted([KIM.id, LEE.id, CHOI.id])
    report = harness.last_message_to(KIM).text
    assert "연락 안 됨 1명" in report and "4명 중 3명에게 보냈어요" in report
    assert "연락 안 됨 1" in texts(await harness.send(KIM, "/notices"))


async def test_retry_after_pauses_and_resumes(harness):
    await community(harness)
    refusals = {"left": 3}

    def slow_down(call):
        if call.text == "천천히" and refusals["left"] > 0:
            refusals["left"] -= 1
            return 429, {"ok": False, "error_code": 429,
                         "description": "Too Many Requests: retry after 1",
                         "parameters": {"retry_after": 1}}
        return None

    harness.api.fail("sendMessage", slow_down)
    started = time.monotonic()
    await write_notice(harness, "천천히", ["ntc:aud:all"])
    assert time.monotonic() - started >= 1.0  # it waited as asked
    assert receivers(harness, "천천히") == sorted([KIM.id, LEE.id, PARK.id, CHOI.id])
    assert "실패 0명" in harness.last_message_to(KIM).text


async def test_mute_and_urgent(harness):
    await community(harness)
    await harness.send(LEE, "/settings")
    await harness.tap(LEE, "set:ntc:off")
    await write_notice(harness, "보통 공지", ["ntc:aud:all"])
    assert LEE.id not in receivers(harness, "보통 공지")
    await write_notice(harness, "긴급: 단수 안내", ["ntc:aud:all"], urgent=True)
    assert LEE.id in receivers(harness, "긴급: 단수 안내")


async def test_members_cannot_send_notices(harness):
    await community(harness)
    assert "운영위원만" in texts(await harness.send(LEE, "/notice"))


async def test_group_link_notices_and_brief_group_answers(harness):
    await community(harness)
    group = -100123
    calls = await harness.send(LEE, "/link mapo", chat_id=group)  # not a coordinator
    assert "운영위원만" in texts(calls)
    calls = await harness.send(KIM, "/link mapo posts", chat_id=group)
    assert "공지를 받아요" in texts(calls)
    await write_notice(harness, "단톡방에도", ["ntc:aud:all"])
    assert group in receivers(harness, "단톡방에도")
    calls = await harness.send(LEE, "/balance", chat_id=group)
    assert "1:1 대화" in texts(calls) and "잔액" not in texts(calls)
    assert any("t.me/pumasi_bot" in str(c.params.get("reply_markup")) for c in calls)
    await harness.send(LEE, "/offer")
    await harness.tap(LEE, "dlg:cat:goods")
    await harness.send(LEE, "책장 나눔")
    await harness.tap(LEE, "dlg:skip")
    await harness.tap(LEE, "dlg:nego")
    await harness.tap(LEE, "dlg:skip")
    await harness.tap(LEE, "dlg:publish")
    assert any(c.chat_id == group and "책장 나눔" in c.text for c in harness.api.calls)


async def test_restart_in_the_middle_of_500_recipients_delivers_each_once(tmp_path, clock):
    db = tmp_path / "big.db"
    first = await BotHarness.start(db, clock)
    await first.stop()
    seed_large_community(db, code="big", members=500, transfers=0, posts=0,
                         first_user_id=5000)
    first = await BotHarness.start(db, clock)
    coordinator = FakeUser(5000, "회원1", "member1")  # number 1 is the coordinator
    actor = await first.services.people.resolve("telegram", "5000", "회원1", "member1")
    report = await first.services.notices.send(actor, NoticeDraft(text="대청소 날", audience="all"))
    assert report.recipients == 500
    assert await drain(first.application, max_messages=200) == 200
    await first.stop()

    second = await BotHarness.start(db, clock)
    assert await drain(second.application) == 300
    sends = Counter(c.chat_id for h in (first, second) for c in h.api.calls
                    if c.method == "sendMessage" and c.text == "대청소 날")
    assert len(sends) == 500 and set(sends.values()) == {1}
    assert "500명 중 500명에게 보냈어요" in second.last_message_to(coordinator).text
    await second.stop()
