from datetime import datetime

import pytest

from core.errors import DomainError
from core.when import SEOUL, parse_end, parse_when

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
