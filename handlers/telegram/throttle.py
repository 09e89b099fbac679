"""A per-user flood guard: past the limit a user is told once, then ignored for a while.

Per process, on purpose, also with several processes on one PostgreSQL database: it guards
this process's event loop and connections from one sender's flood, which is what it is for;
the ledger's rules never depend on it (duplicates and double taps are stopped by the
database's keys and guards). Behind a load balancer a flooder gets at most the limit once
per process (a handful) before every one of them pauses it; counting in the database instead
would add a write to every update, the cost the guard exists to avoid."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from conversation.i18n import translator
from handlers.telegram.common import actor_of

log = logging.getLogger(__name__)

THROTTLE_KEY = "throttle"


class Throttle:
    """At most `limit` updates per user in any `window` seconds; the next one starts a pause
    of `window` seconds during which the user's updates are dropped."""

    def __init__(self, limit: int = 30, window: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._recent: dict[int, deque[float]] = {}
        self._paused_until: dict[int, float] = {}

    def admit(self, user_id: int) -> str:
        """'ok' to handle the update, 'tell' to warn the user once, 'drop' to ignore it."""
        now = self.clock()
        paused_until = self._paused_until.get(user_id)
        if paused_until is not None:
            if now < paused_until:
                return "drop"
            del self._paused_until[user_id]
            self._recent.pop(user_id, None)
        recent = self._recent.setdefault(user_id, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) >= self.limit:
            self._paused_until[user_id] = now + self.window
            return "tell"
        recent.append(now)
        return "ok"


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if user is None:
        return
    verdict = context.application.bot_data[THROTTLE_KEY].admit(user.id)
    if verdict == "ok":
        return
    if verdict == "tell" and update.effective_chat is not None:
        log.info("user %s is sending too fast; pausing them", user.id)
        actor = await actor_of(update, context)
        tr = translator(actor.locale)
        await context.bot.send_message(
            update.effective_chat.id,
            tr("You're sending messages very fast, so I'll pause for a few seconds. "
               "Please try again shortly."),
        )
    raise ApplicationHandlerStop
