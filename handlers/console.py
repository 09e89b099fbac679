"""The console channel: a terminal's lines become events, an outcome becomes printed lines.

People on the console are identified by the name they type as (`/as 이철수`); messages to
other people are printed with an arrow to them, since everyone shares one terminal."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from conversation.event import ChannelInfo, Event, Sender
from conversation.limits import spelled_text
from conversation.replies import DropButtons, Edit, File, Menu, Outcome, Photo, Rows, Say, Toast

CHANNEL = "console"
INFO = ChannelInfo(CHANNEL, start_link=None, has_menu=True)


@dataclass(frozen=True)
class Shown:
    """One thing the console showed a person (the tests read these, as the fake Bot API's
    calls for Telegram)."""

    person: str  # the console address (the name typed as)
    kind: str  # "message", "edit", "photo", "file", "toast"
    text: str  # plain text, as printed
    buttons: tuple[tuple[str, str], ...] = ()  # (label, action)
    menu: tuple[str, ...] = ()
    content: bytes = b""
    filename: str = ""


def _flat(buttons: Rows) -> tuple[tuple[str, str], ...]:
    return tuple((button.label, button.action or button.url or "")
                 for row in buttons for button in row)


@dataclass
class ConsoleScreen:
    """Where everything the console shows goes: kept in order, and printed if asked."""

    write: Callable[[str], None] | None = None
    shown: list[Shown] = field(default_factory=list)

    def show(self, item: Shown, *, current: str) -> None:
        self.shown.append(item)
        if self.write is None:
            return
        if item.kind == "toast":
            self.write(f"  [알림] {item.text}")
            return
        arrow = "" if item.person == current else f" → {item.person}"
        mark = {"edit": "✎ ", "photo": "[사진] ", "file": "[파일] "}.get(item.kind, "")
        self.write(f"\n🤖{arrow} {mark}{item.text}")
        for index, (label, _) in enumerate(item.buttons, start=1):
            self.write(f"   [!{index}] {label}")
        if item.menu:
            self.write("   [메뉴] " + " · ".join(item.menu))

    def buttons_of(self, person: str) -> tuple[tuple[str, str], ...]:
        """The buttons of the newest message to `person` that had any."""
        for item in reversed(self.shown):
            if item.person == person and item.buttons:
                return item.buttons
        return ()


class ConsoleChannel:
    """The notifier's way onto the console: a message to another person is printed."""

    name = CHANNEL

    def __init__(self, screen: ConsoleScreen, current: Callable[[], str]) -> None:
        self._screen = screen
        self._current = current

    async def send(self, address: str, text: str, buttons: Rows) -> bool:
        self._screen.show(Shown(address, "message", spelled_text(text), _flat(buttons)),
                          current=self._current())
        return True


class ConsoleEvents:
    """Events as the console's people type and press; keys never repeat, even across runs on
    the same database (a restarted console must not look like a redelivery)."""

    def __init__(self) -> None:
        self._numbers = itertools.count(time.time_ns() // 1000)

    def _base(self, person: str, name: str | None) -> dict:
        number = next(self._numbers)
        return {"sender": Sender(CHANNEL, person, name or person, None, "ko"),
                "channel": INFO, "update_key": f"{CHANNEL}:{number}",
                "request_key": f"{CHANNEL}:{number}", "chat": person}

    def message(self, person: str, text: str, name: str | None = None) -> Event:
        command, args = None, ()
        if text.startswith("/") and len(text) > 1:
            words = text.split()
            command, args = words[0][1:].split("@", 1)[0].lower(), tuple(words[1:])
        return Event(text=text, command=command, args=args, **self._base(person, name))

    def photo(self, person: str, ref: str, caption: str = "", name: str | None = None
              ) -> Event:
        return Event(text=caption, photo=ref, **self._base(person, name))

    def press(self, person: str, action: str, name: str | None = None) -> Event:
        return Event(action=action, **self._base(person, name))


def show_outcome(screen: ConsoleScreen, person: str, outcome: Outcome) -> None:
    """The replies to the person who typed; other members' messages go through the notifier."""
    for reply in outcome.replies:
        if isinstance(reply, Say):
            menu = tuple(label for row in reply.menu.labels for label in row) if isinstance(
                reply.menu, Menu) else ()
            item = Shown(person, "message", spelled_text(reply.text), _flat(reply.buttons), menu)
        elif isinstance(reply, Edit):
            item = Shown(person, "edit", spelled_text(reply.text), _flat(reply.buttons))
        elif isinstance(reply, Toast):
            if not reply.text:
                continue
            item = Shown(person, "toast", reply.text)
        elif isinstance(reply, Photo):
            item = Shown(person, "photo", spelled_text(reply.caption), _flat(reply.buttons),
                         content=reply.content or b"", filename=reply.filename)
        elif isinstance(reply, File):
            content = reply.data()
            if reply.source is not None:
                reply.source.close()
            item = Shown(person, "file", f"{reply.filename} ({len(content):,} bytes) "
                         + spelled_text(reply.caption), content=content,
                         filename=reply.filename)
        elif isinstance(reply, DropButtons):
            continue
        else:  # pragma: no cover - a new kind of reply must be taught to the console
            raise TypeError(f"the console cannot show {type(reply).__name__}")
        screen.show(item, current=person)
