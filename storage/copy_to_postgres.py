"""Copy a SQLite database into an empty PostgreSQL one (`pumasi migrate-to-postgres`).

The source is read in one read transaction, so the copy is one committed state of it (stop
the bot first: what it writes to SQLite afterwards is not copied). The target is migrated to
the same schema version and must hold no rows. Every table is copied in one PostgreSQL
transaction, in the order of its foreign keys; a column that refers to its own table or to a
table copied later (a request's transfer, a merged person) is filled in once every row is
there. Ids are kept, and each id sequence restarts after the largest. The market index is
made anew from the open posts (PostgreSQL keeps it as a tsvector).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from storage.search_terms import pg_terms, post_search_terms

# Not copied: the migration record (both are at the same version), SQLite's market index
# and its shadow tables (made anew), PostgreSQL's own actor version, the images shown on
# KakaoTalk (they live minutes; the bot is stopped for the copy).
_SKIPPED = {"schema_migrations", "posts_search", "pumasi_actor_version", "media"}
_BATCH = 5000


class CopyRefused(Exception):
    pass


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)


def _source_tables(source: sqlite3.Connection) -> dict[str, list[str]]:
    names = [row[0] for row in source.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name NOT LIKE 'posts_search%'")]
    return {name: [row[1] for row in source.execute(f"PRAGMA table_info({name})")]
            for name in names if name not in _SKIPPED}


async def _target_layout(conn: asyncpg.Connection
                         ) -> tuple[dict[str, list[str]], dict[str, list[tuple[str, str]]]]:
    """Columns of each table (without generated-always ones), and its foreign keys
    (column, referenced table)."""
    columns: dict[str, list[str]] = {}
    for row in await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND is_generated = 'NEVER'"
            " AND (is_identity = 'NO' OR identity_generation = 'BY DEFAULT')"
            " AND table_name IN (SELECT table_name FROM information_schema.tables"
            "  WHERE table_schema = 'public' AND table_type = 'BASE TABLE')"
            " ORDER BY table_name, ordinal_position"):
        columns.setdefault(row[0], []).append(row[1])
    keys: dict[str, list[tuple[str, str]]] = {}
    for row in await conn.fetch(
            "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text"
            " FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid"
            " AND a.attnum = c.conkey[1]"
            " WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace"):
        keys.setdefault(row[0], []).append((row[1], row[2]))
    return columns, keys


def _order(tables: list[str], keys: dict[str, list[tuple[str, str]]]) -> list[str]:
    """Tables after those they refer to; a cycle (a request and its transfer refer to each
    other) is broken at a table of the cycle, whose references forward are filled in later."""
    needs = {table: {target for _, target in keys.get(table, ())
                     if target != table and target in tables} for table in tables}

    def reaches(start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            table = stack.pop()
            if table == goal:
                return True
            if table not in seen:
                seen.add(table)
                stack.extend(needs[table])
        return False

    done: list[str] = []
    left = sorted(tables)
    while left:
        ready = [table for table in left if needs[table] <= set(done)]
        if not ready:
            ready = [table for table in left
                     if any(reaches(need, table) for need in needs[table] - set(done))]
        done.append(ready[0])
        left.remove(ready[0])
    return done


async def copy_database(source_path: str | Path, url: str) -> CopyReport:
    from storage.db import latest_migration
    from storage.postgres import PostgresDatabase
    from storage.postgres import latest_migration as latest_pg

    source_path = Path(source_path)
    if not source_path.exists():
        raise CopyRefused(f"{source_path} does not exist")
    source = sqlite3.connect(f"file:{source_path.resolve()}?mode=ro", uri=True)
    try:
        version = source.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"
                                 ).fetchone()[0]
        if version != latest_migration() or latest_pg() != latest_migration():
            raise CopyRefused(f"{source_path} is at schema version {version}, not"
                              f" {latest_migration()}: open it once with this version first")
        target = PostgresDatabase(url)
        await target.open()  # migrates the target to the same version
        await target.close()
        source.execute("BEGIN")  # one committed state of the source throughout
        return await _copy(source, url)
    finally:
        source.close()


async def _copy(source: sqlite3.Connection, url: str) -> CopyReport:
    report = CopyReport()
    conn = await asyncpg.connect(url)
    try:
        columns, keys = await _target_layout(conn)
        tables = _source_tables(source)
        missing = sorted(set(tables) - set(columns))
        if missing:
            raise CopyRefused(f"the PostgreSQL schema lacks tables: {', '.join(missing)}")
        async with conn.transaction():
            occupied = [table for table in columns if table not in _SKIPPED and await conn.fetchval(
                f"SELECT EXISTS (SELECT 1 FROM {table})")]
            if occupied:
                raise CopyRefused("the PostgreSQL database is not empty: "
                                  + ", ".join(sorted(occupied)))
            # The actor triggers (storage/actor_changes.py) note each row for this process's
            # cache: nothing to note in a copy, and a cost that grows with every row.
            watched = await conn.fetch(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger"
                " WHERE tgname LIKE 'pumasi_actor_%' AND NOT tgisinternal")
            for relation, trigger in watched:
                await conn.execute(f"ALTER TABLE {relation} DISABLE TRIGGER {trigger}")
            order = _order(list(tables), keys)
            position = {table: index for index, table in enumerate(order)}
            later: list[tuple[str, str]] = []  # (table, column) filled in afterwards
            for table in order:
                wanted = [c for c in tables[table] if c in columns[table]]
                deferred = [column for column, target in keys.get(table, ())
                            if column in wanted and (
                                position.get(target, -1) > position[table]
                                or (target == table and _points_ahead(source, table, column)))]
                later += [(table, column) for column in deferred]
                report.rows[table] = await _copy_table(source, conn, table, wanted, deferred)
            for table, column in later:
                await _fill_in(source, conn, table, column)
            for table in order:
                if "id" in columns[table]:  # as if the largest id had been handed out (an
                    # empty table's sequence stays new): the next id follows it
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id))"
                        f" FROM {table} HAVING MAX(id) IS NOT NULL")
            await _index_open_posts(conn)
            for relation, trigger in watched:
                await conn.execute(f"ALTER TABLE {relation} ENABLE TRIGGER {trigger}")
    finally:
        await conn.close()
    return report


async def _copy_table(source: sqlite3.Connection, conn: asyncpg.Connection, table: str,
                      wanted: list[str], deferred: list[str]) -> int:
    selected = ", ".join("NULL" if c in deferred else c for c in wanted)
    cursor = source.execute(f"SELECT {selected} FROM {table} ORDER BY rowid"  # = id order
                            if _has_rowid(source, table) else f"SELECT {selected} FROM {table}")
    count = 0
    while rows := cursor.fetchmany(_BATCH):
        await conn.copy_records_to_table(table, records=rows, columns=wanted)
        count += len(rows)
    return count


def _points_ahead(source: sqlite3.Connection, table: str, column: str) -> bool:
    """Whether a row refers to a later row of its own table (copied in id order, a row that
    refers back, like a reversal to the transfer it reverses, needs no filling in)."""
    return source.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {column} > id)"
                          ).fetchone()[0] == 1


def _has_rowid(source: sqlite3.Connection, table: str) -> bool:
    sql = source.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    return "WITHOUT ROWID" not in sql.upper()


async def _fill_in(source: sqlite3.Connection, conn: asyncpg.Connection, table: str,
                   column: str) -> None:
    rows = source.execute(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL"
                          ).fetchall()
    if rows:
        await conn.executemany(f"UPDATE {table} SET {column} = $2 WHERE id = $1", rows)


async def _index_open_posts(conn: asyncpg.Connection) -> None:
    posts = await conn.fetch("SELECT id, community_id, category, title, description FROM posts"
                             " WHERE status = 'open'")
    await conn.executemany(
        "INSERT INTO posts_search (post_id, terms) VALUES ($1, CAST($2 AS tsvector))",
        [(post["id"], pg_terms(post_search_terms(post["community_id"], post["category"],
                                                 post["title"], post["description"])))
         for post in posts])
