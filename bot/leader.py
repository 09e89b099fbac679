"""Which process of several on one database runs the jobs that must run once: the outbox
drains (Telegram and Kakao), the reminders, the sweep, the backups.

Every process asks for the jobs lease (storage/leader.py) at start and then every `interval`
seconds; the one that holds it leads, the others only answer their members. When the leader
dies its lease is freed and another process takes it at its next try, so the jobs pause for
at most `interval` seconds (plus the server's keepalive time if a whole machine vanished),
well under a minute with the default. Taking the lead is when the crash recovery runs (rows
left 'sending' become 'uncertain'): only then is no live process sending them.

On SQLite there is one process, which leads from the start; nothing runs in the background."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from storage.leader import JobsLease

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 10.0

Work = Callable[[], Awaitable[object]]


class Leader:
    def __init__(self, lease: JobsLease, interval: float = DEFAULT_INTERVAL) -> None:
        self.lease = lease
        self.interval = interval
        self.leading = False
        self._on_lead: list[Work] = []
        self._while_leading: list[Work] = []
        self._task: asyncio.Task[None] | None = None
        self._started = False

    def on_lead(self, work: Work | None = None, *, every_tick: Work | None = None) -> None:
        """`work` (the crash recovery) runs each time this process takes the lead, before
        any job of this process runs; `every_tick` runs right after and at every later check
        while it leads (to pick up what other processes added, e.g. a reminder to arm).
        Register before `start`."""
        if work is not None:
            self._on_lead.append(work)
        if every_tick is not None:
            self._while_leading.append(every_tick)

    async def start(self) -> None:
        """Ask for the lease now (so a lone process leads before it serves anyone), then
        keep asking in the background if other processes may hold it."""
        if self._started:
            return
        self._started = True
        await self.tick()
        if self.lease.shared:
            self._task = asyncio.get_running_loop().create_task(self._loop())

    async def tick(self) -> None:
        if self.leading:
            if await self.lease.held():
                for work in self._while_leading:
                    await _run(work)
                return
            self.leading = False
            log.warning("this process lost the jobs lease; another one will run the jobs")
            await self.lease.release()
        if not await self.lease.take():
            return
        if self.lease.shared:
            log.info("this process took the jobs lease: it runs the outbox, reminders, sweep")
        try:
            for work in self._on_lead:  # before `leading`: no job of ours is sending meanwhile
                await work()
        except Exception:
            if not self.lease.shared:
                raise  # a lone process fails its start, as it always has
            log.exception("the recovery on taking the jobs lease failed; letting it go")
            await self.lease.release()
            return
        self.leading = True
        for work in self._while_leading:
            await _run(work)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.tick()
            except Exception:
                log.exception("checking the jobs lease failed; trying again")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.leading = False
        await self.lease.release()


async def _run(work: Work) -> None:
    try:
        await work()
    except Exception:
        log.exception("a job run while leading failed")

