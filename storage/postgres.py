"""The PostgreSQL engine behind the storage port (storage/port.py), through asyncpg.

Several bot processes may share one database, so what SQLite gets from its single writer is
made explicit here:

- Write transactions. Each one takes a transaction-scoped advisory lock (`WRITE_LOCK`) right
  after BEGIN, exclusively, so it runs alone among writes across every process, as SQLite's
  `BEGIN IMMEDIATE` makes it: every rule decided inside one (a balance against its limit,
  `UPDATE … WHERE status = 'pending'` and its rowcount, a unique request key) sees every
  commit before it and no write during it. READ COMMITTED then suffices: each statement after
  the lock sees all earlier commits. Within a process, these writes also queue on an asyncio
  lock before taking a pooled connection, so waiting writes never starve reads.
- The ledger's hot path (`transact(work, locks_rows=True)`: a pay or charge opened, then
  settled) takes the same lock SHARED instead: such transactions run side by side, across
  processes and within one (at most `ROW_WRITERS` at once a process, each holding a pooled
  connection while it waits, so the pool keeps as many again for reads), and never beside an
  exclusive one (PostgreSQL queues a shared request behind a waiting exclusive one, so
  neither kind starves). Among themselves they decide only on rows they lock first, in one
  order: the request (`FOR UPDATE`), then both accounts by id (`FOR UPDATE`); a new pay
  preview, which retires the payer's older ones, first locks the payer's membership (so two
  previews opened at once do not both stay open to be confirmed); every other row
  they write is reached by key through those (movements, roll-ups by upsert) or guarded
  by its own unique key (`processed_updates`, `request_key`), where a second transaction waits
  for the first to commit and then sees its row. What such a transaction reads without a
  lock (memberships, communities, posts, limits) only exclusive transactions change. A
  deadlock, which that order should leave impossible, is still re-run by `transact`.
- Reads use other pooled connections outside any transaction (each statement sees one
  committed state); `snapshot` and `export_snapshot` are REPEATABLE READ READ ONLY.
- Updates delivered twice: `processed_updates.update_key` is the primary key; the first write
  transaction of an update inserts it with ON CONFLICT DO NOTHING, as on SQLite.
- The actor cache. Permanent triggers on the tables the actor query reads (made from
  storage/actor_changes.py WATCHED at start) note each touched person or community in a
  transaction-local setting; before COMMIT the writer reads it, and if anything was touched
  bumps `pumasi_actor_version`. After the commit this process forgets exactly those entries;
  other processes see the version move on their next update (`changed_elsewhere`, checked
  on every update: `actor_recheck_seconds` is 0) and forget everything. No role is served
  stale after the commit that changed it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import asyncpg

from storage.migration_files import migrations_in
from storage.port import POSTGRESQL, PostgresIntegrityError

T = TypeVar("T")

# pg_advisory_xact_lock keys: one for every write transaction, one for migrations.
WRITE_LOCK = 0x70756D61  # "puma"
MIGRATION_LOCK = 0x70756D62
POOL_SIZE = 12
ROW_WRITERS = 6  # locks_rows transactions at once: with the exclusive writer, 5 left for reads
RETRIES = 5  # serialization failures and deadlocks re-run a `transact` work function

_RETURNS_ROWS = re.compile(r"^\s*(SELECT|WITH|VALUES|SHOW|TABLE)\b|\bRETURNING\b", re.I)
# A WITH whose main statement writes (and returns nothing): its status has the row count.
_WITH_WRITES = re.compile(r"^\s*WITH\b.*\)\s*(INSERT|UPDATE|DELETE)\b(?!.*\bRETURNING\b)",
                          re.I | re.S)
_STATUS_COUNT = re.compile(r"(\d+)\s*$")


class AlreadyProcessedError(Exception):
    pass


def translate(sql: str, _cache: dict[str, str] = {}) -> str:  # noqa: B006 - a memo
    """`?` placeholders → `$1, $2, …`, outside quoted literals and identifiers."""
    done = _cache.get(sql)
    if done is not None:
        return done
    out: list[str] = []
    number = 0
    quote: str | None = None
    for char in sql:
        if quote is not None:
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif char == "?":
            number += 1
            out.append(f"${number}")
            continue
        out.append(char)
    done = "".join(out)
    if len(_cache) < 4096:
        _cache[sql] = done
    return done


class PgCursor:
    __slots__ = ("rowcount", "_rows")

    def __init__(self, rowcount: int, rows: list[asyncpg.Record] | None = None) -> None:
        self.rowcount = rowcount
        self._rows = rows or []

    @property
    def lastrowid(self) -> int:
        raise NotImplementedError("PostgreSQL has no lastrowid: write INSERT … RETURNING id")

    async def fetchone(self) -> asyncpg.Record | None:
        return self._rows.pop(0) if self._rows else None

    async def fetchall(self) -> list[asyncpg.Record]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchmany(self, size: int) -> list[asyncpg.Record]:
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows


class _Statement:
    """What `execute` returns: awaited, the cursor; or `async with conn.execute(…) as cursor`
    (as aiosqlite and storage/inline.py offer)."""

    __slots__ = ("_run",)

    def __init__(self, run: Callable[[], Awaitable[PgCursor]]) -> None:
        self._run = run

    def __await__(self):
        return self._run().__await__()

    async def __aenter__(self) -> PgCursor:
        return await self._run()

    async def __aexit__(self, *exc: object) -> None:
        return None


def _integrity(error: asyncpg.PostgresError, sql: str = "") -> Exception:
    if sql:
        error.add_note(f"SQL: {sql}")
    if isinstance(error, asyncpg.IntegrityConstraintViolationError):
        wrapped = PostgresIntegrityError(str(error))
        wrapped.__cause__ = error
        return wrapped
    return error


class PgConnection:
    """One asyncpg connection with the port's methods (storage/port.py `Connection`)."""

    engine = POSTGRESQL

    def __init__(self, raw: asyncpg.Connection) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Sequence[object] = ()) -> _Statement:
        return _Statement(lambda: self._execute(sql, params))

    async def _execute(self, sql: str, params: Sequence[object]) -> PgCursor:
        query = translate(sql)
        try:
            if _RETURNS_ROWS.search(sql) and not _WITH_WRITES.search(sql):
                rows = await self.raw.fetch(query, *params)
                return PgCursor(len(rows), rows)
            status = await self.raw.execute(query, *params)
        except asyncpg.PostgresError as error:
            raise _integrity(error, sql) from error
        found = _STATUS_COUNT.search(status or "")
        return PgCursor(int(found.group(1)) if found else -1)

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> PgCursor:
        rows = [tuple(row) for row in rows]
        if rows:
            try:
                await self.raw.executemany(translate(sql), rows)
            except asyncpg.PostgresError as error:
                raise _integrity(error, sql) from error
        return PgCursor(len(rows))

    async def execute_fetchall(self, sql: str, params: Sequence[object] = ()
                               ) -> list[asyncpg.Record]:
        try:
            return await self.raw.fetch(translate(sql), *params)
        except asyncpg.PostgresError as error:
            raise _integrity(error, sql) from error

    async def chunks(self, sql: str, params: Sequence[object], size: int
                     ) -> AsyncIterator[list[asyncpg.Record]]:
        """The rows of one statement, `size` at a time, through a server-side cursor (inside
        the snapshot's transaction)."""
        cursor = await self.raw.cursor(translate(sql), *params)
        while rows := await cursor.fetch(size):
            yield rows


def _number(text: str) -> int | float:
    """numeric (what SUM over bigint gives) read as SQLite gives it: an int when whole."""
    return float(text) if any(c in text for c in ".eEN") else int(text)


async def _setup(raw: asyncpg.Connection) -> None:
    await raw.set_type_codec("numeric", schema="pg_catalog", encoder=str, decoder=_number,
                             format="text")


async def _reset(raw: asyncpg.Connection) -> None:
    """What a connection needs when it goes back to the pool. asyncpg's default resets every
    session setting, lock and listener (a round trip per write and read); this code leaves
    none (its settings and locks end with their transaction), only perhaps a transaction that
    a cancellation interrupted."""
    if raw.is_in_transaction():
        await raw.execute("ROLLBACK")


def _migrations() -> list[tuple[int, str]]:
    return migrations_in("migrations_pg")


def latest_migration() -> int:
    return _migrations()[-1][0]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


class PostgresDatabase:
    engine = POSTGRESQL
    # Another process's change to an actor is looked for on every update (one short query).
    actor_recheck_seconds = 0.0

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = url  # what commands print as "where"
        self._pool: asyncpg.Pool | None = None
        self._write_lock = asyncio.Lock()
        self._row_writers = asyncio.Semaphore(ROW_WRITERS)
        self._actor_listeners: list[Callable[[set[tuple[str, int]]], None]] = []
        self._actor_version: int | None = None
        self.transactions = 0
        self.retries = 0

    async def open(self, *, migrate: bool = True) -> None:
        self._pool = await asyncpg.create_pool(
            self.url, min_size=1, max_size=POOL_SIZE, init=_setup, reset=_reset,
            statement_cache_size=1024)
        try:
            if migrate:
                await self._migrate()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    @property
    def is_open(self) -> bool:
        return self._pool is not None

    @property
    def commits(self) -> tuple[int, int]:
        return self.transactions, self.transactions

    async def _migrate(self) -> None:
        assert self._pool is not None
        async with self._pool.acquire() as raw, raw.transaction():
            await raw.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await raw.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")
            applied = {row[0] for row in await raw.fetch("SELECT version FROM schema_migrations")}
            for version, script in _migrations():
                if version in applied:
                    continue
                await raw.execute(script)  # simple protocol: the whole file at once
                await raw.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                    version, _now())

    async def install(self, statements: Sequence[str]) -> None:
        """Run idempotent DDL (CREATE OR REPLACE …) once, in one transaction among writes."""
        async with self._write_lock:
            assert self._pool is not None
            async with self._pool.acquire() as raw, raw.transaction():
                await raw.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
                for statement in statements:
                    await raw.execute(statement)

    @asynccontextmanager
    async def write(self, *, records_update: bool = True, locks_rows: bool = False
                    ) -> AsyncIterator[PgConnection]:
        """One write transaction: alone among writes, or, with `locks_rows`, beside the other
        `locks_rows` ones (see the module's notes; use it through `transact`)."""
        from storage.db import AlreadyProcessed, current_update

        assert self._pool is not None, "database is not open"
        update = current_update.get()
        records_here = update is not None and records_update and not update.recorded
        queue, lock = ((self._row_writers, "pg_advisory_xact_lock_shared") if locks_rows
                       else (self._write_lock, "pg_advisory_xact_lock"))
        async with queue, self._pool.acquire() as raw:
            conn = PgConnection(raw)
            await raw.execute(f"BEGIN; SELECT {lock}({WRITE_LOCK})")
            try:
                if records_here:
                    cursor = await conn.execute(
                        "INSERT INTO processed_updates (update_key, processed_at) VALUES (?, ?)"
                        " ON CONFLICT (update_key) DO NOTHING",
                        (update.key, _now()),
                    )
                    if cursor.rowcount == 0:
                        raise AlreadyProcessed(update.key)
                yield conn
                touched = await raw.fetchval("SELECT current_setting('pumasi.actors', true)")
                version = None
                if touched:
                    version = await raw.fetchval(
                        "UPDATE pumasi_actor_version SET version = version + 1 RETURNING version")
                await raw.execute("COMMIT")
            except BaseException:
                if not raw.is_closed():
                    try:
                        await raw.execute("ROLLBACK")
                    except (asyncpg.PostgresError, OSError):
                        pass
                raise
            self.transactions += 1
            if touched:
                self._forget(touched, version)
        if records_here:
            update.recorded = True

    async def transact(self, work: Callable[[PgConnection], Awaitable[T]], *,
                       records_update: bool = True, locks_rows: bool = False) -> T:
        """One write transaction running `work(conn)`; re-run whole on a serialization failure
        or a deadlock (so `work` must only touch the database)."""
        for attempt in range(RETRIES + 1):
            try:
                async with self.write(records_update=records_update,
                                      locks_rows=locks_rows) as conn:
                    return await work(conn)
            except (asyncpg.SerializationError, asyncpg.DeadlockDetectedError):
                if attempt == RETRIES:
                    raise
                self.retries += 1
        raise AssertionError("unreachable")

    def _forget(self, touched: str, version: int | None) -> None:
        found: set[tuple[str, int]] = set()
        for item in touched.split(","):
            kind, _, ident = item.partition(":")
            if ident:
                found.add((kind, int(ident)))
        # Our own bump, directly after the one we last saw, is no news for changed_elsewhere.
        if version is not None and self._actor_version == version - 1:
            self._actor_version = version
        for listener in self._actor_listeners:
            listener(found)

    def on_actor_changes(self, listener: Callable[[set[tuple[str, int]]], None]) -> None:
        self._actor_listeners.append(listener)

    async def changed_elsewhere(self) -> bool:
        """Whether another process changed an actor since the last call (the first call only
        takes the measure)."""
        assert self._pool is not None, "database is not open"
        row = await self._pool.fetchrow("SELECT version FROM pumasi_actor_version")
        version = int(row[0]) if row else 0
        changed = self._actor_version is not None and version != self._actor_version
        self._actor_version = version
        return changed

    @asynccontextmanager
    async def read(self) -> AsyncIterator[PgConnection]:
        assert self._pool is not None, "database is not open"
        async with self._pool.acquire() as raw:
            yield PgConnection(raw)

    long_read = read

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[PgConnection]:
        assert self._pool is not None, "database is not open"
        async with self._pool.acquire() as raw, raw.transaction(
                isolation="repeatable_read", readonly=True):
            yield PgConnection(raw)

    @asynccontextmanager
    async def export_snapshot(self) -> AsyncIterator[PgConnection]:
        """A read-only snapshot for a long read; on a connection of its own when this
        database was not opened (an export in another process)."""
        if self._pool is not None:
            async with self.snapshot() as conn:
                yield conn
            return
        raw = await asyncpg.connect(self.url)
        try:
            await _setup(raw)
            async with raw.transaction(isolation="repeatable_read", readonly=True):
                yield PgConnection(raw)
        finally:
            await raw.close()

    async def schema_version(self) -> int:
        async with self.read() as conn:
            rows = await conn.execute_fetchall(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        return int(rows[0][0])

    async def integrity_check(self) -> str:
        return "ok"  # PostgreSQL checks its pages itself; verify checks the ledger

    async def run(self, sql: str, *args: Any) -> str:
        """A statement outside the port (administration, tests)."""
        assert self._pool is not None
        return await self._pool.execute(sql, *args)
