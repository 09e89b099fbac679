"""Draining the notice outbox under the Bot API's limits (the Application's AIORateLimiter
spaces the sends), honouring RetryAfter, marking blocked members unreachable."""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque
from html import escape

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from core.notices import Delivery, NoticeReport
from handlers.i18n import translator

log = logging.getLogger(__name__)

BATCH = 60
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
    pacer = Pacer(application.bot_data.get(RATE_KEY, DEFAULT_RATE))
    handled = 0
    async with lock:
        services = application.bot_data["services"]
        while keep_going() and (max_messages is None or handled < max_messages):
            size = BATCH if max_messages is None else min(BATCH, max_messages - handled)
            batch = await services.notices.claim(size)
            if not batch:
                break
            pause = 0.0
            results = await asyncio.gather(*(_deliver(application, d, pacer) for d in batch))
            outcomes = []
            for delivery, (state, error, retry_after) in zip(batch, results, strict=True):
                if state == "retry":
                    await services.notices.retry_later(delivery, error)
                    pause = max(pause, retry_after)
                else:
                    outcomes.append((delivery, state, error))
            for report in await services.notices.finish_many(outcomes):
                await pacer.wait()  # the report counts against the same limit
                await _tell_author(application, report)
            handled += len(outcomes)
            if pause:
                log.info("Bot API asked to slow down; pausing %.1f s", pause)
                await asyncio.sleep(pause)
    return handled


async def outbox_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    application = context.application
    await drain(application, keep_going=lambda: application.running)


async def _deliver(application: Application, delivery: Delivery, pacer: Pacer
                   ) -> tuple[str, str | None, float]:
    bot = application.bot
    await pacer.wait()
    text = escape(delivery.text)  # the coordinator's own words: `<` must not read as a tag
    try:
        if delivery.photo_file_id:
            await bot.send_photo(delivery.chat_id, delivery.photo_file_id,
                                 caption=text or None)
        elif delivery.document_file_id:
            await bot.send_document(delivery.chat_id, delivery.document_file_id,
                                    caption=text or None)
        else:
            await bot.send_message(delivery.chat_id, text)
    except RetryAfter as error:
        return "retry", "RetryAfter", _retry_seconds(error)
    except (Forbidden, BadRequest) as error:  # blocked the bot, left, or no such chat
        return "unreachable", type(error).__name__, 0.0
    except NetworkError as error:
        if delivery.attempts < MAX_ATTEMPTS:
            return "retry", type(error).__name__, 1.0
        return "failed", type(error).__name__, 0.0
    except TelegramError as error:
        return "failed", type(error).__name__, 0.0
    return "sent", None, 0.0


def _retry_seconds(error: RetryAfter) -> float:
    # python-telegram-bot 22 warns that retry_after becomes a timedelta; accept both.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


def report_text(tr, report: NoticeReport) -> str:
    return tr("📣 Notice N{id} delivered: {sent} sent, {unreachable} unreachable, "
              "{failed} failed, of {recipients}.", id=report.notice_id, sent=report.sent,
              unreachable=report.unreachable, failed=report.failed,
              recipients=report.recipients)


async def _tell_author(application: Application, report: NoticeReport) -> None:
    services = application.bot_data["services"]
    addresses = await services.people.addresses(report.author_person_id)
    if "telegram" not in addresses:
        return
    author = await services.people.reload(report.author_person_id)
    try:
        await application.bot.send_message(int(addresses["telegram"]),
                                           report_text(translator(author.locale), report))
    except TelegramError:
        log.info("could not send the delivery report of notice %s", report.notice_id)

