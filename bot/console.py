"""The local console: a terminal chat that drives the real Telegram handlers in-process."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.app import build_application
from bot.demo import DEMO_PEOPLE, ensure_demo
from bot.fake_api import ApiCall, FakeBotApi, Rejection
from bot.settings import Settings
from bot.updates import FakeUser, UpdateFactory
from conversation.render import plain_text as plain
from handlers.telegram.common import SERVICES_KEY
from handlers.telegram.outbox import drain

InputFn = Callable[[str], Awaitable[str | None]]
DEMO_DB = "data/demo.db"  # practice data, kept apart from the real PUMASI_DB




async def _stdin(prompt: str) -> str | None:
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


class Console:
    def __init__(self, settings: Settings, read: InputFn = _stdin,
                 write: Callable[[str], None] = print, real_db: str = "data/pumasi.db") -> None:
        self._write = write
        self._read = read
        self._people = {person.first_name: person for person in DEMO_PEOPLE}
        self._current: FakeUser = DEMO_PEOPLE[0]
        self._buttons: dict[int, list[tuple[str, str, int]]] = {}
        self.api = FakeBotApi(on_call=self._show, on_reject=self._refused)
        self._db_path = settings.db_path
        self._real_db = real_db
        self.application = build_application(settings, request=self.api)

    def _refused(self, rejection: Rejection) -> None:
        """Telegram would have refused this: say so rather than let it vanish."""
        self._write(f"\n⚠️ 텔레그램이 거절할 메시지예요 (Telegram would refuse it): "
                    f"{rejection.call.method} → {rejection.description}")

    def _show(self, call: ApiCall) -> None:
        if call.method not in ("sendMessage", "sendPhoto", "editMessageText",
                               "editMessageCaption", "answerCallbackQuery"):
            return
        if call.method == "answerCallbackQuery":
            if call.params.get("text"):
                self._write(f"  [알림] {call.params['text']}")
            return
        chat = call.chat_id
        who = next((p.first_name for p in DEMO_PEOPLE if p.id == chat), str(chat))
        marker = "" if chat == self._current.id else f" → {who}"
        prefix = "✎ " if call.method.startswith("edit") else ""
        self._write(f"\n🤖{marker} {prefix}{plain(call.text)}")
        buttons = call.buttons
        if buttons and chat is not None:
            message_id = int(call.params.get("message_id") or 0) or len(self.api.calls) + 99
            self._buttons[chat] = [(label, data, message_id) for label, data in buttons]
            for index, (label, _) in enumerate(buttons, start=1):
                self._write(f"   [!{index}] {label}")

    async def run(self) -> None:
        application = self.application
        await application.initialize()
        try:
            await application.post_init(application)
            factory = UpdateFactory(application.bot)
            self._write(_database_note(self._db_path, self._real_db))
            demo = await ensure_demo(application.bot_data[SERVICES_KEY])
            if demo == "created":
                self._write("데모 품앗이를 만들었어요 (demo community created).")
            elif demo == "skipped":
                self._write("이 데이터베이스에는 이미 품앗이가 있어서 데모를 만들지 않았어요 "
                            "(real communities here: no demo added).")
            self._write(
                "품앗이 봇 콘솔이에요. /as 이름 으로 사람을 바꿔요 (" +
                ", ".join(self._people) + "). !1, !2 … 로 버튼을 눌러요. /quit 로 끝내요."
            )
            while True:
                line = await self._read(f"\n[{self._current.first_name}] > ")
                if line is None or line.strip() in ("/quit", "/exit"):
                    break
                line = line.strip()
                if not line:
                    continue
                if line.startswith("/as"):
                    self._switch(line[3:].strip())
                    continue
                buttons = self._buttons.get(self._current.id, [])
                # "!2" presses button 2; a bare number stays an answer (seats, amounts).
                choice = line[1:] if line.startswith("!") else ""
                if choice.isdigit() and 1 <= int(choice) <= len(buttons):
                    _, data, message_id = buttons[int(choice) - 1]
                    update = factory.callback(self._current, data, message_id=message_id)
                elif line.startswith("!"):
                    self._write(f"그런 버튼이 없어요 (no such button): 1–{len(buttons)}")
                    continue
                else:
                    update = factory.message(self._current, line)
                await application.process_update(update)
                # The console runs no scheduler: deliver queued notices right away.
                await drain(application)
        finally:
            await application.post_shutdown(application)
            await application.shutdown()

    def _switch(self, name: str) -> None:
        person = self._people.get(name)
        if person is None:
            self._write("누구로 바꿀까요? " + ", ".join(self._people))
            return
        self._current = person
        self._write(f"이제 {person.first_name}(으)로 말해요.")


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
    admins = settings.admin_telegram_ids | {str(DEMO_PEOPLE[0].id)}
    return replace(settings, telegram_token=None, db_path=db_path or DEMO_DB,
                   admin_telegram_ids=frozenset(admins))


async def run_console(settings: Settings, db_path: str | None = None) -> None:
    await Console(console_settings(settings, db_path), real_db=settings.db_path).run()
