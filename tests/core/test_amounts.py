import pytest

from core.amounts import MAX_AMOUNT, amount_words, parse_amount, split_amount
from core.errors import DomainError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5000", 5000),
        ("5,000", 5000),
        ("5000문", 5000),
        ("5,000 문", 5000),
        ("5천", 5000),
        ("1만5천", 15000),
        ("1만 5천", 15000),
        ("1.5만", 15000),
        ("만", 10000),
        ("3천5백", 3500),
        ("5천만", 50_000_000),
        ("１０００", 1000),
        ("7 타임", 7),
        # with 원, as people write it whatever the community's unit
        ("5천원", 5000),
        ("5,000원", 5000),
        ("5000원", 5000),
        ("5000 원", 5000),
        ("5천 원", 5000),
        ("만원", 10000),
        ("만 원", 10000),
        ("2만원", 20000),
        ("1만 5천원", 15000),
        ("1만5천원", 15000),
        ("1,500원", 1500),
        ("₩5,000", 5000),
        ("1억원", 100_000_000),
        # Sino-Korean numerals
        ("오천원", 5000),
        ("오천", 5000),
        ("삼만 오천", 35000),
        ("삼만오천원", 35000),
        ("이만 오천 원", 25000),
        ("천오백", 1500),
        ("천 오백", 1500),
        ("만 오천", 15000),
        ("칠천", 7000),
        ("육천원", 6000),
        ("십만원", 100_000),
        ("백만원", 1_000_000),
        ("천만원", 10_000_000),
        ("일억", 100_000_000),
        ("십오", 15),
        ("이십", 20),
        ("구백구십구", 999),
        ("삼천오백원", 3500),
        ("일원", 1),
        ("오", 5),
        # digits and numerals mixed, spaces between groups
        ("오천5백", 5500),
        ("5천500", 5500),
        ("1만 5000", 15000),
        ("2만 3천 5백", 23500),
        ("3만 5천 원", 35000),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_amount(text, unit="타임" if "타임" in text else "문") == expected


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("2천 타임", "타임", 2000),
        ("오천타임", "타임", 5000),
        ("5천원", "타임", 5000),   # 원 works in every community
        ("5천문", "타임", 5000),   # and so does the default unit
        ("3 냥", "냥", 3),
    ],
)
def test_community_unit(text, unit, expected):
    assert parse_amount(text, unit) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "amount_invalid"),
        ("abc", "amount_invalid"),
        ("5,00", "amount_invalid"),
        ("1만만", "amount_invalid"),
        ("5천5천", "amount_invalid"),
        ("0", "amount_zero"),
        ("0천", "amount_zero"),
        ("0원", "amount_zero"),
        ("-5", "amount_negative"),
        ("-5천", "amount_negative"),
        ("-5000원", "amount_negative"),
        ("1.5", "amount_not_whole"),
        ("1.5원", "amount_not_whole"),
        ("2억", "amount_too_large"),
        ("2억원", "amount_too_large"),
        ("일억 1", "amount_too_large"),
        ("99999999999999999999", "amount_too_large"),
        ("1e5", "amount_invalid"),
        ("5000; DROP TABLE", "amount_invalid"),
        ("원", "amount_invalid"),
        ("오이", "amount_invalid"),       # cucumber, not 5 then 2
        ("이사", "amount_invalid"),       # moving house
        ("오오", "amount_invalid"),
        ("5000 3", "amount_invalid"),     # two numbers, not 50,003
        ("5 천", "amount_invalid"),
        ("천천", "amount_invalid"),
        ("백천", "amount_invalid"),       # places must fall
        ("만억", "amount_invalid"),       # groups must fall
        ("삼만 오천 이만", "amount_invalid"),
        ("오천원원", "amount_invalid"),
        ("5천냥", "amount_invalid"),      # not this community's unit
        ("5천 원 김치", "amount_invalid"),
        ("5천원짜리", "amount_invalid"),
        ("<b>1</b>", "amount_invalid"),
        ("٥٠٠٠", "amount_invalid"),        # only 0-9 are digits here
    ],
)
def test_rejected_forms(text, code):
    with pytest.raises(DomainError) as raised:
        parse_amount(text)
    assert raised.value.code == code


def test_maximum_is_inclusive():
    assert parse_amount(str(MAX_AMOUNT)) == MAX_AMOUNT
    with pytest.raises(DomainError):
        parse_amount(str(MAX_AMOUNT + 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5000 3 apples", (5000, "3 apples")),    # hardening item 14
        ("5천 원 김치", (5000, "김치")),           # hardening item 14
        ("5천원 김치", (5000, "김치")),
        ("5000", (5000, "")),
        ("5000 사과 3개", (5000, "사과 3개")),
        ("1만 5천 떡값", (15000, "떡값")),
        ("1만 5천원", (15000, "")),
        ("삼만 오천 수업료", (35000, "수업료")),
        ("이만 오천 원 반찬", (25000, "반찬")),
        ("1만 2천 5백 원", (12500, "")),
        ("만 원", (10000, "")),
        ("만원 김치", (10000, "김치")),
        ("오천원 반찬", (5000, "반찬")),
        ("천 가방", (1000, "가방")),              # a place word counts as an amount
        ("5천 일 도와줘서", (5000, "일 도와줘서")),  # 일 (work) stays in the memo
        ("5천 오이 3개", (5000, "오이 3개")),
        ("5천 3 apples", (5000, "3 apples")),
        ("5천 3", (5003, "")),                    # nothing follows: the digits count
        ("1만 5000", (15000, "")),
        ("1만 5000 떡", (10000, "5000 떡")),      # a memo follows: only with 원
        ("1만 5000원 떡", (15000, "떡")),
        ("일 원", (1, "")),
        ("오원 사탕", (5, "사탕")),
        ("5000 문 사과", (5000, "사과")),
        ("5,000 원래 빌린 돈", (5000, "원래 빌린 돈")),
        ("5000 3원", (5000, "3원")),
        ("5000 5000", (5000, "5000")),
    ],
)
def test_split_amount_and_memo(text, expected):
    assert split_amount(text.split(), "문") == expected


def test_split_with_a_community_unit():
    assert split_amount(["7", "타임", "청소"], "타임") == (7, "청소")
    assert split_amount(["오천", "타임"], "타임") == (5000, "")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "amount_invalid"),
        ("일 해줬어요", "amount_invalid"),        # a lone 일 is the word, not 1
        ("오이 3개", "amount_invalid"),
        ("오", "amount_invalid"),
        ("원 김치", "amount_invalid"),
        ("abc 5000", "amount_invalid"),
        ("0 사과", "amount_zero"),
        ("-5000 환불", "amount_negative"),
        ("1.5 x", "amount_not_whole"),
        ("2억", "amount_too_large"),
        ("2억 원", "amount_too_large"),
    ],
)
def test_split_refusals_keep_the_clear_error(text, code):
    with pytest.raises(DomainError) as raised:
        split_amount(text.split(), "문")
    assert raised.value.code == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("김영희 5000", 0),
        ("5천원 보내줘", 1),
        ("삼만 오천 원 보내줘", 3),
        ("오천 보내줘", 1),
        ("일 보내줘", 0),
        ("일", 0),
        ("일원", 1),
    ],
)
def test_amount_words(text, expected):
    assert amount_words(text.split()) == expected
