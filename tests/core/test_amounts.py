import pytest

from core.amounts import MAX_AMOUNT, parse_amount
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
    ],
)
def test_accepted_forms(text, expected):
    assert parse_amount(text, unit="타임" if "타임" in text else "문") == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "amount_invalid"),
        ("abc", "amount_invalid"),
        ("5,00", "amount_invalid"),
        ("5000원", "amount_invalid"),
        ("1만만", "amount_invalid"),
        ("5천5천", "amount_invalid"),
        ("0", "amount_zero"),
        ("0천", "amount_zero"),
        ("-5", "amount_negative"),
        ("-5천", "amount_negative"),
        ("1.5", "amount_not_whole"),
        ("2억", "amount_too_large"),
        ("99999999999999999999", "amount_too_large"),
        ("1e5", "amount_invalid"),
        ("5000; DROP TABLE", "amount_invalid"),
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
