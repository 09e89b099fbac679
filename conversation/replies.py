"""What the conversation says back, in a form every channel can render.

Text is written in a small markup: the HTML subset every channel can show or strip —
`<b>`, `<i>`, `<a href="…">` and line breaks — with every piece of user text escaped
(`html.escape`). Telegram sends it as HTML; plain channels (KakaoTalk, the console) strip the
tags and unescape (`conversation.markup.plain`). Buttons carry a compact action id that fits
Telegram's 64-byte callback data and a Kakao quick reply's `extra`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO

from conversation.i18n import Translator
from core.models import Member

ACTION_LIMIT = 64  # bytes: Telegram's callback data limit, the strictest of the channels


@dataclass(frozen=True)
class Button:
    """A button that sends `action` back to the conversation, or opens `url`."""

    label: str
    action: str = ""
    url: str | None = None

    def __post_init__(self) -> None:
        if self.url is None and not 1 <= len(self.action.encode("utf-8")) <= ACTION_LIMIT:
            raise ValueError(f"a button action takes 1–{ACTION_LIMIT} bytes: {self.action!r}")


Rows = tuple[tuple[Button, ...], ...]


def keyboard(lines: Iterable[Iterable[Button]]) -> Rows:
    """Buttons row by row; empty rows are left out."""
    built = (tuple(line) for line in lines)
    return tuple(line for line in built if line)


@dataclass(frozen=True)
class Menu:
    """The main menu: labels a member taps, which arrive back as text."""

    labels: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Say:
    text: str
    buttons: Rows = ()
    menu: Menu | None = None


@dataclass(frozen=True)
class Edit:
    """Replace the message whose button was tapped (a channel that cannot edit sends anew)."""

    text: str
    buttons: Rows = ()


@dataclass(frozen=True)
class Toast:
    """The short answer to a button press."""

    text: str | None = None
    alert: bool = False


@dataclass(frozen=True)
class DropButtons:
    """Take the buttons off the message whose button was tapped."""


@dataclass(frozen=True)
class Photo:
    """A picture: a file the channel already holds (`ref`), or bytes to upload."""

    caption: str
    ref: str | None = None
    content: bytes | None = None
    filename: str = "image.png"
    buttons: Rows = ()


@dataclass(frozen=True)
class File:
    """A document: `content`, or an open binary file `source` read as it is sent (a large
    export, kept out of memory; the channel closes it once sent)."""

    content: bytes
    filename: str
    caption: str = ""
    source: IO[bytes] | None = None

    def data(self) -> bytes:
        """The whole content, for channels that need it in memory."""
        if self.source is None:
            return self.content
        self.source.seek(0)
        return self.source.read()


Reply = Say | Edit | Toast | DropButtons | Photo | File


@dataclass(frozen=True)
class Notification:
    """A message to another member, rendered in their own language when delivered."""

    member: Member
    text: Callable[[Translator], str]
    buttons: Callable[[Translator], Rows] | None = None


@dataclass(frozen=True)
class GroupMessage:
    """A message to a group chat linked to a community (a channel's own chat id)."""

    channel: str
    chat: str
    text: str


@dataclass
class Outcome:
    """Everything one event produced: replies to the sender, messages to other members and
    groups, and the background jobs to wake (the notice outbox, the reminder timer)."""

    replies: list[Reply] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    groups: list[GroupMessage] = field(default_factory=list)
    wake: set[str] = field(default_factory=set)
