"""The writer's SQLite connection, driven from the event loop's own thread.

A statement of a write transaction is tens of microseconds of C: a hop to a worker thread
and back costs more (about 0.1 ms of latency and 0.15 ms of CPU each), and a confirm used to
take 23 of them. So statements run right here; only what may wait goes to a thread: taking
the file's write lock while another process holds it, the commit's fsync, and long batches
of rows (a notice to every member).

It offers the part of aiosqlite's interface that `storage/` uses (`execute`, `executemany`,
`execute_fetchall`, `create_function`, and a cursor's `rowcount`, `lastrowid`, `fetch*`), so
a repository function takes either connection."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

# More rows than this in one executemany go to a worker thread: the loop keeps answering
# other members (reads) while a broadcast's outbox is written.
ROWS_INLINE_MAX = 500

T = TypeVar("T")


async def wait_out(work: asyncio.Future[T]) -> bool:
    """Wait until `work` (a thread's job) has finished, even if the caller is cancelled
    meanwhile; True if it was. What the thread did to the connection must be over before
    anyone rolls back or commits."""
    cancelled = False
    while not work.done():
        try:
            await asyncio.shield(work)
        except asyncio.CancelledError:
            cancelled = True
        except Exception:
            pass  # the caller reads it from `work`
    return cancelled


async def run_to_completion(function: Callable[..., T], *args: object) -> T:
    """`function(*args)` on a worker thread, waited out (see `wait_out`); a cancelled caller
    gets its cancellation once the thread is done."""
    work = asyncio.ensure_future(asyncio.to_thread(function, *args))
    if await wait_out(work):
        if not work.cancelled():
            work.exception()  # retrieved: the caller decides from the connection's state
        raise asyncio.CancelledError
    return work.result()


class InlineCursor:
    __slots__ = ("_cursor", "rowcount", "lastrowid")

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount
        self.lastrowid = cursor.lastrowid

    async def fetchone(self) -> sqlite3.Row | None:
        return self._cursor.fetchone()

    async def fetchall(self) -> list[sqlite3.Row]:
        return self._cursor.fetchall()

    async def fetchmany(self, size: int) -> list[sqlite3.Row]:
        return self._cursor.fetchmany(size)


class _Statement:
    """What `execute` returns: awaited, the cursor; or, as in aiosqlite,
    `async with conn.execute(...) as cursor:`."""

    __slots__ = ("_run",)

    def __init__(self, run: Callable[[], sqlite3.Cursor]) -> None:
        self._run = run

    def __await__(self):
        return self._cursor().__await__()

    async def _cursor(self) -> InlineCursor:
        return InlineCursor(self._run())

    async def __aenter__(self) -> InlineCursor:
        return InlineCursor(self._run())

    async def __aexit__(self, *exc: object) -> None:
        return None


class InlineConnection:
    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    @classmethod
    def connect(cls, path: str) -> InlineConnection:
        # check_same_thread=False: the commit and long batches run on worker threads, never
        # at the same time as a statement here (the writer's lock orders them).
        raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        raw.row_factory = sqlite3.Row
        return cls(raw)

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    def execute(self, sql: str, params: Sequence[object] = ()) -> _Statement:
        return _Statement(lambda: self.raw.execute(sql, params))

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> InlineCursor:
        rows = list(rows)
        if len(rows) > ROWS_INLINE_MAX:
            return InlineCursor(await run_to_completion(self.raw.executemany, sql, rows))
        return InlineCursor(self.raw.executemany(sql, rows))

    async def execute_fetchall(
        self, sql: str, params: Sequence[object] = ()
    ) -> list[sqlite3.Row]:
        return self.raw.execute(sql, params).fetchall()

    async def create_function(
        self, name: str, arguments: int, function: Callable[..., Any], *,
        deterministic: bool = False,
    ) -> None:
        self.raw.create_function(name, arguments, function, deterministic=deterministic)

    async def set_progress_handler(self, handler: Callable[[], int] | None, n: int) -> None:
        self.raw.set_progress_handler(handler, n)

    async def in_thread(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        """A statement that may wait (a lock, an fsync), run off the event loop."""
        return await run_to_completion(lambda: self.raw.execute(sql, params).fetchall())

    async def close(self) -> None:
        self.raw.close()
