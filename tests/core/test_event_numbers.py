import pytest

from core.errors import DomainError
from core.event_numbers import parse_capacity, parse_fee
from core.korean_numbers import native_number, sino_number


@pytest.mark.parametrize(
    ("text", "seats"),
    [
        ("2", 2), ("2명", 2), ("20 명", 20), ("스무 명", 20), ("스무명", 20), ("두 명", 2),
        ("한명", 1), ("열다섯명", 15), ("서른 다섯 명", 35), ("이십 명", 20), ("백 명", 100),
        ("최대 30명", 30), ("30명까지", 30), ("1,000명", 1000), ("１２명", 12), ("10000", 10000),
        ("제한 없음", None), ("제한없음", None), ("없음", None), ("무제한", None),
        ("none", None),
    ],
)
def test_capacity_understood(text, seats):
    assert parse_capacity(text) == seats


@pytest.mark.parametrize(
    "text", ["0", "0명", "-3", "10001명", "1.5명", "20원", "20문", "많이", "", "스무 명쯤",
             "2명 3명"])
def test_capacity_refused(text):
    with pytest.raises(DomainError) as raised:
        parse_capacity(text)
    assert raised.value.code == "event_capacity_invalid"


@pytest.mark.parametrize(
    ("text", "fee"),
    [
        ("무료", 0), ("없음", 0), ("공짜", 0), ("0", 0), ("0원", 0), ("0문", 0), ("0 품", 0),
        ("free", 0), ("3000", 3000), ("3,000원", 3000), ("3천원", 3000), ("5,000문", 5000),
        ("오천 원", 5000), ("1만", 10000), ("3천 품", 3000),
    ],
)
def test_fee_understood(text, fee):
    assert parse_fee(text, "품") == fee


@pytest.mark.parametrize(
    ("text", "code"),
    [("-5", "amount_negative"), ("abc", "amount_invalid"), ("무료 아님", "amount_invalid"),
     ("1.5", "amount_not_whole")],
)
def test_fee_refused(text, code):
    with pytest.raises(DomainError) as raised:
        parse_fee(text, "품")
    assert raised.value.code == code


def test_korean_number_words():
    assert [native_number(w) for w in ("한", "두", "열", "열두", "스무", "스물다섯", "아흔아홉")] \
        == [1, 2, 10, 12, 20, 25, 99]
    assert [sino_number(w) for w in ("오", "십", "십오", "삼십", "오십구")] == [5, 10, 15, 30, 59]
    assert native_number("일곱시") is None and sino_number("십십") is None
