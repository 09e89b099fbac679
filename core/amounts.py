"""Amounts as people write them: `5000`, `5,000`, `5000문`, `5천`, `1만5천`, `1.5만`, `5천원`,
`만원`, `1만 5천원`, `오천원`, `삼만 오천`, `천오백`; and where an amount ends and a memo begins."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from core.errors import DomainError

MAX_AMOUNT = 100_000_000  # 1억: far above any real trade in a local group

# 원 is accepted whatever the community's unit: 1문 is valued like 1원, and people write 원.
WON = "원"
DEFAULT_UNIT = "문"
KOREAN_DIGITS = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "륙": 6, "칠": 7,
                 "팔": 8, "구": 9}
PLACES = {"십": 10, "백": 100, "천": 1_000}
GROUPS = {"만": 10_000, "억": 100_000_000}
PLACE_WORDS = frozenset(PLACES) | frozenset(GROUPS)

_AMOUNT_WORDS_MAX = 4  # `1만 2천 5백 원`
_DIGITS = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")


def parse_amount(text: str, unit: str = DEFAULT_UNIT) -> int:
    """Return a positive whole amount or raise DomainError with a code naming the problem.

    A number is Arabic digits (`5000`, `5,000`, `1.5`), Sino-Korean digits (일 … 구), or a
    mix, with the places 십 백 천 inside a group and the groups 만 and 억, each written
    at most once and in falling order (`1만5천`, `삼만 오천`, `천오백`, `5천만`). A place or a
    group with no number before it counts one (`만` = 10,000). Spaces may follow a place or a
    group (`1만 5천`), never a bare number, so `5000 3` is not 50,003. One suffix may
    follow, touching or after a space: the community's unit, 문, or 원.
    """
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    cleaned = _strip_suffix(cleaned.removeprefix("₩").strip(), unit)
    if cleaned.startswith("-") or cleaned.startswith("−"):
        raise DomainError("amount_negative", text=text)
    if not cleaned:
        raise DomainError("amount_invalid", text=text)
    total = _parse_number(cleaned, text)
    if total == 0:
        raise DomainError("amount_zero", text=text)
    if total > MAX_AMOUNT:
        raise DomainError("amount_too_large", text=text, maximum=MAX_AMOUNT)
    return total


def amount_words(words: Sequence[str], unit: str = DEFAULT_UNIT) -> int:
    """How many of the leading words form an amount (0 if none): the longest prefix that
    parses and in which every word is plausibly part of an amount.

    Memo words often look like numbers: `일` (work), `오이` (cucumber), `3 apples`. A word
    counts toward the amount only when
      1. it contains a place or group (십 백 천 만 억: `천`, `오천`, `1만`), or
      2. it is the first word and has Arabic digits (`5000`, `5,000`), or
      3. the amount ends with 원 or the unit (`오천원`, `일 원`, `1만 5000원`), or
      4. it has Arabic digits and nothing at all follows it (`1만 5000` with no memo).
    So `5000 3 apples` is 5,000 with memo `3 apples`, `5천 일 도와줘서` is 5,000 with memo
    `일 도와줘서`, a lone `오` or `일` is no amount, and `5천 원 김치` is 5,000 with memo `김치`.
    """
    words = [unicodedata.normalize("NFKC", word) for word in words]
    for size in range(min(_AMOUNT_WORDS_MAX, len(words)), 0, -1):
        head = words[:size]
        if not _plausible(head, unit, is_everything=size == len(words)):
            continue
        try:
            parse_amount(" ".join(head), unit)
        except DomainError:
            continue
        return size
    return 0


def split_amount(words: Sequence[str], unit: str = DEFAULT_UNIT) -> tuple[int, str]:
    """The amount and the memo from the words after the member: `1만 5천 떡값` → (15000,
    `떡값`). With no amount at the start, raise the error the first word deserves."""
    size = amount_words(words, unit)
    if size:
        return parse_amount(" ".join(words[:size]), unit), " ".join(words[size:])
    parse_amount(words[0] if words else "", unit)  # zero, negative, too large, garbage …
    raise DomainError("amount_invalid", text=words[0])  # a lone word like `일` or `오`


def has_place_word(word: str) -> bool:
    return any(char in PLACE_WORDS for char in word)


def _plausible(head: list[str], unit: str, *, is_everything: bool) -> bool:
    suffixes = _suffixes(unit)
    number_words = head
    if head[-1] in suffixes:
        if len(head) == 1:
            return False
        number_words = head[:-1]
    has_suffix = number_words is not head or any(
        head[-1].endswith(suffix) and head[-1] != suffix for suffix in suffixes
    )
    for index, word in enumerate(number_words):
        arabic = any(char.isdigit() for char in word)
        last = index == len(number_words) - 1
        if (has_place_word(_strip_suffix(word, unit)) or (index == 0 and arabic) or has_suffix
                or (arabic and last and is_everything)):
            continue
        return False
    return True


def _suffixes(unit: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(suffix for suffix in (unit, DEFAULT_UNIT, WON) if suffix))


def _strip_suffix(cleaned: str, unit: str) -> str:
    for suffix in _suffixes(unit):
        if cleaned.endswith(suffix):
            return cleaned[: -len(suffix)].strip()
    return cleaned


def _parse_number(cleaned: str, original: str) -> int:
    """Korean numbers group by 억 and 만; inside a group 천 백 십 count down (5천만 = 5천 x 만)."""
    total = Decimal(0)
    group_total = Decimal(0)
    pending: Decimal | None = None  # a number waiting for its place, group or the end
    last_place: int | None = None
    last_group: int | None = None
    previous = ""
    position = 0
    while position < len(cleaned):
        char = cleaned[position]
        if char == " ":
            if previous not in PLACE_WORDS:  # `5000 3` is two numbers, not 50,003
                raise DomainError("amount_invalid", text=original)
            position += 1
            while position < len(cleaned) and cleaned[position] == " ":
                position += 1
            previous = " "
            continue
        digits = _DIGITS.match(cleaned, position)
        if digits or char in KOREAN_DIGITS:
            if pending is not None:
                raise DomainError("amount_invalid", text=original)
            if digits:
                pending = _to_decimal(digits.group(), original)
                position = digits.end()
            else:
                pending = Decimal(KOREAN_DIGITS[char])
                position += 1
            previous = "0"
            continue
        if char in PLACES:
            place = PLACES[char]
            if last_place is not None and place >= last_place:
                raise DomainError("amount_invalid", text=original)
            group_total += (Decimal(1) if pending is None else pending) * place
            last_place, pending = place, None
        elif char in GROUPS:
            group = GROUPS[char]
            if last_group is not None and group >= last_group:
                raise DomainError("amount_invalid", text=original)
            value = group_total + (pending or 0)
            total += (value if value or last_place is not None or pending is not None
                      else Decimal(1)) * group
            group_total, pending, last_place, last_group = Decimal(0), None, None, group
        else:
            raise DomainError("amount_invalid", text=original)
        previous = char
        position += 1
    total += group_total + (pending or 0)
    if total != total.to_integral_value():
        raise DomainError("amount_not_whole", text=original)
    return int(total)


def _to_decimal(digits: str, original: str) -> Decimal:
    if "," in digits and not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", digits):
        raise DomainError("amount_invalid", text=original)
    if len(digits) > 15:
        raise DomainError("amount_too_large", text=original, maximum=MAX_AMOUNT)
    try:
        return Decimal(digits.replace(",", ""))
    except InvalidOperation as error:
        raise DomainError("amount_invalid", text=original) from error
