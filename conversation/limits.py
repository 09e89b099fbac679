"""Keeping replies inside Telegram's limits: cut user text with "…", fit a list into a message.

Telegram counts a text after its HTML is parsed, in UTF-16 code units (an emoji counts 2), and
refuses more than 4096 in a message, 1024 in a caption and 100 buttons under one message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

TEXT_MAX = 4096
CAPTION_MAX = 1024
ELLIPSIS = "…"

# How much of a piece of user text a list line shows, so a page of lines stays small.
NAME_IN_LIST = 40
NOTE_IN_LIST = 100

_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r'<a\s+href="([^"]*)"\s*>(.*?)</a>', re.DOTALL)


def length(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def plain_text(html: str) -> str:
    """HTML message text as it is shown (for terminals, and for measuring)."""
    return unescape(_TAG.sub("", html))


def spelled_text(html: str) -> str:
    """Plain text for a channel without links (KakaoTalk, the console): a link keeps its
    address ("지도 (https://…)"), or a shop's map would be a word leading nowhere."""

    def spelled(match: re.Match[str]) -> str:
        # The address stays escaped here: the whole text is unescaped once, below. Twice
        # would turn "&para=1" in an address into "¶=1".
        url, label = match.group(1), match.group(2)
        shown = plain_text(label).strip()
        return url if not shown or shown == unescape(url) else f"{label} ({url})"

    return plain_text(_LINK.sub(spelled, html))


def shown_length(html: str) -> int:
    return length(plain_text(html))


def cut(text: str, limit: int) -> str:
    """Plain text of at most `limit` units, ending in "…" when something was left out."""
    if length(text) <= limit:
        return text
    kept, used = [], 0
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if used + size > limit - 1:
            break
        kept.append(char)
        used += size
    return "".join(kept).rstrip() + ELLIPSIS


def fit_lines(
    head: str, lines: list[str], more: Callable[[int], str], *, limit: int = TEXT_MAX,
    max_lines: int | None = None,
) -> tuple[str, int]:
    """The head and as many whole lines (HTML, each complete) as fit in `limit`, with
    `more(count)` saying how many were left out; and how many lines are shown."""
    allowed = len(lines) if max_lines is None else min(max_lines, len(lines))
    used = shown_length(head)
    shown = 0
    for line in lines[:allowed]:
        room_for_note = shown_length(more(len(lines) - shown - 1)) + 1 if (
            shown + 1 < len(lines)) else 0
        if used + 1 + shown_length(line) + room_for_note > limit:
            break
        used += 1 + shown_length(line)
        shown += 1
    text = "\n".join([head, *lines[:shown]])
    if shown < len(lines):
        text += "\n" + more(len(lines) - shown)
    return text, shown
