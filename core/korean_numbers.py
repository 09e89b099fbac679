"""Small numbers as Korean words: native (`두`, `열두`, `스무`, `서른다섯`) for hours and
counts of people, Sino-Korean (`삼십`, `십오`) for minutes and hours written the other way.

Amounts have their own, larger grammar in core/amounts.py."""

from __future__ import annotations

import re

from core.amounts import KOREAN_DIGITS

# The forms before a counter (한 명, 두 시) and the bare forms (하나, 둘) are both accepted.
NATIVE_UNITS = {"한": 1, "하나": 1, "두": 2, "둘": 2, "세": 3, "셋": 3, "석": 3, "네": 4, "넷": 4,
                "넉": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9}
NATIVE_TENS = {"열": 10, "스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50, "예순": 60,
               "일흔": 70, "여든": 80, "아흔": 90}


def _alternatives(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))  # longest first: 열두 before 열


_SINO_DIGIT = "[" + "".join(KOREAN_DIGITS) + "]"
NATIVE = f"(?:(?:{_alternatives(NATIVE_TENS)})\\s?(?:{_alternatives(NATIVE_UNITS)})?" \
         f"|(?:{_alternatives(NATIVE_UNITS)}))"
SINO = f"(?:{_SINO_DIGIT}?십{_SINO_DIGIT}?|{_SINO_DIGIT})"
_NATIVE_PARTS = re.compile(
    f"(?P<tens>{_alternatives(NATIVE_TENS)})?\\s?(?P<unit>{_alternatives(NATIVE_UNITS)})?")


def native_number(word: str) -> int | None:
    """`열두` → 12, `스무` → 20, `서른 다섯` → 35; None if the word is not one (1–99)."""
    match = _NATIVE_PARTS.fullmatch(word.strip())
    if match is None or not (match["tens"] or match["unit"]):
        return None
    return NATIVE_TENS.get(match["tens"] or "", 0) + NATIVE_UNITS.get(match["unit"] or "", 0)


def sino_number(word: str) -> int | None:
    """`삼십` → 30, `십오` → 15, `오` → 5; None if the word is not one (1–99)."""
    word = word.strip()
    if not re.fullmatch(SINO, word):
        return None
    if "십" not in word:
        return KOREAN_DIGITS[word]
    tens, _, units = word.partition("십")
    return KOREAN_DIGITS.get(tens, 1) * 10 + KOREAN_DIGITS.get(units, 0)


def small_number(word: str) -> int | None:
    """Digits, a native or a Sino-Korean word (0–99 and any digits); None otherwise."""
    word = word.strip()
    if word.isascii() and word.isdigit():
        return int(word)
    found = native_number(word)
    return found if found is not None else sino_number(word)
