"""Pieces laid out as one skill response inside Kakao's limits.

- Text is plain, in at most 3 speech bubbles of at most 1,000 characters, broken between lines;
  what does not fit ends in "…".
- News waiting for the person comes first, in a bubble of its own ("📬 새 소식 2건").
- A numbered list with a button per number (the market, the sessions) of at most 5 entries
  is a listCard: each entry is tapped to open it, and up to 2 other buttons (previous / next)
  sit under the card.
- A picture with a URL is an image bubble above its caption.
- Every other action is a quick reply, labels cut to 14 characters. More than 10: the first 9
  and "더 보기 ▶", which shows the rest. With no action to offer, the main menu's labels are the
  quick replies (they arrive back as text, as on Telegram's reply keyboard).
- Every button that carries an action carries a token in its `extra`, created when the reply
  is sent (`Rendered.fill`); what a token maps to is stored, never the action itself.

If all of it would take more than 3 bubbles, cards become text again and everything is one
text cut to fit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from conversation.i18n import Translator
from handlers.kakao import limits as L
from handlers.kakao.models import (
    Button,
    ListCard,
    ListItem,
    Output,
    QuickReply,
    SimpleImage,
    SimpleText,
    SkillResponse,
)
from handlers.kakao.pieces import Piece
from handlers.kakao.text import cut, label, split
from storage.kakao import Choices, Issue, News

MORE = "kakao:more"  # a quick reply that opens the choices that did not fit
NEWS_SHOWN_MAX = 5  # messages shown in one reply; the rest wait for the next


@dataclass
class Rendered:
    """The response, and the tokens it needs: `fill` puts each token in its button's extra."""

    response: SkillResponse
    issues: list[tuple[Issue, dict[str, Any]]] = field(default_factory=list)
    news_shown: list[int] = field(default_factory=list)

    def fill(self, tokens: list[str]) -> dict[str, Any]:
        for (_, extra), token in zip(self.issues, tokens, strict=True):
            extra["token"] = token
        return self.response.to_dict()


@dataclass
class _Text:
    text: str
    own: bool = False  # a bubble of its own (the news), not joined to the text beside it


@dataclass
class _List:
    piece: Piece
    header: str
    items: list[tuple[str, str, str]]  # (title, description, action)
    buttons: Choices
    rest: Choices  # the piece's other actions, for the quick replies


@dataclass
class _Image:
    url: str
    alt: str


_Segment = _Text | _List | _Image


class _Builder:
    def __init__(self, tr: Translator, block_id: str | None) -> None:
        self.tr = tr
        self.block_id = block_id
        self.issues: list[tuple[Issue, dict[str, Any]]] = []

    def extra(self, action: str, more: Choices = ()) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        self.issues.append((Issue(action, more), extra))
        return extra

    def quick(self, text: str, action: str | None, more: Choices = ()) -> QuickReply:
        said = " ".join(text.split())
        if action is None:  # a menu label: it is said, and read as typed text
            if self.block_id:
                return QuickReply(label(said), "block", said, block_id=self.block_id)
            return QuickReply(label(said), "message", said)
        kind = "block" if self.block_id else "message"
        return QuickReply(label(said), kind, said, block_id=self.block_id,
                          extra=self.extra(action, more))

    def button(self, text: str, action: str) -> Button:
        said = " ".join(text.split())
        kind = "block" if self.block_id else "message"
        return Button(label(said), kind, message_text=said, block_id=self.block_id,
                      extra=self.extra(action))

    def item(self, title: str, description: str, action: str) -> ListItem:
        return ListItem(cut(title, L.CARD_TITLE_MAX) or "…",
                        cut(description, L.CARD_DESCRIPTION_MAX) or None, action="block",
                        block_id=self.block_id, message_text=title, extra=self.extra(action))


def render(found: list[Piece], tr: Translator, block_id: str | None, *,
           news: list[News] = (), waiting: int = 0) -> Rendered:
    """`news`: the messages to show first; `waiting`: how many wait in all."""
    builder = _Builder(tr, block_id)
    segments: list[_Segment] = []
    choices: list[tuple[str, str]] = []
    menu: tuple[str, ...] = ()
    if news:
        segments.append(_Text(news_text(tr, news, waiting), own=True))
    for piece in found:
        if piece.image_url:
            segments.append(_Image(piece.image_url, cut(piece.text, L.ALT_TEXT_MAX)
                                   or tr("Picture")))
        listed = _numbered_list(piece) if block_id else None
        if listed is not None:
            head, tail = _around_list(piece.text)
            if head:
                segments.append(_Text(head))
            segments.append(listed)
            if tail:
                segments.append(_Text(tail))
            choices += listed.rest
        else:
            segments.append(_Text(piece.shown_text))
            choices += piece.choices
        menu = piece.menu or menu
    for item in news:
        choices += item.buttons
    segments = _joined(segments)
    if len(segments) > L.OUTPUTS_MAX:
        segments, choices = _as_one_text(segments, choices)
    if not segments:
        segments = [_Text(tr("Done."))]
    outputs = _outputs(builder, segments)
    quick = _quick_replies(builder, choices, menu)
    return Rendered(SkillResponse(outputs, quick), builder.issues, [item.id for item in news])


def news_text(tr: Translator, news: list[News], waiting: int) -> str:
    head = tr("📬 {count} new messages", count=max(waiting, len(news)))
    later = waiting - len(news)
    tail = ("\n\n" + tr("({count} more will follow in your next reply.)", count=later)
            if later > 0 else "")
    room = L.SIMPLE_TEXT_MAX - len(head) - len(tail) - 2
    each = max(room // max(len(news), 1) - 2, 20)
    body = "\n\n".join(cut(item.text, each) for item in news)
    return cut(f"{head}\n\n{body}{tail}", L.SIMPLE_TEXT_MAX)


_NUMBERED = re.compile(r"^(\d{1,2})\.\s+(.*)$")


def _numbered_list(piece: Piece) -> _List | None:
    """A list whose entries are numbered lines with a button per number, 1 to 5 of them."""
    numbered = [(text, action) for text, action in piece.choices if text.strip().isdigit()]
    if not 1 <= len(numbered) <= L.LIST_ITEMS_MAX:
        return None
    if [int(text) for text, _ in numbered] != list(range(1, len(numbered) + 1)):
        return None
    entries = _entries(piece.text)
    if any(number not in entries for number in range(1, len(numbered) + 1)):
        return None
    others = tuple(choice for choice in piece.choices if choice not in numbered)
    items = []
    for number, (_, action) in enumerate(numbered, start=1):
        first, more = entries[number]
        parts = [part.strip() for part in first.split(" · ")]
        items.append((parts[0], " · ".join(parts[1:] + more), action))
    header = cut(piece.text.split("\n", 1)[0].strip(), L.CARD_TITLE_MAX) or "…"
    if _NUMBERED.match(header):
        header = "…"
    return _List(piece, header, items, others[:L.LIST_BUTTONS_MAX],
                 others[L.LIST_BUTTONS_MAX:])


def _entries(text: str) -> dict[int, tuple[str, list[str]]]:
    """Numbered lines, each with the indented lines under it."""
    entries: dict[int, tuple[str, list[str]]] = {}
    current: int | None = None
    for line in text.split("\n"):
        match = _NUMBERED.match(line.strip()) if not line.startswith(" ") else None
        if match:
            current = int(match.group(1))
            entries[current] = (match.group(2), [])
        elif current is not None and line.startswith(" ") and line.strip():
            entries[current][1].append(line.strip())
        else:
            current = None
    return entries


def _around_list(text: str) -> tuple[str, str]:
    """The text above the list after its first line (which heads the card), and below it."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if _NUMBERED.match(line.strip())),
                 len(lines))
    last = first
    for i in range(first, len(lines)):
        if _NUMBERED.match(lines[i].strip()) or (lines[i].startswith(" ") and lines[i].strip()):
            last = i
    head = "\n".join(lines[1:first]).strip()
    tail = "\n".join(lines[last + 1:]).strip()
    return head, tail


def _joined(segments: list[_Segment]) -> list[_Segment]:
    joined: list[_Segment] = []
    for segment in segments:
        if isinstance(segment, _Text) and not segment.text.strip():
            continue
        previous = joined[-1] if joined else None
        if (isinstance(segment, _Text) and isinstance(previous, _Text)
                and not segment.own and not previous.own):
            joined[-1] = _Text(previous.text + "\n\n" + segment.text)
        else:
            joined.append(segment)
    return joined


def _as_one_text(segments: list[_Segment], choices: list[tuple[str, str]]
                 ) -> tuple[list[_Segment], list[tuple[str, str]]]:
    texts, extra = [], []
    for segment in segments:
        if isinstance(segment, _Text):
            texts.append(segment.text)
        elif isinstance(segment, _List):
            texts.append(segment.piece.shown_text)
            extra += [choice for choice in segment.piece.choices if choice not in segment.rest]
        else:
            texts.append(f"🖼 {segment.url}")
    return [_Text("\n\n".join(texts))], extra + choices


def _outputs(builder: _Builder, segments: list[_Segment]) -> list[Output]:
    spare = L.OUTPUTS_MAX - len(segments)
    outputs: list[Output] = []
    for segment in segments:
        if isinstance(segment, _Text):
            wanted = len(split(segment.text, L.SIMPLE_TEXT_MAX, L.OUTPUTS_MAX))
            take = min(wanted, 1 + spare)
            spare -= take - 1
            outputs += [SimpleText(chunk) for chunk in
                        split(segment.text, L.SIMPLE_TEXT_MAX, take)]
        elif isinstance(segment, _List):
            outputs.append(ListCard(
                segment.header,
                [builder.item(title, description, action)
                 for title, description, action in segment.items],
                [builder.button(text, action) for text, action in segment.buttons]))
        else:
            outputs.append(SimpleImage(segment.url, segment.alt))
    return outputs


def _quick_replies(builder: _Builder, choices: list[tuple[str, str]], menu: tuple[str, ...]
                   ) -> list[QuickReply]:
    unique: list[tuple[str, str]] = []
    for choice in choices:
        if choice[1] not in {action for _, action in unique}:
            unique.append(choice)
    if not unique:
        return [builder.quick(text, None) for text in menu[:L.QUICK_REPLIES_MAX]]
    return more_replies(builder, tuple(unique))


def more_replies(builder: _Builder, choices: Choices) -> list[QuickReply]:
    """At most 10 quick replies: past 10, the first 9 and "더 보기 ▶" with the rest behind it."""
    if len(choices) <= L.QUICK_REPLIES_MAX:
        return [builder.quick(text, action) for text, action in choices]
    shown, rest = choices[:L.QUICK_REPLIES_MAX - 1], choices[L.QUICK_REPLIES_MAX - 1:]
    return ([builder.quick(text, action) for text, action in shown]
            + [builder.quick(builder.tr("More ▶"), MORE, rest)])


def render_more(tr: Translator, block_id: str | None, choices: Choices, *,
                news: list[News] = (), waiting: int = 0) -> Rendered:
    """The choices behind a "더 보기" quick reply."""
    return render([Piece(tr("More choices:"), choices)], tr, block_id, news=news,
                  waiting=waiting)
