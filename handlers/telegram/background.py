"""Sends to other people (the payee told of a payment, a linked group told of a post) made
after the update that caused them has been answered, so that answer never waits for them.

Each update's sends run in one task, in order; the tasks are kept here (a bare task may be
garbage-collected mid-flight) and awaited when the bot stops, while it can still send.
A crash before they run loses them, exactly as a crash between commit and reply always
could: the ledger is exactly-once, these messages are best effort, like today's."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from telegram.ext import Application

log = logging.getLogger(__name__)

BACKGROUND_KEY = "background_sends"
STOP_TIMEOUT_SECONDS = 30.0


class BackgroundSends:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self.errors: deque[BaseException] = deque(maxlen=100)  # the latest, for tests and logs

    def start(self, sends: list[Callable[[], Awaitable[object]]]) -> None:
        """Run `sends` one after the other in a task of their own; one that fails (logged)
        does not keep the next from being sent."""
        task = asyncio.get_running_loop().create_task(self._run(sends))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, sends: list[Callable[[], Awaitable[object]]]) -> None:
        for send in sends:
            try:
                await send()
            except Exception as error:
                self.errors.append(error)
                log.exception("a message to another member or group failed")

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def finish(self, within: float | None = STOP_TIMEOUT_SECONDS) -> None:
        """Wait for every send started so far (and any started meanwhile)."""
        while self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=within)
            if late:
                log.warning("%d background sends still running at shutdown; cancelled",
                            len(late))
                for task in late:
                    task.cancel()
                await asyncio.wait(late)
                return


def background_of(application: Application) -> BackgroundSends:
    return application.bot_data.setdefault(BACKGROUND_KEY, BackgroundSends())


async def finish_background_sends(application: Application) -> None:
    """Post-stop (and post-shutdown) hook: no notification is dropped by a clean stop."""
    await background_of(application).finish()
