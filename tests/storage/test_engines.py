"""The storage port on both engines: placeholders, rows, rowcount, RETURNING, integrity
errors, redelivered updates, transact, the actor-change feed and the schema's guards."""

from __future__ import annotations

import asyncio

import pytest

from storage.db import (
    AlreadyProcessed,
    Database,
    UpdateBeingHandled,
    current_update,
    fetch_all,
    fetch_one,
)
from storage.port import IntegrityError
from storage.postgres import translate


def test_placeholders_are_translated_outside_literals():
    assert translate("SELECT ? , '?' , \"a?\" , ?") == "SELECT $1 , '?' , \"a?\" , $2"
    assert translate("UPDATE t SET a = ? WHERE b = 'it''s?' AND c = ?") == (
        "UPDATE t SET a = $1 WHERE b = 'it''s?' AND c = $2")


@pytest.fixture
async def database(db_target):
    db = await Database.open_url(db_target)
    yield db
    await db.close()


NOW = "2026-01-01 00:00:00"


async def _community(conn, code="ABC") -> int:
    row = await fetch_one(
        conn, "INSERT INTO communities (code, name, created_at) VALUES (?, ?, ?) RETURNING id",
        (code, "동네", NOW))
    return int(row["id"])


async def test_rows_read_by_name_and_index_and_rowcount(database):
    async with database.write() as conn:
        first = await _community(conn, "ONE")
        second = await _community(conn, "TWO")
        cursor = await conn.execute(
            "UPDATE communities SET name = ? WHERE id IN (?, ?)", ("새 이름", first, second))
        assert cursor.rowcount == 2
        cursor = await conn.execute("UPDATE communities SET name = ? WHERE id = ?", ("x", -1))
        assert cursor.rowcount == 0
    async with database.read() as conn:
        rows = await fetch_all(conn, "SELECT id, code, name FROM communities ORDER BY id")
    assert [(row["id"], row[1], row["name"]) for row in rows] == [
        (first, "ONE", "새 이름"), (second, "TWO", "새 이름")]
    assert dict(rows[0])["code"] == "ONE"


async def test_sums_read_as_integers(database):
    async with database.write() as conn:
        for code in ("A", "B", "C"):
            await _community(conn, code)
    async with database.read() as conn:
        row = await fetch_one(conn, "SELECT SUM(credit_floor) AS total, COUNT(*),"
                                    " AVG(credit_floor) FROM communities")
    assert row["total"] == -900_000 and isinstance(row["total"], int)
    assert row[1] == 3
    assert row[2] == -300_000.0 and isinstance(row[2], float)


async def test_a_failed_write_leaves_no_trace_and_integrity_errors_are_one_type(database):
    async with database.write() as conn:
        await _community(conn, "ABC")
    with pytest.raises(IntegrityError):
        async with database.write() as conn:
            await _community(conn, "NEW")
            await _community(conn, "ABC")
    async with database.read() as conn:
        codes = [row[0] for row in await fetch_all(conn, "SELECT code FROM communities")]
    assert codes == ["ABC"]


async def test_a_redelivered_update_commits_once(database):
    async def handle() -> None:
        token = current_update.set(UpdateBeingHandled("telegram:77"))
        try:
            async with database.write() as conn:
                await _community(conn, "ONCE")
        finally:
            current_update.reset(token)

    await handle()
    with pytest.raises(AlreadyProcessed):
        await handle()
    async with database.read() as conn:
        rows = await fetch_all(conn, "SELECT code FROM communities")
    assert [row[0] for row in rows] == ["ONCE"]


async def test_transact_runs_the_work_in_one_transaction(database):
    async def work(conn):
        community = await _community(conn, "T1")
        row = await fetch_one(conn, "SELECT COUNT(*) FROM communities WHERE id = ?",
                              (community,))
        return community, row[0]

    community, seen = await database.transact(work)
    assert seen == 1

    async def failing(conn):
        await _community(conn, "T2")
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        await database.transact(failing)
    async with database.read() as conn:
        rows = await fetch_all(conn, "SELECT id FROM communities")
    assert [row[0] for row in rows] == [community]


async def test_transfers_are_immutable_on_both_engines(services):
    from tests.support import seed_community

    kim, _, _ = await seed_community(services)
    view = await services.ledger.start_trade(kim, kind="pay", counterparty="#2", amount=500,
                                             memo=None, request_key="imm")
    await services.ledger.confirm_pay(kim, view.request.id)
    for statement in ("UPDATE transfers SET amount = 1", "DELETE FROM transfers",
                      "UPDATE movements SET amount = 1", "DELETE FROM movements"):
        with pytest.raises(Exception, match="immutable|never deleted"):
            async with services.db.write() as conn:
                await conn.execute(statement)
    assert (await services.verify()).ok


async def test_concurrent_writes_are_serialised(database):
    """Many read-then-write transactions at once: none reads a value another has already
    changed (each sees every earlier commit)."""
    async with database.write() as conn:
        community = await _community(conn)

    async def bump() -> None:
        async with database.write() as conn:
            row = await fetch_one(conn, "SELECT next_member_number FROM communities WHERE id = ?",
                                  (community,))
            await conn.execute("UPDATE communities SET next_member_number = ? WHERE id = ?",
                               (row[0] + 1, community))

    await asyncio.gather(*(bump() for _ in range(20)))
    async with database.read() as conn:
        row = await fetch_one(conn, "SELECT next_member_number FROM communities")
    assert row[0] == 21


def test_every_sqlite_migration_has_its_postgresql_twin():
    """Migrations are numbered alike: a new storage/migrations/NNN_x.sql needs its
    storage/migrations_pg/NNN_x.sql (the schema_migrations versions agree)."""
    from storage import db as sqlite_engine
    from storage import postgres

    assert [n for n, _ in postgres._migrations()] == [n for n, _ in sqlite_engine._migrations()]


# Tables that differ on purpose: the market index is an FTS5 table on SQLite (its post is its
# rowid) and a tsvector table on PostgreSQL (post_id); the actor version is PostgreSQL's own.
_ENGINE_SPECIFIC = {"posts_search", "pumasi_actor_version"}


async def _sqlite_columns(path) -> dict[str, list[str]]:
    db = await Database.open_url(path)
    try:
        async with db.read() as conn:
            names = [row[0] for row in await fetch_all(
                conn, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'posts_search_%'")]
            return {name: sorted(row["name"] for row in await fetch_all(
                conn, f"PRAGMA table_info({name})")) for name in names}
    finally:
        await db.close()


async def _postgres_columns(url) -> dict[str, list[str]]:
    db = await Database.open_url(url)
    try:
        async with db.read() as conn:
            rows = await fetch_all(
                conn, "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = 'public'")
    finally:
        await db.close()
    found: dict[str, list[str]] = {}
    for row in rows:
        if row[1] != "rowid":  # SQLite's implicit rowid, made explicit where it is read
            found.setdefault(row[0], []).append(row[1])
    return {name: sorted(columns) for name, columns in found.items()}


async def test_both_engines_have_the_same_tables_and_columns(tmp_path):
    from tests import postgres_support

    admin, why = await postgres_support.server_url()
    if admin is None:
        postgres_support.skip_or_fail(why)
    url = await postgres_support.fresh_database(admin)
    try:
        postgres = await _postgres_columns(url)
    finally:
        await postgres_support.release_database(url)
    sqlite = await _sqlite_columns(tmp_path / "schema.db")
    assert {k: v for k, v in postgres.items() if k not in _ENGINE_SPECIFIC} == {
        k: v for k, v in sqlite.items() if k not in _ENGINE_SPECIFIC}
    assert "posts_search" in sqlite and "posts_search" in postgres


@pytest.mark.postgres_only
async def test_transact_runs_the_work_again_after_a_serialization_failure(database):
    """PostgreSQL may refuse a transaction that raced another (SERIALIZABLE, deadlocks):
    `transact` rolls it back and runs the work again, so the work is written to be re-run."""
    import asyncpg

    attempts = []

    async def work(conn):
        attempts.append(1)
        await _community(conn, f"TRY{len(attempts)}")
        if len(attempts) == 1:
            raise asyncpg.SerializationError("could not serialize access")
        return len(attempts)

    assert await database.transact(work) == 2
    async with database.read() as conn:
        rows = await fetch_all(conn, "SELECT code FROM communities")
    assert [row[0] for row in rows] == ["TRY2"]  # the first attempt left nothing


@pytest.mark.postgres_only  # Python's sqlite3 gives -1 there: guards are plain UPDATE … WHERE
async def test_rowcount_of_a_write_under_with(database):
    async with database.write() as conn:
        await _community(conn, "W1")
        cursor = await conn.execute(
            "WITH chosen AS (SELECT id FROM communities WHERE code = ?)"
            " UPDATE communities SET name = ? WHERE id IN (SELECT id FROM chosen)", ("W1", "새"))
        assert cursor.rowcount == 1


async def test_a_group_moved_onto_a_linked_chat_replaces_it(database):
    """Telegram moves a group to a supergroup: the link follows it, and a link already kept
    under the new id gives way (what SQLite's UPDATE OR REPLACE did), on both engines."""
    from storage import notices as notice_rows

    async with database.write() as conn:
        community = await _community(conn)
        person = (await fetch_one(conn, "INSERT INTO people (display_name, created_at)"
                                        " VALUES ('김영희', ?) RETURNING id", (NOW,)))[0]
        for chat, market in (("-1", 1), ("-2", 0)):
            await conn.execute("INSERT INTO group_links (chat_id, community_id,"
                               " linked_by_person_id, post_market, linked_at)"
                               " VALUES (?, ?, ?, ?, ?)", (chat, community, person, market, NOW))
        assert await notice_rows.move_group(conn, "-1", "-2")
        assert await notice_rows.move_group(conn, "-2", "-2")  # to itself: kept
        assert not await notice_rows.move_group(conn, "-9", "-3")
    async with database.read() as conn:
        rows = await fetch_all(conn, "SELECT chat_id, post_market FROM group_links")
    assert [(row[0], row[1]) for row in rows] == [("-2", 1)]
