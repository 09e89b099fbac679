"""An event's numbers as a coordinator writes them: seats (`20명`, `20 명`, `스무 명`,
`열다섯명`, `제한 없음`) and a fee or reward (`3000`, `3천원`, `무료`, `없음`, `0`)."""

from __future__ import annotations

import re

from core.amounts import DEFAULT_UNIT, WON, parse_amount
from core.errors import DomainError
from core.korean_numbers import native_number
from core.when import clean

MAX_SEATS = 10_000
_NO_LIMIT = frozenset({"없음", "없어요", "없습니다", "제한없음", "제한 없음", "제한없어요",
                       "제한 없어요", "무제한", "무한", "상관없음", "상관 없음",
                       "none", "no limit", "unlimited"})
_NOTHING = frozenset({"무료", "공짜", "없음", "없어요", "없습니다", "안 받아요", "안받아요",
                      "안 받음", "안받음", "안 줘요", "안줘요", "무상",
                      "free", "none"})
_SEATS = re.compile(r"(?:최대\s*)?(?P<number>.+?)\s*(?:명|자리|석)?(?:\s*까지)?")


def parse_capacity(text: str) -> int | None:
    """Seats from 1 to 10,000, or None for no limit; `event_capacity_invalid` otherwise."""
    cleaned = clean(text)
    if cleaned in _NO_LIMIT:
        return None
    match = _SEATS.fullmatch(cleaned)
    seats = _seats(match["number"]) if match else None
    if seats is None or not 0 < seats <= MAX_SEATS:
        raise DomainError("event_capacity_invalid", text=text)
    return seats


def _seats(number: str) -> int | None:
    native = native_number(number)
    if native is not None:
        return native
    try:  # digits, `5,000`, Sino-Korean `이십`, `백`
        return None if number.endswith((WON, DEFAULT_UNIT)) else parse_amount(number)
    except DomainError:
        return None


def parse_fee(text: str, unit: str = DEFAULT_UNIT) -> int:
    """A fee or reward: 0 for `무료`, `없음`, `0`, `0원`; else an amount (core/amounts.py)."""
    cleaned = clean(text)
    if cleaned in _NOTHING or re.fullmatch(
            rf"0+\s*(?:{re.escape(unit)}|{DEFAULT_UNIT}|{WON})?", cleaned):
        return 0
    return parse_amount(cleaned, unit)
