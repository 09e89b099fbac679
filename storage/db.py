"""One owner of the SQLite connections: a single writer, a snapshot reader, migrations.

The SQLite engine of the storage port (storage/port.py); `Database.open_url` chooses the
engine from its target (storage/postgres.py for a `postgresql://` URL)."""

from __future__ import annotations

import asyncio
import contextvars
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import aiosqlite

from storage.group_commit import GroupCommitWriter
from storage.inline import InlineConnection
from storage.migration_files import migrations_in
from storage.port import SQLITE, Connection, Engine, is_postgres_url
from storage.search_terms import post_search_terms

T = TypeVar("T")

class AlreadyProcessed(Exception):
    """The update being handled was committed before: this is a redelivery."""


@dataclass
class UpdateBeingHandled:
    key: str  # e.g. "telegram:812"
    recorded: bool = False


# The update being handled. Its first write transaction records the key (and fails with
# AlreadyProcessed if an earlier delivery did), so the record commits or rolls back together
# with the effect; its later write transactions carry on.
current_update: contextvars.ContextVar[UpdateBeingHandled | None] = contextvars.ContextVar(
    "current_update", default=None
)

_BUSY_TIMEOUT_MS = 10_000
_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}",
    # Pages read through a memory map instead of a copy per read(): a statement of a tap at
    # a million transfers touches dozens of pages (a /history page: 0.43 → 0.11 ms). The
    # mapped pages are the OS's file cache, shared and reclaimable, not the process's own.
    f"PRAGMA mmap_size={256 * 1024 * 1024}",
)


# A migration that edits a table's schema text (to loosen a CHECK constraint, which SQLite
# cannot ALTER) must make every connection, this one included, read the schema again.
_EDITS_SCHEMA_TEXT = re.compile(r"^\s*PRAGMA\s+writable_schema\s*=\s*ON", re.I | re.M)


def _migrations() -> list[tuple[int, str]]:
    return migrations_in("migrations")


def latest_migration() -> int:
    return _migrations()[-1][0]


class Database:
    """Write transactions run one at a time on the writer connection, in groups that share a
    commit (storage/group_commit.py); reads go through a second connection so they see a
    committed snapshot only."""

    engine = SQLITE
    # How often the actor cache asks whether another process changed something.
    actor_recheck_seconds = 1.0

    @staticmethod
    async def open_url(target: str | Path, *, migrate: bool = True) -> Engine:
        """The database at `target`, opened: a `postgresql://` URL is PostgreSQL, anything
        else a SQLite file (`PUMASI_DB`)."""
        database = Database.for_target(target)
        await database.open(migrate=migrate)
        return database

    @staticmethod
    def for_target(target: str | Path) -> Engine:
        if is_postgres_url(target):
            from storage.postgres import PostgresDatabase  # asyncpg only when it is used

            return PostgresDatabase(str(target))
        return Database(target)

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._writer: GroupCommitWriter | None = None
        self._reader: aiosqlite.Connection | None = None
        self._quick: InlineConnection | None = None
        self._read_lock = asyncio.Lock()
        self._data_version: int | None = None

    async def open(self, *, migrate: bool = True) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = GroupCommitWriter(await self._connect_inline(), _BUSY_TIMEOUT_MS)
            if migrate:
                async with self._writer.exclusive() as conn:
                    await self._migrate(conn)
            self._reader = await self._connect()
            self._quick = await self._connect_inline()
        except BaseException:
            await self.close()  # aiosqlite's threads would otherwise keep the process alive
            raise

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await _prepare(conn)
        return conn

    async def _connect_inline(self) -> InlineConnection:
        conn = InlineConnection.connect(self.path)
        await _prepare(conn)
        return conn

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer.close()
        for reader in (self._reader, self._quick):
            if reader is not None:
                await reader.close()
        self._reader = self._writer = self._quick = None

    @property
    def is_open(self) -> bool:
        return self._writer is not None

    @property
    def commits(self) -> tuple[int, int]:
        """(write transactions, commits) since open: what group commit saved."""
        assert self._writer is not None, "database is not open"
        return self._writer.transactions, self._writer.commits

    @asynccontextmanager
    async def write(self, *, records_update: bool = True) -> AsyncIterator[Connection]:
        """One write transaction; the caller goes on once it is committed (with the others of
        its group). Unless `records_update` is False (for idempotent housekeeping), it also
        records the update being handled."""
        assert self._writer is not None, "database is not open"
        update = current_update.get()
        records_here = update is not None and records_update and not update.recorded
        async with self._writer.transaction() as conn:
            if records_here:
                cursor = await conn.execute(
                    "INSERT OR IGNORE INTO processed_updates (update_key, processed_at)"
                    " VALUES (?, ?)",
                    (update.key, datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")),
                )
                if cursor.rowcount == 0:
                    raise AlreadyProcessed(update.key)
            yield conn
        if records_here:
            update.recorded = True

    async def transact(self, work: Callable[[Connection], Awaitable[T]], *,
                       records_update: bool = True, locks_rows: bool = False) -> T:
        """One write transaction running `work(conn)`: the shape both engines share (on
        PostgreSQL `work` may be run again after a serialization failure or a deadlock, so it
        only touches the database). `locks_rows` (see storage/port.py) changes nothing here:
        SQLite's writer runs one transaction at a time."""
        async with self.write(records_update=records_update) as conn:
            return await work(conn)

    async def instrument_writer(
        self,
        prepare: Callable[[Connection], Awaitable[None]],
        after_write: Callable[[], None],
    ) -> None:
        """Let a watcher see every write of this process: `prepare` runs now on the writer
        connection (temporary triggers and functions live as long as it does); `after_write`
        runs after each group of write transactions ends, committed or rolled back, before
        the next one can begin."""
        assert self._writer is not None, "database is not open"
        async with self._writer.exclusive() as conn:
            await prepare(conn)
        self._writer.after_each_group(after_write)

    async def changed_elsewhere(self) -> bool:
        """Whether another connection (another process, or another Database on this file)
        committed anything since the last call; the first call only takes the measure.

        `PRAGMA data_version` on the writer changes exactly when some other connection
        commits: never for the writer's own commits, and this process's reader never
        writes. Asked on a worker thread and not under the write lock, so it never waits for
        a transaction or blocks the loop behind a commit's fsync: inside an open write
        transaction it still reflects every commit made before that transaction began, and
        none can be made during it."""
        assert self._writer is not None, "database is not open"
        rows = await self._writer.conn.in_thread("PRAGMA data_version")
        version = int(rows[0][0])
        changed = self._data_version is not None and version != self._data_version
        self._data_version = version
        return changed

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Connection]:
        """The quick reader, outside a transaction: each statement sees one committed state
        (never half a transfer). Its statements run on the event loop's thread, like the
        writer's: for the short indexed reads of a tap, cheaper than a hop to a thread. A
        read that may take milliseconds (figures over a whole community) uses `long_read`."""
        assert self._quick is not None, "database is not open"
        yield self._quick

    @asynccontextmanager
    async def long_read(self) -> AsyncIterator[aiosqlite.Connection]:
        """The reader whose statements run on its own thread: the loop goes on answering
        other members while one of them waits for a long read."""
        assert self._reader is not None, "database is not open"
        yield self._reader

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[aiosqlite.Connection]:
        """A read transaction: every statement inside sees the same committed state."""
        assert self._reader is not None, "database is not open"
        async with self._read_lock:
            conn = self._reader
            await conn.execute("BEGIN")
            try:
                yield conn
            finally:
                await conn.execute("COMMIT")

    @asynccontextmanager
    async def export_snapshot(self) -> AsyncIterator[aiosqlite.Connection]:
        """A read transaction on a read-only connection of its own, for long reads (exports):
        it sees one committed state throughout, and in WAL mode neither the writer nor the
        shared reader waits on it. (An in-memory database cannot be opened twice: there it is
        the shared snapshot.)"""
        if self.path == ":memory:":
            async with self.snapshot() as shared:
                yield shared
            return
        uri = self._read_only_uri()
        conn = await aiosqlite.connect(uri, uri=True, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute("PRAGMA busy_timeout=10000")
            await conn.execute("BEGIN")
            yield conn
        finally:
            await conn.close()  # ends the read transaction

    def _read_only_uri(self) -> str:
        return Path(self.path).absolute().as_uri() + "?mode=ro"

    async def _migrate(self, conn: Connection) -> None:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        applied = {row[0] for row in await fetch_all(conn, "SELECT version FROM schema_migrations")}
        for version, script in _migrations():
            if version in applied:
                continue
            statements = [s for s in _split_sql(script) if s.strip()]
            await conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    await conn.execute(statement)
                if _EDITS_SCHEMA_TEXT.search(script):
                    await _bump_schema_version(conn)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    (version, datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")),
                )
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            finally:
                await conn.execute("PRAGMA writable_schema = OFF")  # whatever the script did
            await conn.execute("COMMIT")

    async def schema_version(self) -> int:
        async with self.read() as conn:
            row = await fetch_one(conn, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        return int(row[0])

    async def integrity_check(self) -> str:
        async with self.long_read() as conn:
            row = await fetch_one(conn, "PRAGMA integrity_check")
        return str(row[0])


async def fetch_one(
    conn: Connection, sql: str, params: Sequence[object] = ()
) -> sqlite3.Row | None:
    """One row in a single round trip to the SQLite thread."""
    rows = await conn.execute_fetchall(sql, params)
    return rows[0] if rows else None


async def fetch_all(
    conn: Connection, sql: str, params: Sequence[object] = ()
) -> list[sqlite3.Row]:
    return list(await conn.execute_fetchall(sql, params))


async def _prepare(conn: Connection) -> None:
    for pragma in _PRAGMAS:
        await conn.execute(pragma)
    # The market index's terms, for the migration that fills it and for verify; no trigger
    # calls it, so the file stays writable by tools that lack it.
    await conn.create_function("post_search_terms", 4, post_search_terms, deterministic=True)


async def _bump_schema_version(conn: Connection) -> None:
    row = await fetch_one(conn, "PRAGMA schema_version")
    await conn.execute(f"PRAGMA schema_version = {int(row[0]) + 1}")


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements; trigger bodies keep their inner semicolons."""
    statements: list[str] = []
    current: list[str] = []
    for line in script.splitlines(keepends=True):
        current.append(line)
        candidate = "".join(current)
        if sqlite3.complete_statement(candidate):
            statements.append(candidate)
            current = []
    if "".join(current).strip():
        statements.append("".join(current))
    return statements
