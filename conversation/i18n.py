"""Gettext catalogs (ko default, en) and Babel formatting of amounts, dates and times."""

from __future__ import annotations

import gettext
import os
import tempfile
import threading
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import parse_pattern
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, get_group_symbol, get_minus_sign_symbol
from babel.support import Translations

from conversation import josa

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "pumasi"
DEFAULT_LOCALE = "ko"
TIMEZONE = ZoneInfo("Asia/Seoul")
_BABEL_LOCALES = {"ko": "ko_KR", "en": "en_US"}
_DATE_PATTERNS = {"ko": "M월 d일 (E)", "en": "MMM d (EEE)"}
_TIME_PATTERNS = {"ko": "aaaa h:mm", "en": "h:mm a"}
# A date and time is the date's pattern, a space and the time's: "3월 14일 (금) 오후 3:30"
# (tests/handlers/test_i18n.py compares that with Babel's whole pattern).
_compile_lock = threading.Lock()
_DAYS_KEPT = 4096


def compile_catalogs(force: bool = False) -> list[Path]:
    """Compile every locales/<lang>/LC_MESSAGES/pumasi.po whose .mo is missing or stale."""
    compiled = []
    with _compile_lock:
        for po_path in sorted(LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            mo_path = po_path.with_suffix(".mo")
            fresh = mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime
            if fresh and not force:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name)
            # A file of its own (not named by the pid: containers may share one): processes
            # starting together (several bot processes after an upgrade) may compile at once.
            handle, name = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
            temporary = Path(name)
            try:
                with os.fdopen(handle, "wb") as mo_file:
                    write_mo(mo_file, catalog)
                os.chmod(temporary, 0o644)  # mkstemp makes it readable by its owner only
                temporary.replace(mo_path)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
            compiled.append(mo_path)
    return compiled


@lru_cache(maxsize=8)
def _translations(locale: str) -> gettext.NullTranslations:
    compile_catalogs()
    return Translations.load(str(LOCALES_DIR), [locale], DOMAIN)


def normalize_locale(locale: str | None) -> str:
    return locale if locale in _BABEL_LOCALES else DEFAULT_LOCALE


class Translator:
    """`tr("Sent {amount}.", amount=...)`: gettext, then str.format with the named values."""

    def __init__(self, locale: str | None) -> None:
        self.locale = normalize_locale(locale)
        self._babel_locale = Locale.parse(_BABEL_LOCALES[self.locale])
        self._gettext = _translations(self.locale).gettext
        # Babel's patterns, parsed once, and what they give for a day or a time of day kept:
        # formatting runs on every message, and Babel takes ~30 µs a date.
        self._date_pattern = parse_pattern(_DATE_PATTERNS[self.locale])
        self._time_pattern = parse_pattern(_TIME_PATTERNS[self.locale])
        self._days: dict[date, str] = {}
        self._times: dict[tuple[int, int], str] = {}
        decimal = self._babel_locale.decimal_formats[None]
        # Whole numbers have no fraction digits, so only the grouping decides their text.
        self._plain_grouping = decimal.grouping == (3, 3) and decimal.int_prec[0] <= 1
        self._group = get_group_symbol(self._babel_locale)
        self._minus = get_minus_sign_symbol(self._babel_locale)

    def __call__(self, message: str, **values: Any) -> str:
        text = self._gettext(message)
        if not values:
            return text
        text = text.format(**values)
        # `{shop}은(는)`: the particle the filled-in word takes (see conversation/josa.py)
        return josa.attach(text) if self.locale == "ko" else text

    def number(self, value: int) -> str:
        """Babel's decimal format of the locale; whole numbers in the common 3-digit
        grouping take a shortcut that gives the same text."""
        if self._plain_grouping and isinstance(value, int):
            grouped = f"{abs(value):,}".replace(",", self._group)
            return self._minus + grouped if value < 0 else grouped
        return format_decimal(value, locale=self._babel_locale)

    def amount(self, value: int, unit: str) -> str:
        separator = "" if self.locale == "ko" else " "
        return f"{self.number(value)}{separator}{unit}"

    def signed_amount(self, value: int, unit: str) -> str:
        sign = "+" if value > 0 else ""
        return sign + self.amount(value, unit)

    def month(self, number: int) -> str:
        """The month's name, standalone: 3월, March."""
        return self._babel_locale.months["stand-alone"]["wide"][number]

    def datetime(self, moment: datetime) -> str:
        local = moment.astimezone(TIMEZONE)
        return self._day(local.date()) + " " + self._time_of_day(local.hour, local.minute)

    def date(self, moment: datetime) -> str:
        return self._day(moment.astimezone(TIMEZONE).date())

    def _day(self, day: date) -> str:
        text = self._days.get(day)
        if text is None:
            if len(self._days) >= _DAYS_KEPT:
                self._days.clear()
            text = self._days[day] = self._date_pattern.apply(day, self._babel_locale)
        return text

    def _time_of_day(self, hour: int, minute: int) -> str:
        text = self._times.get((hour, minute))
        if text is None:  # at most 1,440 of them
            text = self._times[hour, minute] = self._time_pattern.apply(
                time(hour, minute), self._babel_locale)
        return text


@lru_cache(maxsize=8)
def translator(locale: str | None) -> Translator:
    return Translator(normalize_locale(locale))
