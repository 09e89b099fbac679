"""Study sessions end to end: dialog, sign-ups, waiting list, fees, check-in, edit, cancel."""

from __future__ import annotations

from datetime import timedelta

from storage.timefmt import from_db
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.support import alerts, texts


async def community(harness, **options):
    await harness.services.membership.create_community(code="mapo", name="마포 품앗이",
                                                       **{"credit_floor": -300_000,
                                                          "approval": "auto", **options})
    await harness.services.membership.add_coordinator(code="mapo", channel="telegram",
                                                      external_id=str(KIM.id))
    await harness.send(KIM, "/start")
    for user in (LEE, PARK, CHOI):
        await harness.join(user, "mapo")


async def new_event(harness, *, capacity="2", fee="3000", reward="5000", orientation="0"):
    """A study session on 3/14 15:00–17:00; a fee or reward of None is skipped (none)."""
    await harness.send(KIM, "/newevent")
    await harness.tap(KIM, "evd:kind:study")
    await harness.send(KIM, "품앗이 학당: 공동체 화폐")
    calls = await harness.send(KIM, "3월 14일 오후 3시")
    assert "3월 14일 (토) 오후 3:00" in texts(calls)  # echoed back as understood
    await harness.send(KIM, "2시간")
    await harness.send(KIM, "마포구청 3층 https://naver.me/mapo")
    await harness.send(KIM, "김선생")
    await harness.send(KIM, capacity)
    for amount in (fee, reward):
        if amount is None:
            await harness.tap(KIM, "evd:skip")
        else:
            await harness.send(KIM, amount)
    await harness.tap(KIM, f"evd:ori:{orientation}")
    calls = await harness.tap(KIM, "evd:aud:community")
    assert "이대로 저장할까요" in texts(calls)
    calls = await harness.tap(KIM, "evd:save")
    assert "저장했어요" in texts(calls)
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT MAX(id) FROM events") as cursor:
        return (await cursor.fetchone())[0]


async def membership_of(harness, user) -> int:
    actor = await harness.services.people.resolve("telegram", str(user.id), user.first_name,
                                                  user.username)
    return actor.membership.id


async def balance(harness, user):
    return texts(await harness.send(user, "/balance"))


async def at_start(harness, event_id, *, shift=timedelta(0)):
    """Move the clock to the event's start (plus `shift`), when check-in is open."""
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT starts_at FROM events WHERE id = ?", (event_id,)) as cursor:
        starts = from_db((await cursor.fetchone())[0])
    harness.clock.advance(starts + shift - harness.clock.now())


async def test_capacity_waiting_list_promotion_fees_and_refunds(harness):
    await community(harness)
    event_id = await new_event(harness)
    calls = await harness.send(LEE, "/sessions")
    assert "품앗이 학당: 공동체 화폐" in texts(calls) and "정원 2명 중 2자리 남음" in texts(calls)
    detail = texts(await harness.tap(LEE, f"ev:v:{event_id}"))
    assert "📍 마포구청 3층" in detail and 'href="https://naver.me/mapo"' in detail
    assert "진행: 김선생" in detail and "참가비: 3,000문" in detail

    await harness.tap(LEE, f"ev:join:{event_id}")
    calls = await harness.tap(PARK, f"ev:join:{event_id}")
    assert "신청됐어요" in " ".join(alerts(calls))
    calls = await harness.tap(CHOI, f"ev:join:{event_id}")  # full (최수진 reads English)
    assert any("It's full" in a for a in alerts(calls))
    calls = await harness.tap(CHOI, f"ev:wait:{event_id}")
    assert "waiting list" in " ".join(alerts(calls))
    assert "-3,000문" in await balance(harness, LEE)
    assert "Balance: <b>0 문</b>" in await balance(harness, CHOI)  # no fee while waiting

    calls = await harness.tap(LEE, f"ev:leave:{event_id}")  # well before the cut-off
    assert "돌려드렸어요" in " ".join(alerts(calls))
    assert "잔액: <b>0문</b>" in await balance(harness, LEE)
    assert "A seat opened up" in harness.last_message_to(CHOI).text
    assert "-3,000 문" in await balance(harness, CHOI)
    mine = texts(await harness.send(CHOI, "/mysessions"))
    assert "품앗이 학당" in mine and "✅" in mine
    assert (await harness.services.verify()).ok


async def test_checkin_reward_paid_once_even_when_sent_twice(harness):
    await community(harness)
    event_id = await new_event(harness, fee="1000")
    await harness.tap(LEE, f"ev:join:{event_id}")
    calls = await harness.tap(KIM, f"ev:chk:{event_id}")
    code = next(c for c in calls if "출석 확인" in c.text).text.split("/checkin ")[1][:4]
    await at_start(harness, event_id)
    first = await harness.send(LEE, f"/checkin {code}")
    second = await harness.send(LEE, f"/checkin {code}")
    assert "참석 보상으로 5,000문 드렸어요" in texts(first)
    assert "이미 출석" in texts(second)
    calls = await harness.tap(KIM, f"ev:att:{event_id}:{await membership_of(harness, LEE)}")
    assert "이미 출석" in " ".join(alerts(calls))
    assert "잔액: <b>4,000문</b>" in await balance(harness, LEE)  # -1000 fee + 5000 reward
    # someone not signed up learns nothing about the code, right or wrong
    outsider_code = texts(await harness.send(PARK, f"/checkin {code}"))
    assert "출석할 수 있는 신청 일정이 없어요" in outsider_code
    wrong = "0000" if code != "0000" else "1111"
    outsider_wrong = texts(await harness.send(PARK, f"/checkin {wrong}"))
    assert "출석할 수 있는 신청 일정이 없어요" in outsider_wrong
    assert "맞는 출석 코드가 아니에요" in texts(await harness.send(LEE, f"/checkin {wrong}"))
    assert (await harness.services.verify()).ok


async def test_edit_and_cancel_notify_everyone_signed_up(harness):
    await community(harness)
    event_id = await new_event(harness, fee="2000")
    await harness.tap(LEE, f"ev:join:{event_id}")
    await harness.tap(PARK, f"ev:join:{event_id}")
    await harness.tap(KIM, f"eve:place:{event_id}")
    calls = await harness.send(KIM, "마포 공동체 공간")
    assert "2명에게 알렸어요" in texts(calls)
    for user in (LEE, PARK):
        assert "일정이 바뀌었어요" in harness.last_message_to(user).text
        assert "마포 공동체 공간" in harness.last_message_to(user).text

    await harness.tap(KIM, f"eve:starts_at:{event_id}")
    await harness.send(KIM, "3월 15일 오후 2시")
    assert "3월 15일" in harness.last_message_to(LEE).text

    calls = await harness.tap(LEE, f"ev:cancel:{event_id}")  # members can't cancel events
    assert not any("취소할까요" in c.text for c in calls)
    await harness.tap(KIM, f"ev:cancel:{event_id}")
    calls = await harness.tap(KIM, f"ev:cancelok:{event_id}")
    assert "참가비 2건" in texts(calls)
    for user in (LEE, PARK):
        assert "일정이 취소됐어요" in harness.last_message_to(user).text
        assert "잔액: <b>0문</b>" in await balance(harness, user)
    assert "다가오는 일정이 없어요" in texts(await harness.send(LEE, "/sessions"))
    assert (await harness.services.verify()).ok


async def test_ics_calendar_and_bad_dates(harness):
    await community(harness)
    event_id = await new_event(harness)
    calls = await harness.tap(LEE, f"ev:ics:{event_id}")
    document = next(c for c in calls if c.method == "sendDocument")
    ics = next(iter(document.files.values())).decode()
    assert "BEGIN:VCALENDAR" in ics and "SUMMARY:품앗이 학당: 공동체 화폐" in ics
    assert "DTSTART:20260314T060000Z" in ics  # 15:00 in Seoul
    calls = await harness.send(LEE, "/calendar")  # it is 2026-03-02 in the harness
    assert "2026년 3월" in texts(calls) and "3월 14일 (토) · <b>품앗이 학당" in texts(calls)
    calls = await harness.tap(LEE, harness.button_data(LEE, "4월"))
    assert "이번 달에는 일정이 없어요" in texts(calls)
    await harness.send(KIM, "/newevent")
    await harness.tap(KIM, "evd:kind:meeting")
    await harness.send(KIM, "자문회의")
    assert "없는 날짜나 시간" in texts(await harness.send(KIM, "2월 30일 오후 3시"))
    assert "이미 지난 시간" in texts(await harness.send(KIM, "2026-01-05 10:00"))
    assert "시작하는 걸로 적었어요" in texts(await harness.send(KIM, "내일 19:30"))


async def test_orientation_required_opens_the_account(harness):
    await community(harness, orientation_required=True)
    assert "새 회원 교육에 참석하면" in texts(await harness.send(LEE, "/pay #4 100"))
    event_id = await new_event(harness, orientation="1")  # the fee is dropped: it is free
    await harness.tap(LEE, f"ev:join:{event_id}")
    assert "잔액: <b>0문</b>" in await balance(harness, LEE)
    await harness.tap(KIM, f"ev:chk:{event_id}")
    await at_start(harness, event_id)
    await harness.tap(KIM, f"ev:att:{event_id}:{await membership_of(harness, LEE)}")
    calls = await harness.send(LEE, "/pay #4 100")
    assert "그 회원은 지금 거래할 수 없어요" in texts(calls)  # 최수진 (#4) hasn't been yet
    assert "보낼 내용을 확인해 주세요" in texts(await harness.send(LEE, "/pay #1 100"))


async def test_coordinator_only_audience_is_hidden_from_members(harness):
    await community(harness)
    await harness.send(KIM, "/newevent")
    await harness.tap(KIM, "evd:kind:meeting")
    await harness.send(KIM, "실무협의체")
    await harness.send(KIM, "내일 10:00")
    await harness.send(KIM, "1시간")
    for step in ("evd:skip", "evd:skip", "evd:skip", "evd:skip", "evd:skip", "evd:ori:0",
                 "evd:aud:coordinators", "evd:save"):
        await harness.tap(KIM, step)
    assert "실무협의체" in texts(await harness.send(KIM, "/sessions"))
    assert "실무협의체" not in texts(await harness.send(LEE, "/sessions"))
    calls = await harness.tap(LEE, "ev:join:1")
    assert alerts(calls) and "볼 수 없는 일정" in alerts(calls)[0]


async def test_event_reminders_24h_and_1h_once(harness):
    await community(harness)
    event_id = await new_event(harness)
    await harness.tap(LEE, f"ev:join:{event_id}")
    starts = (await harness.services.events.event(
        await harness.services.people.reload(2), event_id)).event.starts_at
    harness.clock.advance(starts - harness.clock.now() - timedelta(hours=24) + timedelta(
        seconds=1))
    calls = await harness.sweep()
    assert [c.chat_id for c in calls if "알림" in c.text] == [LEE.id]
    assert not [c for c in await harness.sweep() if c.method == "sendMessage"]
    harness.clock.advance(timedelta(hours=23))
    calls = await harness.sweep()
    assert [c.chat_id for c in calls if "곧 시작해요" in c.text] == [LEE.id]
    harness.clock.advance(timedelta(hours=2))
    assert not [c for c in await harness.sweep() if c.method == "sendMessage"]


async def test_my_sessions_shows_the_real_seats_left(harness):
    await community(harness)
    event_id = await new_event(harness, capacity="3")
    await harness.tap(LEE, f"ev:join:{event_id}")
    assert "정원 3명 중 2자리 남음" in texts(await harness.send(LEE, "/mysessions"))
