"""Test helpers: a bot driven through Application.process_update against a recording fake API."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from telegram.ext import Application, CallbackContext

from bot.app import build_application, close, prepare
from bot.fake_api import ApiCall, FakeBotApi
from bot.settings import Settings
from bot.updates import FakeUser, UpdateFactory
from core.clock import ManualClock
from core.services import Services
from handlers.telegram.background import background_of
from handlers.telegram.common import SERVICES_KEY
from handlers.telegram.jobs import sweep
from handlers.telegram.outbox import RATE_KEY, drain
from handlers.telegram.throttle import Throttle

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
ADMIN = FakeUser(900, "재단관리자", "admin")


def settings_for(db_path: Path | str) -> Settings:
    return Settings(
        telegram_token="123456:TEST", api_base_url="http://127.0.0.1:9/bot",
        db_path=str(db_path), admin_telegram_ids=frozenset({str(ADMIN.id)}), locale="ko",
    )


class BotHarness:
    """Send messages and tap buttons as users; read what the bot sent back."""

    channel = "telegram"

    def __init__(self, application: Application, api: FakeBotApi, clock: ManualClock) -> None:
        self.application = application
        self.api = api
        self.clock = clock
        self.updates = UpdateFactory(application.bot)
        self.history: list = []  # every update processed, for replaying

    @classmethod
    async def start(cls, db_path: Path | str, clock: ManualClock | None = None,
                    api: FakeBotApi | None = None) -> BotHarness:
        clock = clock or ManualClock(START)
        api = api or FakeBotApi()
        application = build_application(settings_for(db_path), request=api, clock=clock)
        # Scenarios send faster than any person; the flood guard has tests of its own.
        application.bot_data["throttle"] = Throttle(limit=1_000_000)
        application.bot_data[RATE_KEY] = None  # the fake API has no limit to respect
        await application.initialize()
        await prepare(application)
        return cls(application, api, clock)

    async def stop(self) -> None:
        await close(self.application)
        await self.application.shutdown()

    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]

    async def send(self, user: FakeUser, text: str, **kwargs) -> list[ApiCall]:
        return await self.process(self.updates.message(user, text, **kwargs))

    async def send_photo(self, user: FakeUser, ref: str) -> list[ApiCall]:
        return await self.send(user, "", photo_file_id=ref)

    async def edit(self, user: FakeUser, text: str, message_id: int | None = None,
                   **kwargs) -> list[ApiCall]:
        """The user edits one of their messages (default: the last one they sent) to `text`;
        `chat_id` as for `send`."""
        if message_id is None:
            sent = [u.message for u in self.history
                    if u.message is not None and u.message.from_user.id == user.id]
            assert sent, f"{user.first_name} has sent no message to edit"
            message_id = sent[-1].message_id
        return await self.process(self.updates.edited_message(user, message_id, text,
                                                                  **kwargs))

    async def join(self, user: FakeUser, code: str) -> list[ApiCall]:
        """`/join CODE`, agreeing to the privacy notice when it is shown (someone who is
        already a member or waits for approval is not asked again)."""
        calls = await self.send(user, f"/join {code}")
        agree = [data for call in calls for _, data in call.buttons if data.startswith("jn:ok:")]
        if agree:
            calls += await self.tap(user, agree[-1])
        return calls

    async def process(self, update) -> list[ApiCall]:
        before = len(self.api.calls)
        self.history.append(update)
        await self.application.process_update(update)
        await self.settle()
        return self.api.calls[before:]

    async def settle(self) -> None:
        """Wait for the messages to others sent after an update (a payee's notification)."""
        await background_of(self.application).finish()

    async def tap(self, user: FakeUser, data: str, message_id: int = 1) -> list[ApiCall]:
        return await self.process(self.updates.callback(user, data, message_id=message_id))

    async def sweep(self) -> list[ApiCall]:
        before = len(self.api.calls)
        await sweep(CallbackContext(self.application))
        return self.api.calls[before:]

    async def deliver_notices(self) -> None:
        """Send the queued notices now (the outbox job would, a second later)."""
        await drain(self.application)

    def sent_to(self, user: FakeUser) -> list[ApiCall]:
        return self.api.sent_to(user.id)

    def last_message_to(self, user: FakeUser) -> ApiCall:
        sent = [c for c in self.api.sent_to(user.id)
                if c.method in ("sendMessage", "sendPhoto") or c.method.startswith("edit")]
        assert sent, f"nothing was sent to {user.first_name}"
        return sent[-1]

    def button_data(self, user: FakeUser, label_part: str) -> str:
        """Callback data of the newest button sent to the user whose label contains the text."""
        for call in reversed(self.api.sent_to(user.id)):
            for label, data in call.buttons:
                if label_part in label:
                    return data
        raise AssertionError(f"no button with {label_part!r} sent to {user.first_name}")


def texts(calls: list[ApiCall]) -> str:
    return "\n".join(call.text for call in calls if call.text)


def alerts(calls: list[ApiCall]) -> list[str]:
    return [str(c.params.get("text") or "") for c in calls if c.method == "answerCallbackQuery"]


async def seed_community(
    services: Services, code: str = "mapo", *, members: int = 3, floor: int = -300_000,
    ceiling: int = 1_000_000, approval: str = "auto", first_user_id: int = 101,
):
    """A community with active members (the first one a coordinator); their fresh actors."""
    await services.membership.create_community(
        code=code, name=f"{code} 품앗이", credit_floor=floor, credit_ceiling=ceiling,
        approval="auto",
    )
    actors = []
    for index in range(members):
        user_id = first_user_id + index
        if index == 0:
            await services.membership.add_coordinator(
                code=code, channel="telegram", external_id=str(user_id)
            )
        actor = await services.people.resolve("telegram", str(user_id), f"회원{user_id}",
                                              f"user{user_id}")
        await services.membership.join(actor, code)
        actors.append(await services.people.reload(actor.person.id))
    if approval != "auto":
        async with services.db.write() as conn:
            await conn.execute("UPDATE communities SET approval = ? WHERE code = ?",
                               (approval, code))
    return actors


async def pay_at(services: Services, clock, payer, number: int, amount: int, moment):
    """A pay preview and its confirm from `payer` to member #`number`, at `moment` (the
    test's ManualClock set to it)."""
    clock._now = moment
    view = await services.ledger.start_trade(payer, kind="pay", counterparty=f"#{number}",
                                             amount=amount, memo=None, request_key=f"{moment}")
    return await services.ledger.confirm_pay(payer, view.request.id)


async def count_rows(services: Services, table: str) -> int:
    async with services.db.read() as conn, conn.execute(f"SELECT COUNT(*) FROM {table}") as cur:
        return (await cur.fetchone())[0]


async def open_community(harness, coordinator: FakeUser, members, code: str = "mapo") -> None:
    """A community anyone may join at once, spending on credit: `coordinator` runs it (and
    has said /start), each of `members` joins through the privacy notice, on the harness's
    channel (Telegram, the console or KakaoTalk)."""
    services = harness.services
    await services.membership.create_community(
        code=code, name="마포 품앗이", credit_floor=-300_000, approval="auto")
    await services.membership.add_coordinator(code=code, channel=harness.channel,
                                              external_id=str(coordinator.id))
    await harness.send(coordinator, "/start")
    for user in members:
        await harness.join(user, code)
