"""Write transactions that arrive together share one commit, and so one fsync.

Each write transaction runs alone (a lock orders them) inside a SAVEPOINT of one outer
transaction; when it ends well its savepoint is released and its caller waits for the
commit; when it fails its savepoint is rolled back and its caller alone gets the error.
A committer task then commits the whole group: it queues on the same lock, so every
transaction already waiting when the group's first one ended runs first and joins, and
transactions that arrive during the commit's fsync form the next group. A lone transaction
is committed at once: nothing waits for company.

Nobody learns of success before the commit is durable; if the commit itself fails, every
caller of the group gets that error, and nothing of the group is in the file. Rules that
read earlier writes of the same group (a balance, a guarded UPDATE) see them, as they
would have after a commit: the group commits or fails as one."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from storage.inline import InlineConnection


class GroupLost(Exception):
    """SQLite ended the outer transaction itself (a full disk, an I/O error) while a
    later member of the group ran: the group's earlier transactions are lost with it."""


class GroupCommitWriter:
    def __init__(self, conn: InlineConnection, busy_timeout_ms: int) -> None:
        self.conn = conn
        self._busy_timeout_ms = busy_timeout_ms
        self._lock = asyncio.Lock()
        self._group: list[asyncio.Future[None]] = []
        self._open = False  # an outer BEGIN IMMEDIATE holds the file's write lock
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
            assert not self._open
            yield self.conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[InlineConnection]:
        failure: BaseException | None = None
        async with self._lock:
            if not self._open:
                await self._begin()
                self._open = True
            raw = self.conn.raw
            raw.execute("SAVEPOINT grouped")
            try:
                yield self.conn
            except BaseException as error:
                self._roll_back_alone(error)
                if not self._group:  # it saw only committed data: its answer stands now
                    raise
                # It may have decided on what earlier members of the group wrote ("already
                # done"): its caller hears that only once the group is durable.
                failure = error
            else:
                raw.execute("RELEASE grouped")
                self.transactions += 1
            committed = self._join_group()
        try:
            # Shielded: a caller cancelled while it waits does not cancel the group's commit.
            await asyncio.shield(committed)
        except Exception:
            if failure is None:
                raise
        if failure is not None:
            raise failure

    def _join_group(self) -> asyncio.Future[None]:
        committed = asyncio.get_running_loop().create_future()
        self._group.append(committed)
        if not self._commit_pending:
            self._commit_pending = True
            task = asyncio.create_task(self._commit())
            self._committers.add(task)
            task.add_done_callback(self._committers.discard)
        return committed

    async def _begin(self) -> None:
        raw = self.conn.raw
        # Without waiting first (the usual case, no other process writing), so no thread hop;
        # if another process holds the write lock, wait for it on a worker thread.
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise
        finally:
            raw.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
        await asyncio.to_thread(raw.execute, "BEGIN IMMEDIATE")

    def _roll_back_alone(self, error: BaseException) -> None:
        raw = self.conn.raw
        if raw.in_transaction:
            try:
                raw.execute("ROLLBACK TO grouped")
                raw.execute("RELEASE grouped")
                return
            except sqlite3.Error:
                pass
        self._end_group(GroupLost(f"the transaction group was lost: {error!r}"))

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

    async def _commit(self) -> None:
        async with self._lock:
            self._commit_pending = False
            if not self._open:  # the group was lost before its commit came
                return
            raw = self.conn.raw
            try:
                await asyncio.to_thread(raw.execute, "COMMIT")
            except BaseException as error:
                try:
                    if raw.in_transaction:
                        await asyncio.to_thread(raw.execute, "ROLLBACK")
                except sqlite3.Error:
                    pass  # the commit finished after all (it was cancelled while it ran)
                told = error if isinstance(error, Exception) else GroupLost(repr(error))
                self._end_group(told)
                if not isinstance(error, Exception):
                    raise
                return
            self.commits += 1
            self._end_group(None)

    async def drain(self) -> None:
        """Wait for the commits under way (before the connection closes)."""
        while self._committers:
            await asyncio.gather(*self._committers, return_exceptions=True)
