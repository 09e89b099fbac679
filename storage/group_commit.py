"""Write transactions that arrive together share one commit, and so one fsync.

Each write transaction runs alone (a lock orders them) inside a SAVEPOINT of one outer
transaction; when it ends well its savepoint is released and its caller waits for the
commit; when it fails its savepoint is rolled back. A committer task then commits the whole
group: it queues on the same lock, so every transaction already waiting when the group's
first one ended runs first and joins, and transactions that arrive during the commit's fsync
form the next group. A lone transaction is committed at once: nothing waits for company.

Nobody learns an outcome before the state it rests on is durable: a success waits for the
commit, and so does a refusal that may have read an earlier member's writes ("already
done"). If the commit fails, or SQLite ends the outer transaction itself, every caller of
the group gets an error and nothing of the group is in the file. A failure with nobody else
in the group rolls the outer transaction back at once, so the file's write lock is never
held by a group that has nothing to commit.

Work handed to a worker thread (the commit's fsync, a long batch of rows) is always waited
for, even by a caller that is cancelled meanwhile: the connection's state after it is what
decides the outcome."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from storage.inline import InlineConnection, wait_out


class GroupLost(Exception):
    """The group a transaction belonged to was not committed (the commit failed, or SQLite
    ended the outer transaction while a later member ran): its work is not in the file."""


class GroupCommitWriter:
    def __init__(self, conn: InlineConnection, busy_timeout_ms: int) -> None:
        self.conn = conn
        self._busy_timeout = busy_timeout_ms / 1000
        self._lock = asyncio.Lock()
        self._group: list[asyncio.Future[None]] = []
        self._open = False  # an outer BEGIN IMMEDIATE holds the file's write lock
        self._closed = False
        self._commit_pending = False
        self._committers: set[asyncio.Task[None]] = set()
        self._after_group: list[Callable[[], None]] = []
        self.commits = 0  # counted for bench/concurrent_pay.py
        self.transactions = 0

    def after_each_group(self, hook: Callable[[], None]) -> None:
        """`hook` runs once a group has ended, committed or rolled back, still under the lock:
        only then may a cache forget what the group changed (forgetting sooner could reload
        the state from before the commit)."""
        self._after_group.append(hook)

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[InlineConnection]:
        """The connection alone, outside any transaction (no group is open)."""
        async with self._lock:
            assert not self._open and not self._closed
            yield self.conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[InlineConnection]:
        failure: BaseException | None = None
        async with self._lock:
            if self._closed:
                raise RuntimeError("the database is closed")
            if not self._open:
                await self._begin()
                self._open = True
            raw = self.conn.raw
            raw.execute("SAVEPOINT grouped")
            try:
                yield self.conn
                raw.execute("RELEASE grouped")
            except BaseException as error:
                self._roll_back_alone(error)
                if not self._group:  # it saw only committed data: its answer stands now
                    self._end_empty_group()
                    raise
                # It may have decided on what earlier members of the group wrote: its caller
                # hears that only once the group is durable.
                failure = error
            else:
                self.transactions += 1
            committed = self._join_group()
        try:
            # Shielded: a caller cancelled while it waits does not cancel the group's commit.
            await asyncio.shield(committed)
        except Exception as lost:
            if failure is None:
                raise
            raise GroupLost(f"not committed: {lost!r}") from failure
        if failure is not None:
            raise failure

    async def _begin(self) -> None:
        """BEGIN IMMEDIATE without blocking the loop or a thread: when another process holds
        the write lock, try again after a short sleep, up to the busy timeout."""
        raw = self.conn.raw
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._busy_timeout
        pause = 0.001
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    raw.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if (error.sqlite_errorcode != sqlite3.SQLITE_BUSY
                            or loop.time() + pause > deadline):
                        raise
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.05)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")

    def _roll_back_alone(self, error: BaseException) -> None:
        raw = self.conn.raw
        if raw.in_transaction:
            try:
                raw.execute("ROLLBACK TO grouped")
                raw.execute("RELEASE grouped")
                return
            except sqlite3.Error:
                _roll_back_everything(raw)
        self._end_group(GroupLost(f"the transaction group was lost: {error!r}"))

    def _end_empty_group(self) -> None:
        """Nobody's work is in the outer transaction: give the write lock back now."""
        if self._open:
            _roll_back_everything(self.conn.raw)
            self._end_group(None)

    def _end_group(self, failure: BaseException | None) -> None:
        group, self._group = self._group, []
        self._open = False
        for committed in group:
            if committed.done():
                continue
            if failure is None:
                committed.set_result(None)
            else:
                committed.set_exception(failure)
        for hook in self._after_group:
            hook()

    def _join_group(self) -> asyncio.Future[None]:
        committed = asyncio.get_running_loop().create_future()
        self._group.append(committed)
        if not self._commit_pending:
            self._schedule_commit()
        return committed

    def _schedule_commit(self) -> None:
        self._commit_pending = True
        task = asyncio.create_task(self._commit())
        self._committers.add(task)
        task.add_done_callback(self._committers.discard)

    async def _commit(self) -> None:
        try:
            await self._lock.acquire()
        except asyncio.CancelledError:
            self._commit_pending = False
            if self._group:  # the group still needs a committer
                self._schedule_commit()
            raise
        try:
            self._commit_pending = False
            if not self._open:  # the group was lost before its commit came
                return
            raw = self.conn.raw
            work = asyncio.ensure_future(asyncio.to_thread(raw.execute, "COMMIT"))
            cancelled = await wait_out(work)  # the COMMIT runs to its end all the same
            error = work.exception() if not work.cancelled() else GroupLost("cancelled")
            self._settle_after_commit(error)
            if cancelled:
                raise asyncio.CancelledError
        finally:
            self._lock.release()

    def _settle_after_commit(self, error: BaseException | None) -> None:
        raw = self.conn.raw
        if error is None and not raw.in_transaction:
            self.commits += 1
            self._end_group(None)
            return
        # A failed COMMIT either left the transaction open (busy) or SQLite rolled it back
        # (a full disk, an I/O error): either way nothing of the group is in the file.
        _roll_back_everything(raw)
        if isinstance(error, Exception):
            self._end_group(error)
        else:
            self._end_group(GroupLost(f"the commit did not finish: {error!r}"))

    async def drain(self) -> None:
        """Wait for the commits under way; shielded, so a cancelled shutdown does not cut
        a commit short."""
        while self._committers:
            await asyncio.shield(asyncio.gather(*self._committers, return_exceptions=True))

    async def close(self) -> None:
        """Once every group is settled: a transaction still running finishes first."""
        while True:
            await self.drain()
            async with self._lock:
                if self._group:  # joined while we waited: its committer comes next
                    continue
                _roll_back_everything(self.conn.raw)
                self._open = False
                self._closed = True
                await self.conn.close()
                return


def _roll_back_everything(raw: sqlite3.Connection) -> None:
    if raw.in_transaction:
        try:
            raw.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite ended it already
