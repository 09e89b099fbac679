"""Draining the notice outbox under the Bot API's limits (the Application's AIORateLimiter
spaces the sends), honouring RetryAfter, marking blocked members unreachable, dropping the
links of group chats the bot was removed from."""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ContextTypes

from conversation import background
from conversation.notify import delivery_buttons
from core.notices import Delivery, NoticeReport
from handlers.telegram.common import NOTIFIER_KEY, leads
from handlers.telegram.sending import inline_keyboard, send_text

log = logging.getLogger(__name__)

# Sends in flight at once: enough for ~30 a second over a slow link to the Bot API, and the
# most rows a crash can leave uncertain.
WORKERS = 8
WORKERS_KEY = "outbox_workers"  # bot_data override of WORKERS
MAX_ATTEMPTS = 5
RATE_KEY = "outbox_rate"  # messages per second overall; None for no pacing (tests)
DEFAULT_RATE = 30
_LOCK_KEY = "outbox_lock"


class Pacer:
    """Evenly spaced sends, a hair under the rate, and never more than `rate - 1` within any
    second by the clock at the moment of sending: the spare one absorbs a send that leaves a
    little late and a reply to a member in between (a token bucket would allow a burst, and
    Telegram answers a burst with a RetryAfter that costs a whole second)."""

    def __init__(self, rate: float | None) -> None:
        self.rate = max(1, int(rate) - 1) if rate else 0
        self.interval = 1.01 / rate if rate else 0.0
        self._next = 0.0
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.rate:
            return
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._sent and self._sent[0] <= now - 1.0:
                    self._sent.popleft()
                ready_at = max(self._next, self._sent[0] + 1.0 if len(self._sent) >= self.rate
                               else now)
                if ready_at <= now:
                    break
                await asyncio.sleep(ready_at - now)
            self._sent.append(now)
            # On schedule, not from the late wake-up: the window above bounds any catch-up.
            self._next = max(self._next, now - 1.0) + self.interval


async def drain(application: Application, max_messages: int | None = None,
                keep_going=lambda: True) -> int:
    """Send pending outbox rows until none is left (or `max_messages`); returns how many were
    handled. Only one drain runs at a time."""
    lock = application.bot_data.setdefault(_LOCK_KEY, asyncio.Lock())
    async with lock:
        run = _Drain(application, max_messages, keep_going)
        async with asyncio.TaskGroup() as workers:
            for _ in range(max(1, application.bot_data.get(WORKERS_KEY) or WORKERS)):
                workers.create_task(run.worker())
    return run.handled


class _Drain:
    """Workers that each claim one row, send it and record the outcome, until none is left.
    A row is claimed only when its send is next, so a crash leaves at most one row per worker
    'sending' (uncertain after the restart) and every row never tried still pending."""

    def __init__(self, application: Application, max_messages: int | None, keep_going
                 ) -> None:
        self.application = application
        self.services = application.bot_data["services"]
        self.pacer = Pacer(application.bot_data.get(RATE_KEY, DEFAULT_RATE))
        self.max_messages = max_messages
        self.keep_going = keep_going
        self.taken = 0  # rows claimed (or being claimed) and not put back
        self.handled = 0
        self.resume_at = 0.0  # time.monotonic() before which nothing is sent (RetryAfter)

    async def worker(self) -> None:
        while self.keep_going() and (self.max_messages is None
                                     or self.taken < self.max_messages):
            self.taken += 1
            delivery = await self._claim()
            if delivery is None:  # nothing pending; a row put back to retry has its worker
                self.taken -= 1
                return
            # Paced after the claim, so the send leaves at the moment the pacer chose (pacing
            # before the claim lets the write's jitter bunch sends into 429s); a claimed row
            # waits here at most one pacing interval per worker.
            await self.pacer.wait()
            state, error, retry_after = await _deliver(self.application, delivery)
            if state == "retry":
                self.taken -= 1
                await self.services.notices.retry_later(delivery, error)
                log.info("pausing the outbox %.1f s after %s", retry_after, error)
                self.resume_at = max(self.resume_at, time.monotonic() + retry_after)
                continue
            self.handled += 1
            for report in await self.services.notices.finish_many([(delivery, state, error)]):
                await self.pacer.wait()  # the report counts against the same limit
                await _tell_author(self.application, report)

    async def _claim(self) -> Delivery | None:
        pause = self.resume_at - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        claimed = await self.services.notices.claim(1)
        return claimed[0] if claimed else None


async def outbox_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    application = context.application
    if not leads(application):  # another process drains the outbox
        return
    await drain(application, keep_going=lambda: application.running and leads(application))


async def _deliver(application: Application, delivery: Delivery
                   ) -> tuple[str, str | None, float]:
    bot = application.bot
    try:
        if delivery.photo_file_id:
            await bot.send_photo(delivery.chat_id, delivery.photo_file_id,
                                 caption=delivery.text or None)
        elif delivery.document_file_id:
            await bot.send_document(delivery.chat_id, delivery.document_file_id,
                                    caption=delivery.text or None)
        else:
            await send_text(bot, delivery.chat_id, delivery.text,
                            inline_keyboard(delivery_buttons(delivery)))
    except RetryAfter as error:
        return "retry", "RetryAfter", _retry_seconds(error)
    except ChatMigrated as error:  # a group became a supergroup: send it there instead
        services = application.bot_data["services"]
        await services.notices.move_group(delivery.chat_id, error.new_chat_id)
        await services.notices.resend_to(delivery, error.new_chat_id)
        return "unreachable", "ChatMigrated", 0.0
    except (Forbidden, BadRequest) as error:
        if delivery.to_group:
            await group_refused(application.bot_data["services"], delivery.chat_id, error)
        if chat_is_gone(error):  # blocked the bot, left, or no such chat
            return "unreachable", type(error).__name__, 0.0
        log.warning("notice %s refused for chat %s: %s", delivery.notice_id, delivery.chat_id,
                    error)
        return "failed", type(error).__name__, 0.0
    except NetworkError as error:
        if delivery.attempts < MAX_ATTEMPTS:
            return "retry", type(error).__name__, 1.0
        return "failed", type(error).__name__, 0.0
    except TelegramError as error:
        return "failed", type(error).__name__, 0.0
    return "sent", None, 0.0


_GONE = ("chat not found", "user not found", "peer_id_invalid", "not enough rights",
         "have no rights", "not a member", "chat_write_forbidden", "was deactivated")


def chat_is_gone(error: TelegramError) -> bool:
    """The chat can't get messages from the bot any more: the bot was blocked or removed,
    the chat deleted, or the bot may not write there."""
    text = str(error).lower()
    return isinstance(error, Forbidden) or (
        isinstance(error, BadRequest) and any(sign in text for sign in _GONE))


async def group_refused(services, chat_id: int, error: TelegramError) -> None:
    """A linked group chat refused a message. If the bot can't post there any more the link
    is dropped (and audit-logged), so nothing is tried there again; otherwise it is logged."""
    if chat_is_gone(error) and await services.notices.drop_group(chat_id,
                                                                 type(error).__name__):
        log.warning("group chat %s refused the bot (%s); its link was removed", chat_id, error)
    else:
        log.warning("group chat %s refused a message: %s", chat_id, error)


def _retry_seconds(error: RetryAfter) -> float:
    # python-telegram-bot 22 warns that retry_after becomes a timedelta; accept both.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


async def _tell_author(application: Application, report: NoticeReport) -> None:
    await background.tell_author(application.bot_data["services"],
                                 application.bot_data[NOTIFIER_KEY], report)
