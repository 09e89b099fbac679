"""Amounts typed by people: `5000`, `5,000`, `5000문`, `5천`, `1만5천`, `1.5만`."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from core.errors import DomainError

MAX_AMOUNT = 100_000_000  # 1억: far above any real trade in a local group

_SMALL_MULTIPLIERS = {"천": 1_000, "백": 100}
_PART = re.compile(r"(\d[\d,]*(?:\.\d+)?)?(천|백)?")


def parse_amount(text: str, unit: str = "문") -> int:
    """Return a positive whole amount or raise DomainError with a code naming the problem."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    for suffix in (unit, "문"):
        if suffix and cleaned.endswith(suffix):
            cleaned = cleaned[: -len(suffix)].strip()
            break
    if cleaned.startswith("-") or cleaned.startswith("−"):
        raise DomainError("amount_negative", text=text)
    if not cleaned:
        raise DomainError("amount_invalid", text=text)
    total = _parse_korean_number(cleaned, text)
    if total == 0:
        raise DomainError("amount_zero", text=text)
    if total > MAX_AMOUNT:
        raise DomainError("amount_too_large", text=text, maximum=MAX_AMOUNT)
    return total


def _parse_korean_number(cleaned: str, original: str) -> int:
    """Korean numbers group by 억 and 만; inside a group 천 and 백 count down (5천만 = 5천 x 만)."""
    rest = cleaned.replace(" ", "")
    total = Decimal(0)
    for word, multiplier in (("억", 100_000_000), ("만", 10_000)):
        if word in rest:
            head, rest = rest.split(word, 1)
            if word in rest:
                raise DomainError("amount_invalid", text=original)
            total += _parse_group(head, original, empty_is_one=True) * multiplier
    if rest:
        total += _parse_group(rest, original, empty_is_one=False)
    if total != total.to_integral_value():
        raise DomainError("amount_not_whole", text=original)
    return int(total)


def _parse_group(group: str, original: str, *, empty_is_one: bool) -> Decimal:
    if not group:
        if empty_is_one:
            return Decimal(1)
        raise DomainError("amount_invalid", text=original)
    position = 0
    total = Decimal(0)
    last_multiplier: int | None = None
    while position < len(group):
        match = _PART.match(group, position)
        if match is None or match.end() == position:
            raise DomainError("amount_invalid", text=original)
        digits, word = match.group(1), match.group(2)
        value = _to_decimal(digits, original) if digits else Decimal(1)
        multiplier = _SMALL_MULTIPLIERS[word] if word else 1
        if word is None and match.end() != len(group):
            raise DomainError("amount_invalid", text=original)
        if last_multiplier is not None and multiplier >= last_multiplier:
            raise DomainError("amount_invalid", text=original)
        last_multiplier = multiplier
        total += value * multiplier
        position = match.end()
    return total


def _to_decimal(digits: str, original: str) -> Decimal:
    if "," in digits and not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", digits):
        raise DomainError("amount_invalid", text=original)
    if len(digits) > 15:
        raise DomainError("amount_too_large", text=original, maximum=MAX_AMOUNT)
    try:
        return Decimal(digits.replace(",", ""))
    except InvalidOperation as error:
        raise DomainError("amount_invalid", text=original) from error
