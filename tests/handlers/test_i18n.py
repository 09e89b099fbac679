import re
from datetime import UTC, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from conversation.i18n import LOCALES_DIR, compile_catalogs, translator

ROOT = LOCALES_DIR.parent
PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::[^}]*)?\}")


def extracted_messages() -> set[str]:
    found = set()
    for folder in ("bot", "conversation", "core", "handlers"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords={"tr": None}
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(locale: str):
    data = (LOCALES_DIR / locale / "LC_MESSAGES" / "pumasi.po").read_bytes()
    return {m.id: m.string for m in read_po(BytesIO(data)) if m.id}


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_catalog_is_complete_and_placeholders_match(locale):
    messages = catalog(locale)
    missing = sorted(extracted_messages() - set(messages))
    assert not missing, f"not in the {locale} catalog: {missing}"
    for msgid, msgstr in messages.items():
        assert msgstr, f"{locale}: no translation for {msgid!r}"
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


def test_catalogs_compile():
    compile_catalogs(force=True)
    assert (LOCALES_DIR / "ko" / "LC_MESSAGES" / "pumasi.mo").exists()


def test_korean_dates_numbers_and_amounts():
    ko = translator("ko")
    moment = datetime(2025, 3, 14, 6, 30, tzinfo=UTC)  # 15:30 in Seoul, a Friday
    assert ko.datetime(moment) == "3월 14일 (금) 오후 3:30"
    assert ko.amount(1234567, "문") == "1,234,567문"
    assert ko("Cancel") == "취소"
    en = translator("en")
    assert en.datetime(moment) == "Mar 14 (Fri) 3:30 PM"
    assert en("Cancel") == "Cancel"
    assert translator("fr").locale == "ko"


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(["ko", "en"]))
def test_number_shortcut_matches_babel(value, locale):
    assert translator(locale).number(value) == format_decimal(
        value, locale={"ko": "ko_KR", "en": "en_US"}[locale])


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                    timezones=st.just(UTC)), st.sampled_from(["ko", "en"]))
def test_cached_date_patterns_match_babel(moment, locale):
    pattern = {"ko": "M월 d일 (E) aaaa h:mm", "en": "MMM d (EEE) h:mm a"}[locale]
    expected = format_datetime(moment, pattern, tzinfo=ZoneInfo("Asia/Seoul"),
                               locale={"ko": "ko_KR", "en": "en_US"}[locale])
    assert translator(locale).datetime(moment) == expected


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_whole_numbers_take_the_shortcut(locale, monkeypatch):
    """The shortcut is really taken (it once never was): Babel is not called for a whole
    number, and what it gives is compared with Babel above."""
    import conversation.i18n as i18n

    def babel_called(*args, **kwargs):
        raise AssertionError("format_decimal was called for a whole number")

    fresh = i18n.Translator(locale)
    monkeypatch.setattr(i18n, "format_decimal", babel_called)
    assert fresh.number(-1234567) in ("-1,234,567",)


def test_catalogs_compile_in_several_processes_at_once():
    """Bot processes starting together (or test workers) may all find the catalogs stale and
    compile them at the same moment: each writes its own temporary file, so none fails."""
    import subprocess
    import sys

    script = ("from conversation.i18n import compile_catalogs\n"
              "for _ in range(25):\n    compile_catalogs(force=True)\n")
    processes = [subprocess.Popen([sys.executable, "-c", script], cwd=LOCALES_DIR.parent,
                                  stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errors = [process.communicate(timeout=120)[1] for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], errors
    assert (LOCALES_DIR / "ko" / "LC_MESSAGES" / "pumasi.mo").exists()
