"""Notices end to end: audiences, blocked members, RetryAfter, restart mid-broadcast, mute,
group chats."""

from __future__ import annotations

import html
import re
import time
from collections import Counter
from datetime import timedelta

import pytest

from bot.updates import FakeUser
from core.events import EventDraft
from core.notices import NoticeDraft
from handlers.telegram.outbox import WORKERS, WORKERS_KEY, drain
from storage.bulk import seed_large_community
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.support import START, BotHarness, texts


async def community(harness):
    await harness.services.membership.create_community(code="mapo", name="마포 품앗이",
                                                       credit_floor=-300_000, approval="auto")
    await harness.services.membership.add_coordinator(code="mapo", channel="telegram",
                                                      external_id=str(KIM.id))
    await harness.send(KIM, "/start")
    for user in (LEE, PARK, CHOI):
        await harness.join(user, "mapo")


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
    """Who got the notice whose words are `text` (below the header naming the sender)."""
    return sorted(c.chat_id for c in harness.api.calls
                  if c.method == "sendMessage" and c.text.split("\n", 1)[-1] == text)


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
        if call.text.endswith("\n천천히") and refusals["left"] > 0:
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
    report = await first.services.notices.send(actor, NoticeDraft(text="대청소 날", audience="all"),
                                               message="대청소 날")
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


_TAGS = re.compile(r"</?(b|i|u|s|code|pre)>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+);")


def telegram_html_ok(text: str) -> bool:
    """What Telegram's HTML parse mode accepts from us: plain tags only, every other <, > and
    & written as an entity (a raw '<' fails the whole message)."""
    bare = _ENTITY.sub("", _TAGS.sub("", text))
    return not any(char in bare for char in "<>&")


def notices_with(harness, word):
    return [c for c in harness.api.calls if c.method in ("sendMessage", "sendPhoto")
            and word in c.text]


async def test_notice_with_html_characters_arrives_exactly_as_previewed(harness):
    await community(harness)
    body = ('내일 학당 ‹필참> 회비 3,000문 & 간식\n'
            '<a href="https://evil.example/login">여기서 신청</a> <b>꼭</b>')
    preview = await write_notice(harness, body, ["ntc:aud:all"])
    delivered = notices_with(harness, "필참")
    assert sorted(c.chat_id for c in delivered) == sorted([KIM.id, LEE.id, PARK.id, CHOI.id])
    sent = {c.text for c in delivered}
    assert len(sent) == 1  # one rendering for everyone, whatever their language
    (message,) = sent
    # The preview is "<b>미리보기</b>", the message itself, then the recipient count.
    assert preview.split("\n", 1)[1].rsplit("\n\n", 1)[0] == message
    assert telegram_html_ok(message)
    assert "<a href" not in message and '&lt;a href=&quot;https://evil.example' in message
    assert html.unescape(_TAGS.sub("", message)).endswith(body)
    report = harness.last_message_to(KIM).text
    assert "4명 중 4명에게 보냈어요" in report and "연락 안 됨 0명" in report


async def test_photo_notice_caption_is_the_previewed_text(harness):
    await community(harness)
    await harness.send(KIM, "/notice")
    await harness.send(KIM, "사진 <참고> & 안내", photo_file_id="photo-1")
    await harness.tap(KIM, "ntc:aud:all")
    preview = texts(await harness.tap(KIM, "ntc:urg:0"))
    await harness.tap(KIM, "ntc:send:go")
    await drain(harness.application)
    photos = [c for c in harness.api.calls if c.method == "sendPhoto"]
    assert sorted(c.chat_id for c in photos) == sorted([KIM.id, LEE.id, PARK.id, CHOI.id])
    captions = {c.params.get("caption") for c in photos}
    assert len(captions) == 1
    (caption,) = captions
    assert telegram_html_ok(caption) and "사진 &lt;참고&gt; &amp; 안내" in caption
    assert caption in preview


async def test_photo_notice_caption_over_the_telegram_limit_is_refused_at_once(harness):
    await community(harness)
    await harness.send(KIM, "/notice")
    calls = await harness.send(KIM, "가" * 1000, photo_file_id="photo-1")
    assert "900자" in texts(calls) and not any(c.buttons for c in calls)


async def test_delivered_notice_says_which_community_and_coordinator_sent_it(harness):
    await community(harness)
    group = -100777
    await harness.send(KIM, "/link mapo", chat_id=group)
    preview = await write_notice(harness, "토요일 대청소", ["ntc:aud:all"])
    header = "📢 마포 품앗이 공지 · 김영희 운영위원"
    assert header in preview
    delivered = notices_with(harness, "토요일 대청소")
    assert sorted(c.chat_id for c in delivered) == sorted(
        [group, KIM.id, LEE.id, PARK.id, CHOI.id])
    for call in delivered:
        first, rest = call.text.split("\n", 1)
        assert header in first and rest == "토요일 대청소"


class Crash(BaseException):
    """Stands for the process dying in the middle of a send (nothing below catches it)."""


@pytest.mark.parametrize("workers", [1, None])
async def test_crash_mid_broadcast_sends_every_never_tried_member_after_restart(
        tmp_path, clock, workers):
    db = tmp_path / "crash.db"
    first = await BotHarness.start(db, clock)
    await first.stop()
    seed_large_community(db, code="big", members=100, transfers=0, posts=0,
                         first_user_id=5000)
    first = await BotHarness.start(db, clock)
    if workers is not None:
        first.application.bot_data[WORKERS_KEY] = workers
    actor = await first.services.people.resolve("telegram", "5000", "회원1", "member1")
    await first.services.notices.send(actor, NoticeDraft(text="대청소 날", audience="all"),
                                      message="대청소 날")
    attempted = []

    def dies_on_the_38th_send(call):
        if call.text == "대청소 날":
            attempted.append(call.chat_id)
            if len(attempted) == 38:
                raise Crash
        return None

    first.api.fail("sendMessage", dies_on_the_38th_send)
    with pytest.raises(BaseException) as raised:
        await drain(first.application)
    assert isinstance(raised.value, Crash) or raised.value.subgroup(Crash) is not None
    await first.stop()

    second = await BotHarness.start(db, clock)
    try:
        await drain(second.application)
        received = Counter(c.chat_id for h in (first, second) for c in h.api.calls
                           if c.method == "sendMessage" and c.text == "대청소 날")
        async with second.services.db.read() as conn, conn.execute(
                "SELECT CAST(chat_id AS INTEGER), state FROM outbox") as cursor:
            states = dict(await cursor.fetchall())
        uncertain = {chat for chat, state in states.items() if state == "uncertain"}
        assert len(states) == 100 and set(received.values()) == {1}
        assert set(received) | uncertain == set(states)  # nobody never tried is left out
        assert all(states[chat] == "sent" for chat in received if chat not in uncertain)
        if workers == 1:
            assert uncertain == {attempted[-1]}  # only the send in flight when it died
        else:
            assert 1 <= len(uncertain) <= WORKERS  # at most the sends in flight at once
        report = second.last_message_to(FakeUser(5000, "회원1")).text
        assert f"100명 중 {100 - len(uncertain)}명에게 보냈어요." in report
        assert f"{len(uncertain)}곳은 보내던 중에 봇이 멈춰서" in report
    finally:
        await second.stop()


async def publish_offer(harness, user, title):
    await harness.send(user, "/offer")
    await harness.tap(user, "dlg:cat:goods")
    await harness.send(user, title)
    await harness.tap(user, "dlg:skip")
    await harness.tap(user, "dlg:nego")
    await harness.tap(user, "dlg:skip")
    return await harness.tap(user, "dlg:publish")


async def test_a_group_that_removed_the_bot_fails_neither_the_author_nor_other_groups(
        harness, caplog):
    await community(harness)
    kicked, gone, alive = -100201, -100202, -100203
    for group in (kicked, gone, alive):  # in this order: the dead ones are tried first
        await harness.send(KIM, "/link mapo posts", chat_id=group)
    tried = []

    def dead_groups(call):
        tried.append(call.chat_id)
        if call.chat_id == kicked:
            return 403, {"ok": False, "error_code": 403,
                         "description": "Forbidden: bot was kicked from the group chat"}
        if call.chat_id == gone:
            return 400, {"ok": False, "error_code": 400,
                         "description": "Bad Request: chat not found"}
        return None

    harness.api.fail("sendMessage", dead_groups)
    calls = await publish_offer(harness, LEE, "책장 나눔")
    assert "올렸어요" in texts(calls)
    assert [c for c in harness.api.calls if c.chat_id == alive and "책장 나눔" in c.text]
    assert "책장 나눔" in texts(await harness.send(PARK, "/market"))
    assert str(kicked) in caplog.text and str(gone) in caplog.text  # logged
    # The dead links are dropped: neither the next post nor a notice tries them again.
    tried.clear()
    await publish_offer(harness, LEE, "의자 나눔")
    await write_notice(harness, "단톡방 공지", ["ntc:aud:all"])
    assert alive in tried and kicked not in tried and gone not in tried


async def test_a_group_upgraded_to_a_supergroup_keeps_getting_posts_and_notices(harness):
    await community(harness)
    old, new = -100301, -1009999301
    await harness.send(KIM, "/link mapo posts", chat_id=old)
    tried_old = []

    def migrated(call):
        if call.chat_id != old:
            return None
        tried_old.append(call.text)
        return 400, {"ok": False, "error_code": 400,
                     "description": "Bad Request: group chat was upgraded to a supergroup chat",
                     "parameters": {"migrate_to_chat_id": new}}

    harness.api.fail("sendMessage", migrated)
    calls = await publish_offer(harness, LEE, "책장 나눔")
    assert "올렸어요" in texts(calls)
    assert [c for c in harness.api.calls if c.chat_id == new and "책장 나눔" in c.text]
    assert len(tried_old) == 1
    await write_notice(harness, "이사 공지", ["ntc:aud:all"])
    await write_notice(harness, "두 번째 공지", ["ntc:aud:all"])
    assert new in receivers(harness, "이사 공지") and new in receivers(harness, "두 번째 공지")
    assert len(tried_old) == 1  # the link followed the group


async def test_a_notice_to_a_group_upgraded_to_a_supergroup_follows_it(harness):
    await community(harness)
    old, new = -100302, -1009999302
    await harness.send(KIM, "/link mapo", chat_id=old)
    harness.api.fail("sendMessage", lambda call: (400, {
        "ok": False, "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": new}}) if call.chat_id == old else None)
    await write_notice(harness, "이사 공지", ["ntc:aud:all"])
    assert receivers(harness, "이사 공지") == sorted([new, KIM.id, LEE.id, PARK.id, CHOI.id])
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT chat_id FROM group_links") as cursor:
        assert [row[0] for row in await cursor.fetchall()] == [str(new)]


async def test_a_notice_whose_every_row_was_in_flight_is_reported_at_restart(tmp_path, clock):
    first = await BotHarness.start(tmp_path / "bot.db", clock)
    await community(first)
    kim = await first.services.people.resolve("telegram", str(KIM.id), KIM.first_name)
    await first.services.notices.send(kim, NoticeDraft(text="점검", audience="all"),
                                      message="점검")
    assert len(await first.services.notices.claim(10)) == 4  # then the process dies
    await first.stop()
    second = await BotHarness.start(tmp_path / "bot.db", clock)
    try:
        report = second.last_message_to(KIM).text  # told at start-up, nothing left to send
        assert "4명 중 0명에게 보냈어요" in report and "4곳은 보내던 중에 봇이 멈춰서" in report
        assert await drain(second.application) == 0
    finally:
        await second.stop()


async def test_a_notice_queued_before_the_upgrade_goes_out_escaped(tmp_path, clock):
    first = await BotHarness.start(tmp_path / "bot.db", clock)
    await community(first)
    kim = await first.services.people.resolve("telegram", str(KIM.id), KIM.first_name)
    await first.services.notices.send(kim, NoticeDraft(text="회비 <3,000문> & 간식",
                                                       audience="all"), message="-")
    async with first.services.db.write() as conn:  # as the database was before migration 8
        await conn.execute("ALTER TABLE notices DROP COLUMN message")
        await conn.execute("DELETE FROM schema_migrations WHERE version = 8")
    await first.stop()
    second = await BotHarness.start(tmp_path / "bot.db", clock)
    await drain(second.application)
    assert receivers(second, "회비 &lt;3,000문&gt; &amp; 간식") == sorted(
        [KIM.id, LEE.id, PARK.id, CHOI.id])
    await second.stop()
