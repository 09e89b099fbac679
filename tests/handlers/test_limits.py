"""The shared helpers that keep replies inside Telegram's limits."""

from __future__ import annotations

from bot.telegram_limits import parse_html, utf16_length
from conversation.limits import cut, fit_lines, length, plain_text, shown_length


def test_length_counts_as_telegram_does() -> None:
    assert length("김영희") == 3 and length("😀") == 2
    assert shown_length("<b>a &amp; b</b>") == 5


def test_cut_keeps_short_text_and_ends_long_text_with_an_ellipsis() -> None:
    assert cut("떡값", 10) == "떡값"
    assert cut("가" * 11, 10) == "가" * 9 + "…"
    assert cut("가나다 라마바", 5) == "가나다…"  # no space before the "…"
    assert length(cut("😀" * 10, 7)) <= 7 and cut("😀" * 10, 7).endswith("😀…")


def test_fit_lines_shows_what_fits_and_counts_the_rest() -> None:
    lines = [f"<b>{index}</b> " + "가" * 95 for index in range(100)]
    text, shown = fit_lines("<b>head</b>", lines, lambda count: f"… {count} more")
    assert 30 < shown < 100
    assert text.endswith(f"… {100 - shown} more")
    assert utf16_length(parse_html(text)) <= 4096  # what Telegram would count
    assert shown_length(text) > 4096 - 110  # and not much room left unused


def test_fit_lines_without_anything_to_leave_out() -> None:
    text, shown = fit_lines("head", ["a", "b"], lambda count: "never")
    assert (text, shown) == ("head\na\nb", 2)
    text, shown = fit_lines("head", ["a", "b", "c"], lambda count: f"+{count}", max_lines=2)
    assert (text, shown) == ("head\na\nb\n+1", 2)


def test_plain_text_is_what_the_html_shows() -> None:
    html = '<b>T1</b> · <a href="https://x">지도</a> &lt;3 &amp; &quot;q&quot;'
    assert plain_text(html) == parse_html(html) == 'T1 · 지도 <3 & "q"'
