"""The console, driven like tests/support.py's BotHarness drives Telegram: the same scenario
can run on both channels (tests/conversation/test_scenarios.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.console import ConsoleSession
from bot.updates import FakeUser
from core.clock import ManualClock
from core.services import Services
from handlers.console import CHANNEL, Shown
from tests.support import ADMIN, START

_METHODS = {"message": "sendMessage", "edit": "editMessageText", "photo": "sendPhoto",
            "file": "sendDocument", "toast": "answerCallbackQuery"}


@dataclass(frozen=True)
class Seen:
    """A thing the console showed, shaped like the fake Bot API's ApiCall."""

    shown: Shown

    @property
    def method(self) -> str:
        return _METHODS[self.shown.kind]

    @property
    def chat_id(self) -> int:
        return int(self.shown.person)

    @property
    def text(self) -> str:
        return self.shown.text

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return list(self.shown.buttons)


class ConsoleHarness:
    channel = CHANNEL

    def __init__(self, session: ConsoleSession, clock: ManualClock) -> None:
        self.session = session
        self.clock = clock
        self.seen: list[Seen] = []

    @classmethod
    async def start(cls, db_path: Path | str, clock: ManualClock | None = None
                    ) -> ConsoleHarness:
        clock = clock or ManualClock(START)
        session = await ConsoleSession.open(str(db_path), clock=clock,
                                            admins=frozenset({(CHANNEL, str(ADMIN.id))}))
        return cls(session, clock)

    async def stop(self) -> None:
        await self.session.close()

    @property
    def services(self) -> Services:
        return self.session.services

    def _record(self, shown: list[Shown]) -> list[Seen]:
        seen = [Seen(item) for item in shown]
        self.seen += seen
        return seen

    async def send(self, user: FakeUser, text: str) -> list[Seen]:
        return self._record(await self.session.say(str(user.id), text, user.first_name))

    async def send_photo(self, user: FakeUser, ref: str) -> list[Seen]:
        return self._record(await self.session.photo(str(user.id), ref, "", user.first_name))

    async def tap(self, user: FakeUser, data: str) -> list[Seen]:
        return self._record(await self.session.press(str(user.id), data, user.first_name))

    async def join(self, user: FakeUser, code: str) -> list[Seen]:
        """`/join CODE`, agreeing to the privacy notice when it is shown, as BotHarness.join."""
        seen = await self.send(user, f"/join {code}")
        agree = [data for item in seen for _, data in item.buttons if data.startswith("jn:ok:")]
        if agree:
            seen += await self.tap(user, agree[-1])
        return seen

    async def deliver_notices(self) -> None:
        self._record(self.session.screen.shown[len(self.seen):])  # already shown at once

    def sent_to(self, user: FakeUser) -> list[Seen]:
        return [Seen(item) for item in self.session.screen.shown
                if item.person == str(user.id)]

    def last_message_to(self, user: FakeUser) -> Seen:
        sent = [seen for seen in self.sent_to(user) if seen.shown.kind != "toast"]
        assert sent, f"nothing was shown to {user.first_name}"
        return sent[-1]

    def button_data(self, user: FakeUser, label_part: str) -> str:
        for seen in reversed(self.sent_to(user)):
            for label, data in seen.buttons:
                if label_part in label:
                    return data
        raise AssertionError(f"no button with {label_part!r} shown to {user.first_name}")
