"""Write transactions that arrive together share one commit; each caller learns its own
outcome; a failed one rolls back alone; nobody hears of success before the commit."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from storage.db import Database, fetch_all
from storage.group_commit import GroupLost


@pytest.fixture
async def db(tmp_path):
    database = Database(tmp_path / "group.db")
    await database.open()
    async with database.write(records_update=False) as conn:
        await conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, word TEXT UNIQUE)")
    yield database
    await database.close()


async def _words(path) -> list[str]:
    """What the file holds, read by a connection of its own (committed data only)."""
    with sqlite3.connect(path) as other:
        return sorted(row[0] for row in other.execute("SELECT word FROM notes"))


async def _note(db: Database, word: str, *, fail: bool = False) -> str:
    async with db.write(records_update=False) as conn:
        await conn.execute("INSERT INTO notes (word) VALUES (?)", (word,))
        if fail:
            raise ValueError(word)
    return word


async def test_concurrent_writers_share_commits_and_each_learns_its_own_outcome(db):
    before_transactions, before_commits = db.commits
    words = [f"w{n}" for n in range(60)]
    outcomes = await asyncio.gather(
        *(_note(db, word, fail=(n % 7 == 3)) for n, word in enumerate(words)),
        return_exceptions=True,
    )
    failed = [words[n] for n, outcome in enumerate(outcomes) if isinstance(outcome, ValueError)]
    succeeded = [outcome for outcome in outcomes if isinstance(outcome, str)]
    assert failed == [w for n, w in enumerate(words) if n % 7 == 3]
    assert sorted(succeeded) == sorted(set(words) - set(failed))
    # Everyone told "done" is in the file; no failed one is.
    assert await _words(db.path) == sorted(succeeded)
    transactions, commits = db.commits
    assert transactions - before_transactions == len(succeeded)
    assert commits - before_commits < len(succeeded) / 2  # they shared commits


async def test_a_lone_transaction_is_committed_before_its_caller_goes_on(db):
    await _note(db, "alone")
    assert await _words(db.path) == ["alone"]


async def test_a_constraint_failure_rolls_back_only_its_own_transaction(db):
    await _note(db, "taken")
    results = await asyncio.gather(
        _note(db, "first"), _note(db, "taken"), _note(db, "third"), return_exceptions=True
    )
    assert results[0] == "first" and results[2] == "third"
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert await _words(db.path) == ["first", "taken", "third"]


async def test_a_later_member_sees_the_earlier_members_writes_of_its_group(db):
    async def count_then_note(word: str) -> int:
        async with db.write(records_update=False) as conn:
            rows = await fetch_all(conn, "SELECT COUNT(*) FROM notes")
            await conn.execute("INSERT INTO notes (word) VALUES (?)", (word,))
        return rows[0][0]

    seen = await asyncio.gather(*(count_then_note(f"c{n}") for n in range(10)))
    assert sorted(seen) == list(range(10))  # serial order, as without groups


async def test_a_failed_commit_fails_every_caller_of_the_group_and_keeps_nothing(db):
    writer = db._writer
    real_raw = writer.conn.raw

    class CommitFails:
        """The writer's connection, except that COMMIT fails as a full disk would."""

        def __getattr__(self, name):
            return getattr(real_raw, name)

        def execute(self, sql, *args):
            if sql.strip().upper() == "COMMIT":
                real_raw.execute("ROLLBACK")
                raise sqlite3.OperationalError("database or disk is full")
            return real_raw.execute(sql, *args)

    writer.conn.raw = CommitFails()
    try:
        outcomes = await asyncio.gather(*(_note(db, f"f{n}") for n in range(5)),
                                        return_exceptions=True)
    finally:
        writer.conn.raw = real_raw
    assert all(isinstance(o, sqlite3.OperationalError) for o in outcomes)
    assert await _words(db.path) == []
    assert await _note(db, "after") == "after"  # the writer goes on working
    assert await _words(db.path) == ["after"]


async def test_a_group_ended_by_sqlite_itself_fails_its_earlier_members_too(db):
    """If SQLite rolls back the whole outer transaction (as it does on some I/O errors),
    the members that already finished must not be told their work was kept."""
    writer = db._writer

    async def breaks_the_group() -> None:
        async with db.write(records_update=False) as conn:
            await conn.execute("INSERT INTO notes (word) VALUES ('broken')")
            writer.conn.raw.execute("ROLLBACK")  # what SQLite does after SQLITE_FULL
            raise sqlite3.OperationalError("database or disk is full")

    async def first() -> str:
        async with db.write(records_update=False) as conn:
            await conn.execute("INSERT INTO notes (word) VALUES ('early')")
            await asyncio.sleep(0)  # let the breaker queue behind us in the same group
        return "early"

    outcomes = await asyncio.gather(first(), breaks_the_group(), return_exceptions=True)
    assert isinstance(outcomes[0], GroupLost)
    assert isinstance(outcomes[1], sqlite3.OperationalError)
    assert await _words(db.path) == []
    assert await _note(db, "later") == "later"


async def test_a_refusal_based_on_the_groups_writes_comes_only_once_they_are_durable(db):
    """The second of two taps is refused because the first wrote first ("already done");
    it must not hear so while the first's write could still be lost."""
    seen_in_file: list[list[str]] = []

    async def second_tap() -> None:
        try:
            await _note(db, "tap")
        except sqlite3.IntegrityError:
            seen_in_file.append(await _words(db.path))
            raise

    outcomes = await asyncio.gather(_note(db, "tap"), second_tap(), return_exceptions=True)
    assert outcomes[0] == "tap" and isinstance(outcomes[1], sqlite3.IntegrityError)
    assert seen_in_file == [["tap"]]
