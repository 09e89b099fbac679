"""The /newevent and edit dialogs in the Korean coordinators write: `다음주 화요일 오후 2시`,
a bare `3시` asked about (오전 or 오후, by button or typed), `2명`, `무료`."""

from __future__ import annotations

from datetime import timedelta

from core.when import SEOUL as KST
from storage.timefmt import from_db
from tests.conftest import KIM, LEE
from tests.handlers.telegram.test_events_e2e import community
from tests.support import alerts, texts


async def begin(harness, title="품앗이 학당: 동네 이야기"):
    await harness.send(KIM, "/newevent")
    await harness.tap(KIM, "evd:kind:study")
    await harness.send(KIM, title)


async def finish(harness, *, end="2시간", capacity="2명", fee="무료", reward="없음"):
    """From the end step to the saved event; the confirmation and the stored row."""
    await harness.send(KIM, end)
    await harness.send(KIM, "마포구청 3층")
    await harness.send(KIM, "김선생")
    for answer in (capacity, fee, reward):
        await harness.send(KIM, answer)
    await harness.tap(KIM, "evd:ori:0")
    confirm = texts(await harness.tap(KIM, "evd:aud:community"))
    assert "저장했어요" in texts(await harness.tap(KIM, "evd:save"))
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT id, starts_at, ends_at, capacity, fee, reward FROM events"
            " ORDER BY id DESC LIMIT 1") as cursor:
        row = await cursor.fetchone()
    return confirm, row


def seoul(stored: str) -> str:
    return from_db(stored).astimezone(KST).strftime("%Y-%m-%d %H:%M")


async def test_next_tuesday_two_seats_and_free(harness):
    await community(harness)  # it is Monday 2 March 2026, 10:00 in Seoul
    await begin(harness)
    calls = await harness.send(KIM, "다음주 화요일 오후 2시")
    assert "3월 10일 (화) 오후 2:00에 시작하는 걸로 적었어요" in texts(calls)
    confirm, row = await finish(harness, end="4시까지", capacity="2명", fee="무료",
                                reward="없음")
    assert "정원: 2명" in confirm and "참가비" not in confirm and "참석 보상" not in confirm
    assert seoul(row["starts_at"]) == "2026-03-10 14:00"
    assert seoul(row["ends_at"]) == "2026-03-10 16:00"
    assert (row["capacity"], row["fee"], row["reward"]) == (2, 0, 0)
    assert "정원 2명 중 2자리 남음" in texts(await harness.send(LEE, "/sessions"))


async def test_a_bare_hour_is_asked_about_and_the_afternoon_button_answers(harness):
    await community(harness)
    await begin(harness)
    calls = await harness.send(KIM, "다음주 수요일 3시")
    asked = texts(calls)
    assert "3월 11일 (수) 오전 3시인가요, 오후 3시인가요?" in asked
    assert "이해했어요" not in asked  # nothing is taken yet, morning least of all
    assert [label for label, _ in calls[-1].buttons] == ["오전 3시", "오후 3시", "취소"]
    calls = await harness.tap(KIM, harness.button_data(KIM, "오후 3시"))
    assert "3월 11일 (수) 오후 3:00에 시작하는 걸로 적었어요" in texts(calls)
    assert "언제 끝나요?" in texts(calls)
    calls = await harness.tap(KIM, harness.button_data(KIM, "오전 3시"))  # the old button
    assert "이미 지난 단계예요" in " ".join(alerts(calls))
    confirm, row = await finish(harness, end="5시", capacity="스무 명", fee="3천원",
                                reward="0")
    assert "정원: 20명" in confirm and "참가비: 3,000문" in confirm
    assert seoul(row["starts_at"]) == "2026-03-11 15:00"
    assert seoul(row["ends_at"]) == "2026-03-11 17:00"
    assert (row["capacity"], row["fee"], row["reward"]) == (20, 3000, 0)


async def test_a_bare_hour_answered_by_typing_afternoon(harness):
    await community(harness)
    await begin(harness)
    assert "오전 3시인가요, 오후 3시인가요?" in texts(await harness.send(KIM, "내일 3시"))
    calls = await harness.send(KIM, "오후")
    assert "3월 3일 (화) 오후 3:00에 시작하는 걸로 적었어요" in texts(calls)
    _, row = await finish(harness)
    assert seoul(row["starts_at"]) == "2026-03-03 15:00"


async def test_the_question_takes_morning_typed_politely_or_another_time(harness):
    await community(harness)
    await begin(harness)
    await harness.send(KIM, "다음주 금요일 7시")
    calls = await harness.send(KIM, "오후 4시")  # a new time, on the day being asked about
    assert "3월 13일 (금) 오후 4:00에 시작하는 걸로 적었어요" in texts(calls)
    await harness.send(KIM, "/cancel")
    await begin(harness)
    await harness.send(KIM, "다음주 금요일 7시")
    calls = await harness.send(KIM, "아침이요")
    assert "3월 13일 (금) 오전 7:00에 시작하는 걸로 적었어요" in texts(calls)


async def test_morning_hours_8_to_11_are_echoed_and_words_are_refused_with_help(harness):
    await community(harness)
    await begin(harness)
    calls = await harness.send(KIM, "다음주 화요일 9시")
    assert "3월 10일 (화) 오전 9:00에 시작하는 걸로 적었어요" in texts(calls)
    await harness.send(KIM, "/cancel")
    await begin(harness)
    calls = await harness.send(KIM, "다음 화요일쯤")
    assert "다음주 화요일 오후 2시" in texts(calls)  # the error shows a form that works
    calls = await harness.send(KIM, "3/14(화) 오후 3시")
    assert "날짜와 요일이 맞지 않아요" in texts(calls) and "3월 14일 (토)" in texts(calls)
    await harness.send(KIM, "다음주 화요일 오후 2시")
    await harness.send(KIM, "2시간")
    await harness.send(KIM, "마포구청")
    await harness.send(KIM, "김선생")
    calls = await harness.send(KIM, "0명")
    assert "없음" in texts(calls)  # the refusal says how to write "no limit"
    calls = await harness.send(KIM, "제한 없음")
    assert "참가비가 있나요?" in texts(calls)


async def test_editing_the_start_asks_about_a_bare_hour_too(harness):
    await community(harness)
    await begin(harness)
    await harness.send(KIM, "3월 14일 오후 3시")
    _, row = await finish(harness, end="2시간")
    event_id = row["id"]
    await harness.tap(LEE, f"ev:join:{event_id}")
    await harness.tap(KIM, f"eve:starts_at:{event_id}")
    calls = await harness.send(KIM, "다음주 목요일 4시")
    assert "오전 4시인가요, 오후 4시인가요?" in texts(calls)
    assert "바꿨어요" not in texts(calls)
    calls = await harness.tap(KIM, harness.button_data(KIM, "오후 4시"))
    assert "3월 12일 (목) 오후 4:00에 시작하는 걸로 적었어요" in texts(calls)
    assert "1명에게 알렸어요" in texts(calls)
    assert "3월 12일" in harness.last_message_to(LEE).text
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT starts_at, ends_at FROM events WHERE id = ?", (event_id,)) as cursor:
        starts, ends = await cursor.fetchone()
    assert (seoul(starts), seoul(ends)) == ("2026-03-12 16:00", "2026-03-12 18:00")
    calls = await harness.tap(KIM, harness.button_data(KIM, "오후 4시"))  # tapped again
    assert "이미 지난 단계예요" in " ".join(alerts(calls))


async def test_a_reading_that_has_passed_while_asking_is_refused_and_the_other_stays(harness):
    await community(harness)
    await begin(harness)
    await harness.send(KIM, "내일 3시")  # Tuesday 3:00 or 15:00, both ahead on Monday
    harness.clock.advance(timedelta(hours=18))  # Tuesday 4:00: the morning one has passed
    calls = await harness.tap(KIM, harness.button_data(KIM, "오전 3시"))
    assert "이미 지난 시간" in " ".join(alerts(calls))
    calls = await harness.tap(KIM, harness.button_data(KIM, "오후 3시"))
    assert "3월 3일 (화) 오후 3:00에 시작하는 걸로 적었어요" in texts(calls)
