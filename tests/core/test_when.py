from datetime import UTC, date, datetime, timedelta

import pytest

from core.errors import DomainError
from core.when import SEOUL, Ambiguous, parse_end, parse_when, read_day, read_when

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SEOUL)  # a Monday morning in Seoul


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/14 15:00", datetime(2026, 3, 14, 15, 0)),
        ("3/14 오후 3시", datetime(2026, 3, 14, 15, 0)),
        ("3월 14일 오후 3시", datetime(2026, 3, 14, 15, 0)),
        ("3월 14일 오후 3시 30분", datetime(2026, 3, 14, 15, 30)),
        ("3월 14일 오전 10시 반", datetime(2026, 3, 14, 10, 30)),
        ("3월14일 15:30", datetime(2026, 3, 14, 15, 30)),
        ("2026년 3월 14일 19시", datetime(2026, 3, 14, 19, 0)),
        ("2026-03-14 15:00", datetime(2026, 3, 14, 15, 0)),
        ("내일 19:30", datetime(2026, 3, 3, 19, 30)),
        ("오늘 오후 7시", datetime(2026, 3, 2, 19, 0)),
        ("모레 오전 9시", datetime(2026, 3, 4, 9, 0)),
        ("내일 오후 12시", datetime(2026, 3, 3, 12, 0)),
        ("내일 오전 12시 30분", datetime(2026, 3, 3, 0, 30)),
        ("내일 저녁 7시", datetime(2026, 3, 3, 19, 0)),
        ("1/5 10:00", datetime(2027, 1, 5, 10, 0)),  # January has passed: next year's
        ("３/１４ １５:００", datetime(2026, 3, 14, 15, 0)),
    ],
)
def test_understood(text, expected):
    assert parse_when(text, NOW) == expected.replace(tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2/30 10:00", "when_impossible"),
        ("13/1 10:00", "when_impossible"),
        ("3/14 25:00", "when_impossible"),
        ("3/14 15:75", "when_impossible"),
        ("3/14 오후 13시", "when_impossible"),
        ("2025-03-14 15:00", "when_past"),
        ("오늘 오전 9시", "when_past"),
        ("3/14", "when_needs_time"),
        ("다음 주쯤", "when_invalid"),
        ("", "when_invalid"),
        ("3/14 15:00 즈음", "when_invalid"),
    ],
)
def test_refused(text, code):
    with pytest.raises(DomainError) as raised:
        parse_when(text, NOW)
    assert raised.value.code == code


def test_end_forms():
    start = datetime(2026, 3, 14, 15, 0, tzinfo=SEOUL)
    assert parse_end("17:00", start) == datetime(2026, 3, 14, 17, 0, tzinfo=SEOUL)
    assert parse_end("오후 5시 30분", start) == datetime(2026, 3, 14, 17, 30, tzinfo=SEOUL)
    assert parse_end("2시간", start) == datetime(2026, 3, 14, 17, 0, tzinfo=SEOUL)
    assert parse_end("1시간 30분", start) == datetime(2026, 3, 14, 16, 30, tzinfo=SEOUL)
    assert parse_end("3/15 12:00", start) == datetime(2026, 3, 15, 12, 0, tzinfo=SEOUL)
    for bad in ("14:00", "0분", "20일"):
        with pytest.raises(DomainError):
            parse_end(bad, start)


# ----- Korean as residents write it: weekdays, weeks, hour words, 오전/오후 hints -------------

TUESDAY = datetime(2026, 3, 3, 10, 0, tzinfo=SEOUL)
WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=SEOUL)
SUNDAY = datetime(2026, 3, 8, 10, 0, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # weeks run Monday to Sunday; NOW is Monday 2 March, 10:00
        ("다음주 화요일 오후 2시", datetime(2026, 3, 10, 14, 0)),
        ("다음 주 화요일 오후 2시", datetime(2026, 3, 10, 14, 0)),
        ("담주 화 오후 2시", datetime(2026, 3, 10, 14, 0)),
        ("다음주 화욜 오후 2시", datetime(2026, 3, 10, 14, 0)),
        ("다다음주 화요일 오후 2시", datetime(2026, 3, 17, 14, 0)),
        ("다다음 주 금 19:00", datetime(2026, 3, 20, 19, 0)),
        ("이번주 화요일 오후 2시", datetime(2026, 3, 3, 14, 0)),
        ("이번 주 일요일 오전 11시", datetime(2026, 3, 8, 11, 0)),
        ("다음주 월요일 10:00", datetime(2026, 3, 9, 10, 0)),
        ("화요일 오후 2시", datetime(2026, 3, 3, 14, 0)),
        ("화 오후 2시", datetime(2026, 3, 3, 14, 0)),
        ("화욜 오후 2시", datetime(2026, 3, 3, 14, 0)),
        ("화요일에 오후 2시에", datetime(2026, 3, 3, 14, 0)),
        ("월요일 오후 2시", datetime(2026, 3, 2, 14, 0)),  # today is Monday: today
        ("일요일 저녁 7시", datetime(2026, 3, 8, 19, 0)),
        ("금요일 19:30", datetime(2026, 3, 6, 19, 30)),
        ("토 11시", datetime(2026, 3, 7, 11, 0)),  # 8–11 without 오전/오후: the morning
        # hours in words
        ("오후 두시", datetime(2026, 3, 2, 14, 0)),  # a time alone: today
        ("오후 두 시", datetime(2026, 3, 2, 14, 0)),
        ("내일 오후 세시", datetime(2026, 3, 3, 15, 0)),
        ("내일 열두시", datetime(2026, 3, 3, 12, 0)),  # 12 is noon
        ("내일 열두 시 반", datetime(2026, 3, 3, 12, 30)),
        ("내일 오후 한시 반", datetime(2026, 3, 3, 13, 30)),
        ("내일 오후 두시 삼십분", datetime(2026, 3, 3, 14, 30)),
        ("내일 오후 2시 반", datetime(2026, 3, 3, 14, 30)),
        ("내일 오후 2시반", datetime(2026, 3, 3, 14, 30)),
        ("내일 오후 2시 30", datetime(2026, 3, 3, 14, 30)),
        ("내일 오전 열한시 십오분", datetime(2026, 3, 3, 11, 15)),
        ("내일 오후 다섯 시 사십오 분", datetime(2026, 3, 3, 17, 45)),
        ("내일 십오시", datetime(2026, 3, 3, 15, 0)),
        ("내일 이십시 삼십분", datetime(2026, 3, 3, 20, 30)),
        ("내일 오후 3시 정각", datetime(2026, 3, 3, 15, 0)),
        # noon, midnight and the words that say which half of the day
        ("내일 정오", datetime(2026, 3, 3, 12, 0)),
        ("내일 자정", datetime(2026, 3, 4, 0, 0)),  # the midnight that ends tomorrow
        ("오늘 자정", datetime(2026, 3, 3, 0, 0)),
        ("내일 밤 12시", datetime(2026, 3, 4, 0, 0)),
        ("내일 밤 9시", datetime(2026, 3, 3, 21, 0)),
        ("내일 밤 2시", datetime(2026, 3, 4, 2, 0)),  # the night's small hours
        ("내일 아침 8시", datetime(2026, 3, 3, 8, 0)),
        ("내일 새벽 5시", datetime(2026, 3, 3, 5, 0)),
        ("내일 낮 2시", datetime(2026, 3, 3, 14, 0)),
        ("내일 낮 11시", datetime(2026, 3, 3, 11, 0)),
        ("내일 점심 12시 반", datetime(2026, 3, 3, 12, 30)),
        ("내일 저녁 여섯시 반", datetime(2026, 3, 3, 18, 30)),
        ("3/14 3pm", datetime(2026, 3, 14, 15, 0)),
        ("3/14 3:30 pm", datetime(2026, 3, 14, 15, 30)),
        # bare hours: 8–11 is the morning; one reading already past leaves the other
        ("내일 9시", datetime(2026, 3, 3, 9, 0)),
        ("모레 10시", datetime(2026, 3, 4, 10, 0)),
        ("내일 11:30", datetime(2026, 3, 3, 11, 30)),
        ("오늘 9시", datetime(2026, 3, 2, 21, 0)),  # 9:00 has passed at 10:00
        ("오늘 3시", datetime(2026, 3, 2, 15, 0)),
        ("3시", datetime(2026, 3, 2, 15, 0)),
        ("일곱시 반", datetime(2026, 3, 2, 19, 30)),
        ("내일 12:30", datetime(2026, 3, 3, 12, 30)),
        ("내일 0시", datetime(2026, 3, 3, 0, 0)),
        ("내일 03:00", datetime(2026, 3, 3, 3, 0)),  # zero-padded: the 24-hour clock
        ("내일 15시", datetime(2026, 3, 3, 15, 0)),
        # more day words and date forms
        ("글피 오후 4시", datetime(2026, 3, 5, 16, 0)),
        ("낼 오후 4시", datetime(2026, 3, 3, 16, 0)),
        ("내일모레 오후 4시", datetime(2026, 3, 4, 16, 0)),
        ("14일 오후 3시", datetime(2026, 3, 14, 15, 0)),
        ("1일 오후 3시", datetime(2026, 4, 1, 15, 0)),  # this month's 1st has passed
        ("3/14(토) 15:00", datetime(2026, 3, 14, 15, 0)),
        ("3월 14일 토요일 오후 3시", datetime(2026, 3, 14, 15, 0)),
        ("3월 14일, 오후 3시", datetime(2026, 3, 14, 15, 0)),
        ("12/25 오전 10시", datetime(2026, 12, 25, 10, 0)),
        ("2/1 오전 10시", datetime(2027, 2, 1, 10, 0)),
        ("다음주 화요일 오후 2시부터", datetime(2026, 3, 10, 14, 0)),
        ("  다음주   화요일   오후  2시 ", datetime(2026, 3, 10, 14, 0)),
        ("내일 오후 2시.", datetime(2026, 3, 3, 14, 0)),
        ("ＰＭ ３시", datetime(2026, 3, 2, 15, 0)),
    ],
)
def test_korean_words_understood(text, expected):
    assert read_when(text, NOW) == expected.replace(tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("text", "morning"),
    [
        ("내일 3시", datetime(2026, 3, 3, 3, 0)),
        ("내일 세 시", datetime(2026, 3, 3, 3, 0)),
        ("내일 3:00", datetime(2026, 3, 3, 3, 0)),
        ("다음주 화요일 2시", datetime(2026, 3, 10, 2, 0)),
        ("화 2시", datetime(2026, 3, 3, 2, 0)),
        ("내일 한시 반", datetime(2026, 3, 3, 1, 30)),
        ("내일 7시", datetime(2026, 3, 3, 7, 0)),
        ("내일 일곱시", datetime(2026, 3, 3, 7, 0)),
        ("14일 두시", datetime(2026, 3, 14, 2, 0)),
        ("3/14 1시", datetime(2026, 3, 14, 1, 0)),
        ("3월 14일 4시 15분", datetime(2026, 3, 14, 4, 15)),
    ],
)
def test_an_hour_from_1_to_7_is_asked_about(text, morning):
    morning = morning.replace(tzinfo=SEOUL)
    assert read_when(text, NOW) == Ambiguous(morning, morning + timedelta(hours=12))
    with pytest.raises(DomainError) as raised:
        parse_when(text, NOW)
    assert raised.value.code == "when_ambiguous"


def test_a_time_alone_falls_on_the_day_being_talked_about():
    tuesday = date(2026, 3, 10)
    assert read_when("4시", NOW, day=tuesday) == Ambiguous(
        datetime(2026, 3, 10, 4, 0, tzinfo=SEOUL), datetime(2026, 3, 10, 16, 0, tzinfo=SEOUL))
    assert read_when("오후 4시", NOW, day=tuesday) == datetime(2026, 3, 10, 16, 0,
                                                               tzinfo=SEOUL)
    # a day named in the text wins over the day being talked about
    assert read_when("내일 오후 4시", NOW, day=tuesday) == datetime(2026, 3, 3, 16, 0,
                                                                   tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        # on a Tuesday, "Tuesday" and "this week's Tuesday" are today, next week's is a week on
        (TUESDAY, "화요일 오후 2시", datetime(2026, 3, 3, 14, 0)),
        (TUESDAY, "이번주 화요일 오후 2시", datetime(2026, 3, 3, 14, 0)),
        (TUESDAY, "다음주 화요일 오후 2시", datetime(2026, 3, 10, 14, 0)),
        # on a Wednesday, "Tuesday" is the coming one, six days on
        (WEDNESDAY, "화요일 오후 2시", datetime(2026, 3, 10, 14, 0)),
        (WEDNESDAY, "다음주 화요일 오후 2시", datetime(2026, 3, 10, 14, 0)),
        (WEDNESDAY, "다다음주 화요일 오후 2시", datetime(2026, 3, 17, 14, 0)),
        # on a Sunday, next week starts tomorrow
        (SUNDAY, "다음주 화요일 오후 2시", datetime(2026, 3, 10, 14, 0)),
        (SUNDAY, "이번주 일요일 오후 2시", datetime(2026, 3, 8, 14, 0)),
        (SUNDAY, "화요일 오후 2시", datetime(2026, 3, 10, 14, 0)),
    ],
)
def test_which_tuesday(now, text, expected):
    assert read_when(text, now) == expected.replace(tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("now", "text", "code"),
    [
        (WEDNESDAY, "이번주 화요일 오후 2시", "when_this_week_past"),
        (SUNDAY, "이번 주 월요일 오전 10시", "when_this_week_past"),
        (TUESDAY, "화요일 오전 9시", "when_past"),  # today's 9:00 has passed: not moved on
        (TUESDAY, "이번주 화요일 오전 9시", "when_past"),
        (NOW, "다음주", "when_invalid"),
        (NOW, "다음주 화요일", "when_needs_time"),
        (NOW, "화요일", "when_needs_time"),
        (NOW, "내일", "when_needs_time"),
        (NOW, "14일", "when_needs_time"),
        (NOW, "3/14(화) 15:00", "when_weekday_mismatch"),
        (NOW, "3월 14일 금요일 오후 3시", "when_weekday_mismatch"),
        (NOW, "내일 오후 13시", "when_impossible"),
        (NOW, "내일 오후 0시", "when_impossible"),
        (NOW, "내일 25시", "when_impossible"),
        (NOW, "내일 오후 두시 육십분", "when_impossible"),
        (NOW, "내일 3시 75분", "when_impossible"),
        (NOW, "4월 31일 오후 3시", "when_impossible"),
        (NOW, "새벽 5시", "when_past"),
        (NOW, "아침 8시", "when_past"),
        (NOW, "03:00", "when_past"),
        (NOW, "어제 오후 3시", "when_past"),
        (NOW, "오늘 오전 1시", "when_past"),
        (NOW, "내일 오후", "when_invalid"),
        (NOW, "내일 저녁", "when_invalid"),
        (NOW, "오후 자정", "when_invalid"),
        (NOW, "다음 화요일 오후 2시", "when_invalid"),
        (NOW, "저번주 화요일 오후 2시", "when_invalid"),
        (NOW, "2시간", "when_invalid"),
        (NOW, "내일 2시쯤", "when_invalid"),
        (NOW, "화요일이나 수요일 3시", "when_invalid"),
    ],
)
def test_korean_words_refused(now, text, code):
    with pytest.raises(DomainError) as raised:
        read_when(text, now)
    assert raised.value.code == code


def test_a_passed_day_of_this_week_is_named():
    with pytest.raises(DomainError) as raised:
        read_when("이번주 화요일 오후 2시", WEDNESDAY)
    assert raised.value.params["day"].date() == date(2026, 3, 3)


START = datetime(2026, 3, 14, 15, 0, tzinfo=SEOUL)
MORNING_START = datetime(2026, 3, 14, 10, 0, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("start", "text", "expected"),
    [
        (START, "2시간", datetime(2026, 3, 14, 17, 0)),
        (START, "두 시간", datetime(2026, 3, 14, 17, 0)),
        (START, "두시간", datetime(2026, 3, 14, 17, 0)),
        (START, "1시간 반", datetime(2026, 3, 14, 16, 30)),
        (START, "한 시간 반", datetime(2026, 3, 14, 16, 30)),
        (START, "1.5시간", datetime(2026, 3, 14, 16, 30)),
        (START, "90분", datetime(2026, 3, 14, 16, 30)),
        (START, "삼십분", datetime(2026, 3, 14, 15, 30)),
        (START, "2시간 동안", datetime(2026, 3, 14, 17, 0)),
        (START, "4시까지", datetime(2026, 3, 14, 16, 0)),  # 4 after 15:00 is 16:00
        (START, "네 시까지", datetime(2026, 3, 14, 16, 0)),
        (START, "5시", datetime(2026, 3, 14, 17, 0)),
        (START, "다섯시 반", datetime(2026, 3, 14, 17, 30)),
        (START, "~16:00", datetime(2026, 3, 14, 16, 0)),
        (START, "~ 4시", datetime(2026, 3, 14, 16, 0)),
        (START, "- 17:30", datetime(2026, 3, 14, 17, 30)),
        (START, "오후 5시까지", datetime(2026, 3, 14, 17, 0)),
        (START, "17시까지", datetime(2026, 3, 14, 17, 0)),
        (START, "저녁 7시", datetime(2026, 3, 14, 19, 0)),
        (START, "자정", datetime(2026, 3, 15, 0, 0)),
        (START, "내일 오후 3시", datetime(2026, 3, 15, 15, 0)),  # 내일 counts from the start
        (MORNING_START, "12시", datetime(2026, 3, 14, 12, 0)),
        (MORNING_START, "1시", datetime(2026, 3, 14, 13, 0)),
        (MORNING_START, "11시", datetime(2026, 3, 14, 11, 0)),
        (MORNING_START, "정오", datetime(2026, 3, 14, 12, 0)),
    ],
)
def test_end_in_words(start, text, expected):
    assert parse_end(text, start) == expected.replace(tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2시", "when_end_before_start"),  # neither 2:00 nor 14:00 is after 15:00
        ("3시", "when_end_before_start"),
        ("오전 11시", "when_end_before_start"),
        ("0분", "when_end_before_start"),
        ("15일", "when_needs_time"),
        ("3/15 3시", "when_ambiguous"),
        ("3/30 10:00", "when_too_long"),
        ("세 시간쯤", "when_invalid"),
        ("오후 5시 75분", "when_impossible"),
    ],
)
def test_end_refused(text, code):
    with pytest.raises(DomainError) as raised:
        parse_end(text, START)
    assert raised.value.code == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("내일", date(2026, 3, 3)),
        ("내일부터", date(2026, 3, 3)),
        ("다음주 월요일", date(2026, 3, 9)),
        ("다음주 수요일에", date(2026, 3, 11)),
        ("4월 1일", date(2026, 4, 1)),
        ("4/1", date(2026, 4, 1)),
        ("2026-04-01", date(2026, 4, 1)),
        ("14일이요", date(2026, 3, 14)),
        ("금요일", date(2026, 3, 6)),
        ("월요일", date(2026, 3, 9)),  # on a Monday: the next one, today being no opening day
        ("월", date(2026, 3, 9)),
        ("이번주 월요일", date(2026, 3, 2)),  # today, written so: refused as an opening day
        ("3월 1일", date(2027, 3, 1)),  # this year's has passed
    ],
)
def test_a_day_alone_reads_as_the_day_of_a_moment(text, expected):
    assert read_day(text, NOW.astimezone(UTC)) == expected


@pytest.mark.parametrize(("text", "code"), [
    ("언젠가", "when_day_invalid"), ("내일 오후 3시", "when_day_invalid"), ("", "when_day_invalid"),
    ("어제", "when_past"), ("2월 30일", "when_impossible"),
])
def test_what_is_not_a_day_is_refused(text, code):
    with pytest.raises(DomainError) as raised:
        read_day(text, NOW)
    assert raised.value.code == code
