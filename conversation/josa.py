"""Korean particles that depend on the word before them: 은/는, 이/가, 을/를, 과/와, (으)로,
and the copula 이에요/예요, 이었/였.

A Korean message writes both forms after a placeholder (`{currency}은(는)`) and the
translator keeps the one the filled-in word takes: `7,900문은`, `카페는`, `마포 떡집이`.
The word's last syllable decides: with a final consonant (받침) the first form, else the
second. A number is read as it is said (1,000 → 천 → 은; 20 → 십 → 은; 2 → 이 → 는). A
word that ends in neither Hangul nor a digit (Latin, a quote) keeps both forms, as written.
"""

from __future__ import annotations

import re

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
# The reading of a last digit (0 alone is 영) has a final consonant: 영 일 삼 육 칠 팔.
_DIGIT_FINAL = {"0": True, "1": True, "2": False, "3": True, "4": False, "5": False,
                "6": True, "7": True, "8": True, "9": False}
# Each pair as written → (after a final consonant, after a vowel). The copula too:
# `{balance}이에요(예요)`, `{balance}이었(였)고`.
_FORMS = {"은(는)": ("은", "는"), "는(은)": ("은", "는"), "이(가)": ("이", "가"),
          "가(이)": ("이", "가"), "을(를)": ("을", "를"), "를(을)": ("을", "를"),
          "과(와)": ("과", "와"), "와(과)": ("과", "와"),
          "이에요(예요)": ("이에요", "예요"), "이었(였)": ("이었", "였"),
          "(으)로": ("으로", "로")}
_RIEUL = 8  # the final ㄹ takes 로, as a vowel does: 서울로, 1로 (일)
_MARK = re.compile("|".join(re.escape(pair) for pair in sorted(_FORMS, key=len, reverse=True)))
_TRAILING_TAGS = re.compile(r"(?:<[^<>]*>)+$")


def has_final(word: str) -> bool | None:
    """Whether the word's last sound has a final consonant; None if it cannot be told."""
    word = _TRAILING_TAGS.sub("", word.rstrip())
    if not word:
        return None
    last = word[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return (ord(last) - _HANGUL_FIRST) % 28 != 0
    if last.isdigit() and last.isascii():
        digits = re.search(r"[\d,]+$", word).group().replace(",", "")
        zeros = len(digits) - len(digits.rstrip("0"))
        if zeros and digits.strip("0"):
            return True  # ends in 십, 백, 천 or 만: each has a final consonant
        return _DIGIT_FINAL[last]
    return None


def _ends_in_rieul(word: str) -> bool:
    word = _TRAILING_TAGS.sub("", word.rstrip())
    last = word[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return (ord(last) - _HANGUL_FIRST) % 28 == _RIEUL
    digits = re.search(r"[\d,]*$", word).group().replace(",", "")
    # 1 일, 7 칠, 8 팔 end in ㄹ; a number ending in zeros ends in 십, 백, 천 or 만
    return bool(digits) and digits[-1] in "178"


def attach(text: str) -> str:
    """Every `은(는)`-style pair in `text` resolved by the word right before it."""
    if "(" not in text:
        return text

    def choose(match: re.Match[str]) -> str:
        before = text[:match.start()]
        final = has_final(before)
        if final is None:
            return match.group()
        with_final, without = _FORMS[match.group()]
        if match.group() == "(으)로" and _ends_in_rieul(before):
            return without
        return with_final if final else without

    return _MARK.sub(choose, text)

