"""The storage port: what a repository function may use of a connection, and what a service
may use of a database, whichever engine is behind it (SQLite by default, PostgreSQL when
`PUMASI_DB` is a `postgresql://` URL).

Rules for SQL in `storage/` (one copy for both engines where the two dialects meet):

- Placeholders are `?`; the PostgreSQL connection turns them into `$1, $2, …` (in one place,
  `storage/postgres.py`).
- A new row's id comes from `INSERT … RETURNING id` (both engines), read with `fetch_one`,
  never from `cursor.lastrowid` (SQLite only).
- `INSERT … ON CONFLICT … DO NOTHING / DO UPDATE` instead of `INSERT OR IGNORE / REPLACE`. In
  `DO UPDATE SET`, name the table's own column with the table (`trades = stats.trades + 1`):
  PostgreSQL calls a bare name ambiguous.
- A guarded write whose rowcount decides something is a plain `UPDATE … WHERE` (not under a
  `WITH`: Python's sqlite3 reports -1 there).
- A statement whose failure the code catches and goes on from (a taken code) is avoided by
  asking first or by ON CONFLICT: on PostgreSQL a failed statement ends the transaction.
- A parameter whose type the statement does not fix (`? IS NULL`, `CASE … THEN ?`) is
  written `CAST(? AS BIGINT)` / `CAST(? AS TEXT)`: PostgreSQL must know it when it prepares.
- Truth values stored as 0/1 integers are compared (`flag = 1`), never used bare in `AND`.
- Where an engine needs its own statement (a date function, case-insensitive matching, the
  market index), both are written side by side in the same function, chosen with
  `dialect(conn)`; see `storage/ledger.py` `_SEOUL_MONTH` for the shape.
- A unique or check violation is caught as `storage.port.IntegrityError` (a tuple of both
  engines' exceptions), never as `sqlite3.IntegrityError` alone.
- SQLite's null-safe `a IS NOT b` between two values is written `a IS DISTINCT FROM b`,
  which both engines speak.
- A write transaction runs alone among writes (SQLite's single writer; on PostgreSQL a
  database-wide lock), unless it is given as `transact(work, locks_rows=True)`: then, on
  PostgreSQL, it runs beside the other transactions given that way (never beside any
  other write), so `work` must lock every row whose value it decides on, before reading
  it, in one fixed order (`… FOR UPDATE` through a repository function written for both
  engines: `lock_for_update(conn)` gives the clause, empty on SQLite), and may be re-run
  after a deadlock. Only the ledger's hot path (a pay or charge opened, then settled) is
  written this way; see `storage/postgres.py`.
- Rows read by column name and by index on both engines (sqlite3.Row, asyncpg.Record).
  asyncpg's `row.keys()` is an iterator: take `set(row.keys())` before asking `in` twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, TypeVar

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

T = TypeVar("T")


class PostgresIntegrityError(Exception):
    """A unique, foreign key or check violation reported by PostgreSQL (the driver's error is
    its __cause__)."""


IntegrityError: tuple[type[Exception], ...] = (sqlite3.IntegrityError, PostgresIntegrityError)


class Row(Protocol):
    def __getitem__(self, key: int | str) -> Any: ...

    def keys(self) -> Any: ...


class Cursor(Protocol):
    rowcount: int


class Connection(Protocol):
    """What a repository function is given, inside a write transaction or for a read."""

    def execute(self, sql: str, params: Sequence[object] = ()) -> Awaitable[Cursor]: ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> Any: ...

    async def execute_fetchall(self, sql: str, params: Sequence[object] = ()) -> Sequence[Any]:
        ...


class Engine(Protocol):
    """What services use of a database (storage/db.py `Database` for SQLite,
    storage/postgres.py `PostgresDatabase`)."""

    engine: str
    actor_recheck_seconds: float

    async def open(self, *, migrate: bool = True) -> None: ...

    async def close(self) -> None: ...

    @property
    def is_open(self) -> bool: ...

    def write(self, *, records_update: bool = True) -> AbstractAsyncContextManager[Any]: ...

    async def transact(self, work: Callable[[Any], Awaitable[T]], *,
                       records_update: bool = True, locks_rows: bool = False) -> T: ...

    def read(self) -> AbstractAsyncContextManager[Any]: ...

    def long_read(self) -> AbstractAsyncContextManager[Any]: ...

    def snapshot(self) -> AbstractAsyncContextManager[Any]: ...

    def export_snapshot(self) -> AbstractAsyncContextManager[Any]: ...

    async def changed_elsewhere(self) -> bool: ...

    async def schema_version(self) -> int: ...


def dialect(conn: object) -> str:
    """Which engine a connection speaks: `SQLITE` or `POSTGRESQL`."""
    return getattr(conn, "engine", SQLITE)


def lock_for_update(conn: object) -> str:
    """The clause that locks the rows a statement reads until the transaction ends: on
    PostgreSQL, for a `locks_rows` transaction (see above); nothing on SQLite, whose writer
    runs alone."""
    return " FOR UPDATE" if dialect(conn) == POSTGRESQL else ""


def is_postgres_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def like(conn: object) -> str:
    """SQLite's LIKE ignores the case of ASCII letters; PostgreSQL's ILIKE does that too."""
    return "ILIKE" if dialect(conn) == POSTGRESQL else "LIKE"


def equals_ignoring_case(conn: object, column: str) -> str:
    """`column = ?` ignoring case (SQLite NOCASE, which an index on the column serves;
    PostgreSQL lower(), which the index on lower(column) serves)."""
    if dialect(conn) == POSTGRESQL:
        return f"lower({column}) = lower(?)"
    return f"{column} = ? COLLATE NOCASE"
