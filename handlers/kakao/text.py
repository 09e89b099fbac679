"""The conversation's markup as Kakao shows it: plain text, links spelled out, labels short."""

from __future__ import annotations

import re

from conversation.limits import ELLIPSIS, spelled_text
from handlers.kakao.limits import LABEL_MAX

_LEADING_SYMBOL = re.compile(r"^[^\w\s#(]+\s+")


def plain(markup: str) -> str:
    """Plain text; a link keeps its address ("지도 (https://…)"), as Kakao has no markup."""
    return spelled_text(markup).strip()


def cut(text: str, limit: int) -> str:
    """At most `limit` characters (as Kakao counts them), ending in "…" when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def label(text: str) -> str:
    """A button label within Kakao's 14 characters: a leading emoji goes first, then "…"."""
    text = " ".join(text.split())
    if len(text) > LABEL_MAX:
        text = _LEADING_SYMBOL.sub("", text, count=1) or text
    return cut(text, LABEL_MAX) or "…"


def split(text: str, limit: int, parts: int) -> list[str]:
    """`text` in at most `parts` pieces of at most `limit` characters, broken between lines
    (or words) where it can; the last piece ends in "…" if the text did not fit."""
    pieces: list[str] = []
    rest = text.strip()
    while rest and len(pieces) < parts:
        if len(rest) <= limit:
            pieces.append(rest)
            rest = ""
            break
        if len(pieces) == parts - 1:
            pieces.append(cut(rest, limit))
            rest = ""
            break
        window = rest[:limit]
        at = window.rfind("\n")
        if at < limit // 2:
            at = window.rfind(" ")
        if at < limit // 2:
            at = limit
        pieces.append(rest[:at].rstrip())
        rest = rest[at:].strip()
    return pieces
