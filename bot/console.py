"""The local console: a terminal chat on the conversation itself, no messenger involved.

`ConsoleSession` is the console's whole runtime (services, conversation, notifier, notice
outbox); `Console` is the terminal loop around it (`/as 이름`, `!N` presses button N)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.demo import DEMO_PEOPLE, ensure_demo
from bot.settings import Settings
from conversation import background
from conversation.app import Conversation
from conversation.notify import Notifier, delivery_buttons
from conversation.routes import ROUTES
from core.clock import Clock
from core.services import Services
from handlers.console import (
    CHANNEL,
    ConsoleChannel,
    ConsoleEvents,
    ConsoleScreen,
    Shown,
    show_outcome,
)

InputFn = Callable[[str], Awaitable[str | None]]
DEMO_DB = "data/demo.db"  # practice data, kept apart from the real PUMASI_DB


class ConsoleSession:
    """Everything the console runs, without the terminal: what tests drive, too."""

    def __init__(self, services: Services, screen: ConsoleScreen) -> None:
        self.services = services
        self.screen = screen
        self.current = ""
        self.notifier = Notifier(ConsoleChannel(screen, lambda: self.current))
        self.conversation = Conversation(services, ROUTES, self.notifier)
        self.events = ConsoleEvents()

    @classmethod
    async def open(cls, db_path: str, *, admins: frozenset[tuple[str, str]] = frozenset(),
                   clock: Clock | None = None, screen: ConsoleScreen | None = None
                   ) -> ConsoleSession:
        services = await Services.open(db_path, clock=clock, admins=admins)
        await services.notices.recover()
        return cls(services, screen or ConsoleScreen())

    async def close(self) -> None:
        await self.services.close()

    async def say(self, person: str, text: str, name: str | None = None) -> list[Shown]:
        return await self._handle(person, self.events.message(person, text, name))

    async def press(self, person: str, action: str, name: str | None = None) -> list[Shown]:
        return await self._handle(person, self.events.press(person, action, name))

    async def photo(self, person: str, ref: str, caption: str = "", name: str | None = None
                    ) -> list[Shown]:
        return await self._handle(person, self.events.photo(person, ref, caption, name))

    async def _handle(self, person: str, event) -> list[Shown]:
        before = len(self.screen.shown)
        self.current = person
        outcome = await self.conversation.handle(event)
        show_outcome(self.screen, person, outcome)
        for notification in outcome.notifications:
            await self.notifier.deliver(notification)
        # The console runs no scheduler: queued notices go out right away.
        await self.drain_notices()
        return self.screen.shown[before:]

    async def drain_notices(self) -> int:
        """Deliver the console's rows of the notice outbox, exactly as previewed."""
        handled = 0
        while batch := await self.services.notices.claim(50, channel=CHANNEL):
            for delivery in batch:
                await ConsoleChannel(self.screen, lambda: self.current).send(
                    delivery.address, delivery.text, delivery_buttons(delivery))
            reports = await self.services.notices.finish_many(
                [(delivery, "sent", None) for delivery in batch])
            for report in reports:
                await background.tell_author(self.services, self.notifier, report)
            handled += len(batch)
        return handled


async def _stdin(prompt: str) -> str | None:
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


class Console:
    def __init__(self, settings: Settings, read: InputFn = _stdin,
                 write: Callable[[str], None] = print, real_db: str = "data/pumasi.db") -> None:
        self._settings = settings
        self._write = write
        self._read = read
        self._person = DEMO_PEOPLE[0]
        self._real_db = real_db

    async def run(self) -> None:
        screen = ConsoleScreen(self._write)
        session = await ConsoleSession.open(self._settings.db_path,
                                            admins=self._settings.admins, screen=screen)
        try:
            self._write(_database_note(self._settings.db_path, self._real_db))
            demo = await ensure_demo(session.services)
            if demo == "created":
                self._write("데모 품앗이를 만들었어요 (demo community created).")
            elif demo == "skipped":
                self._write("이 데이터베이스에는 이미 품앗이가 있어서 데모를 만들지 않았어요 "
                            "(real communities here: no demo added).")
            self._write(
                "품앗이 봇 콘솔이에요. /as 이름 으로 사람을 바꿔요 (" + ", ".join(DEMO_PEOPLE)
                + "). !1, !2 … 로 버튼을 눌러요. /quit 로 끝내요."
            )
            await self._loop(session)
        finally:
            await session.close()

    async def _loop(self, session: ConsoleSession) -> None:
        while True:
            line = await self._read(f"\n[{self._person}] > ")
            if line is None or line.strip() in ("/quit", "/exit"):
                return
            line = line.strip()
            if not line:
                continue
            if line.startswith("/as"):
                self._switch(line[3:].strip())
                continue
            buttons = session.screen.buttons_of(self._person)
            # "!2" presses button 2; a bare number stays an answer (seats, amounts).
            choice = line[1:] if line.startswith("!") else ""
            if choice.isdigit() and 1 <= int(choice) <= len(buttons):
                await session.press(self._person, buttons[int(choice) - 1][1])
            elif line.startswith("!"):
                self._write(f"그런 버튼이 없어요 (no such button): 1–{len(buttons)}")
            else:
                await session.say(self._person, line)

    def _switch(self, name: str) -> None:
        if name not in DEMO_PEOPLE:
            self._write("누구로 바꿀까요? " + ", ".join(DEMO_PEOPLE))
            return
        self._person = name
        self._write(f"이제 {name} 님으로 말해요.")


def _database_note(db_path: str, real_db: str) -> str:
    """Say which file this is: the practice file is not where `pumasi community create`
    and `coordinator add` write (PUMASI_DB), so a community made there is not here."""
    if db_path != DEMO_DB:
        return f"데이터베이스: {db_path} (database: {db_path})"
    return (f"연습용 데모 데이터({DEMO_DB})를 써요. pumasi community create 로 만든 실제 "
            f"데이터({real_db})와는 따로예요. 실제 데이터로 열려면: pumasi console --db "
            f"{real_db}\n(Practice data in {DEMO_DB}, apart from the real data in {real_db}; "
            f"open that with: pumasi console --db {real_db})")


def console_settings(settings: Settings, db_path: str | None) -> Settings:
    return replace(settings, telegram_token=None, db_path=db_path or DEMO_DB,
                   console_admins=settings.console_admins | {DEMO_PEOPLE[0]})


async def run_console(settings: Settings, db_path: str | None = None) -> None:
    await Console(console_settings(settings, db_path), real_db=settings.db_path).run()
