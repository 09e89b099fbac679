"""✉️ 연락하기: the bot carries a message to a post's author or a member and the answer back,
naming people by name and member number only, once per update, within the flood guard."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import CHOI, KIM, LEE, PARK
from tests.handlers.telegram.neighbourhood import membership_of, one, post_offer, world
from tests.support import alerts, count_rows, texts


def labels(calls) -> list[str]:
    return [label for call in calls for label, _ in call.buttons]


async def ask(harness, user, action: str, text: str):
    """Tap a 연락하기 (or Reply) button, then write the message; the calls of both."""
    tapped = await harness.tap(user, action)
    return tapped + await harness.send(user, text)


async def test_round_trip_without_telegram_ids_or_usernames(harness):
    await world(harness)
    post_id = await post_offer(harness, LEE, "떡 나눔")
    assert "✉️ 연락하기" in labels(await harness.tap(PARK, f"post:v:{post_id}"))
    assert "✉️ 연락하기" not in labels(await harness.tap(LEE, f"post:v:{post_id}"))  # the author

    prompt = await harness.tap(PARK, harness.button_data(PARK, "연락하기"))
    assert "‘떡 나눔’에 대해 이철수 (#2) 님께 뭐라고 전할까요?" in texts(prompt)
    sent = await harness.send(PARK, "언제 받으러 가면 될까요? <b>&</b>")
    assert "이철수 (#2) 님께 전했어요" in texts([c for c in sent if c.chat_id == PARK.id])
    told = harness.last_message_to(LEE)
    assert "박민지 (#3) 님이 ‘떡 나눔’에 대해 물어요" in told.text
    assert "언제 받으러 가면 될까요? &lt;b&gt;&amp;&lt;/b&gt;" in told.text
    assert labels([told]) == ["↩️ 답장하기"]

    await harness.tap(LEE, harness.button_data(LEE, "답장하기"))
    await harness.send(LEE, "내일 오후 3시에 오세요")
    answer = harness.last_message_to(PARK)
    assert "이철수 (#2) 님이 ‘떡 나눔’에 대해 답했어요" in answer.text
    assert "내일 오후 3시에 오세요" in answer.text and labels([answer]) == ["↩️ 답장하기"]

    relayed = [call for call in harness.api.calls if call.text or call.buttons]
    for secret in (str(PARK.id), str(LEE.id), PARK.username, LEE.username):
        assert not [call for call in relayed if secret in call.text
                    or any(secret in label for label in labels([call]))]
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT sender_membership_id, recipient_membership_id, post_id, reply_to_id, text"
            " FROM relay_messages ORDER BY id") as cursor:
        rows = [tuple(row) for row in await cursor.fetchall()]
    park, lee = await membership_of(harness, PARK), await membership_of(harness, LEE)
    assert rows == [(park, lee, post_id, None, "언제 받으러 가면 될까요? <b>&</b>"),
                    (lee, park, post_id, 1, "내일 오후 3시에 오세요")]


async def test_a_message_from_the_directory(harness):
    await world(harness)
    await harness.send(PARK, "/directory")
    await harness.tap(PARK, harness.button_data(PARK, "#1 김영희"))
    await ask(harness, PARK, harness.button_data(PARK, "연락하기"), "학당 자리 있나요?")
    told = harness.last_message_to(KIM)
    assert "박민지 (#3) 님이 메시지를 보냈어요" in told.text and "학당 자리 있나요?" in told.text
    await ask(harness, KIM, harness.button_data(KIM, "답장하기"), "네, 있어요")
    assert "김영희 (#1) 님의 답장이에요" in harness.last_message_to(PARK).text
    # Nobody messages a member of another community, even with a forged button.
    calls = await ask(harness, PARK, f"rly:m:{await membership_of(harness, CHOI, 'gangnam')}",
                      "안녕하세요")
    assert any("받을 수 없어요" in alert for alert in alerts(calls))
    assert await count_rows(harness.services, "relay_messages") == 2


async def test_the_author_turns_messages_off(harness):
    await world(harness)
    post_id = await post_offer(harness, LEE, "떡 나눔")
    await harness.tap(PARK, f"post:v:{post_id}")
    old_button = harness.button_data(PARK, "연락하기")
    await harness.tap(PARK, old_button)  # PARK starts writing...

    await harness.send(LEE, "/settings")
    off = await harness.tap(LEE, harness.button_data(LEE, "메시지 받지 않기"))
    assert "연락하기 메시지 받기: 꺼짐" in texts(off)

    late = await harness.send(PARK, "아직 있나요?")  # ...and sends after LEE turned them off
    assert "보내지 않았어요" in texts(late) and "받지 않아요" in texts(late)
    assert "✉️ 연락하기" not in labels(await harness.tap(PARK, f"post:v:{post_id}"))
    calls = await harness.tap(PARK, old_button)
    assert any("이철수 (#2) 님은 지금 봇으로 메시지를 받지 않아요" in a for a in alerts(calls))
    await harness.send(PARK, "그래도 보내요")
    await harness.send(PARK, "/directory")
    entry = await harness.tap(PARK, harness.button_data(PARK, "#2 이철수"))
    assert "✉️ 연락하기" not in labels(entry)
    # With messages off, LEE could get no answer, so LEE cannot write either.
    calls = await harness.tap(LEE, f"rly:m:{await membership_of(harness, PARK)}")
    assert any("꺼 두셔서" in alert for alert in alerts(calls))
    assert await count_rows(harness.services, "relay_messages") == 0
    assert not [c for c in harness.api.sent_to(LEE.id) if "물어요" in c.text]

    await harness.send(LEE, "/settings")
    await harness.tap(LEE, harness.button_data(LEE, "메시지 받기"))
    await ask(harness, PARK, old_button, "다시 켜셨네요")
    assert "다시 켜셨네요" in harness.last_message_to(LEE).text


async def test_flood_guard_per_hour_and_per_pair_per_day(harness):
    await world(harness)
    post_id = await post_offer(harness, LEE, "떡 나눔")

    async def to_lee(number: int):
        return await ask(harness, PARK, f"rly:p:{post_id}", f"질문 {number}")

    for number in range(1, 11):
        assert "전했어요" in texts(await to_lee(number))
    refused = texts(await to_lee(11))
    assert "보내지 않았어요" in refused and "한 시간 동안 메시지를 10건" in refused
    harness.clock.advance(timedelta(minutes=61))
    for number in range(11, 21):
        assert "전했어요" in texts(await to_lee(number))
    harness.clock.advance(timedelta(minutes=61))
    refused = texts(await to_lee(21))
    assert "오늘 이철수 (#2) 님께 메시지를 20건" in refused
    kim = await membership_of(harness, KIM)
    assert "전했어요" in texts(await ask(harness, PARK, f"rly:m:{kim}", "다른 분께"))
    lee_got = [c for c in harness.api.sent_to(LEE.id) if "질문" in c.text]
    assert len(lee_got) == 20 and "질문 11" not in " ".join(c.text for c in lee_got[:10])
    assert await count_rows(harness.services, "relay_messages") == 21
    harness.clock.advance(timedelta(days=1))
    assert "전했어요" in texts(await to_lee(22))


async def test_suspended_members_neither_send_nor_receive(harness):
    await world(harness)
    post_id = await post_offer(harness, LEE, "떡 나눔")
    await ask(harness, PARK, f"rly:p:{post_id}", "첫 질문")
    reply_button = harness.button_data(LEE, "답장하기")
    await harness.tap(PARK, f"rly:p:{post_id}")  # PARK starts another...

    await harness.send(KIM, "/suspend #3 장기 미활동")
    late = texts(await harness.send(PARK, "두 번째 질문"))  # ...and is suspended meanwhile
    assert "정지" in late and "장기 미활동" in late
    calls = await harness.tap(PARK, f"rly:m:{await membership_of(harness, KIM)}")
    assert any("정지" in alert for alert in alerts(calls))
    # Nor does PARK, suspended, receive an answer.
    calls = await harness.tap(LEE, reply_button)
    assert any("받을 수 없어요" in alert for alert in alerts(calls))
    assert await count_rows(harness.services, "relay_messages") == 1

    await harness.send(KIM, "/reactivate #3 확인")
    await harness.send(KIM, "/suspend #2 확인 중")
    calls = await harness.tap(PARK, f"rly:m:{await membership_of(harness, LEE)}")
    assert any("받을 수 없어요" in alert for alert in alerts(calls))
    assert await count_rows(harness.services, "relay_messages") == 1


async def test_a_redelivered_message_is_relayed_once(harness):
    await world(harness)
    post_id = await post_offer(harness, LEE, "떡 나눔")
    await harness.tap(PARK, f"post:v:{post_id}")
    await harness.tap(PARK, harness.button_data(PARK, "연락하기"))
    update = harness.updates.message(PARK, "한 번만 가야 해요")
    await harness.process(update)
    again = await harness.process(update)
    assert not [c for c in again if c.chat_id == LEE.id]
    assert len([c for c in harness.api.sent_to(LEE.id) if "한 번만 가야 해요" in c.text]) == 1
    assert await count_rows(harness.services, "relay_messages") == 1


async def test_cancel_expiry_and_other_peoples_reply_buttons(harness):
    await world(harness)
    post_id = await post_offer(harness, LEE, "떡 나눔")
    await harness.tap(PARK, f"rly:p:{post_id}")
    stopped = await harness.tap(PARK, "rly:cancel")
    assert "아무것도 보내지 않았어요" in texts(stopped)
    await harness.send(PARK, "이건 그냥 혼잣말")
    assert await count_rows(harness.services, "relay_messages") == 0

    await harness.tap(PARK, f"rly:p:{post_id}")
    harness.clock.advance(timedelta(minutes=31))
    late = texts(await harness.send(PARK, "늦은 질문"))
    assert "30분이 넘었어요" in late
    assert await count_rows(harness.services, "relay_messages") == 0

    await ask(harness, PARK, f"rly:p:{post_id}", "질문")
    reply_button = harness.button_data(LEE, "답장하기")
    for stranger in (KIM, PARK, CHOI):  # only the one it was sent to may answer it
        calls = await harness.tap(stranger, reply_button)
        assert any("이 버튼은 더 이상 쓸 수 없어요" in alert for alert in alerts(calls))
    assert await one(harness, "SELECT COUNT(*) FROM dialogs WHERE name = 'relay'") == 0
    # A message to oneself is refused, and a closed post's button answers so.
    calls = await harness.tap(LEE, f"rly:p:{post_id}")
    assert any("본인이에요" in alert for alert in alerts(calls))
    await harness.tap(LEE, f"post:close:{post_id}")
    calls = await harness.tap(PARK, f"rly:p:{post_id}")
    assert any("마감됐거나 기한이 지난 게시물" in alert for alert in alerts(calls))
