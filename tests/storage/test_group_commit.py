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


# --- failures, cancellations and shutdown (each was a way to mislead a caller or wedge the
# writer before it was handled) ---------------------------------------------------------


class _Wrapped:
    """The writer's sqlite3 connection with one statement made to misbehave."""

    def __init__(self, real, on_execute):
        self._real = real
        self._on_execute = on_execute

    def __getattr__(self, name):
        return getattr(self._real, name)

    @property
    def in_transaction(self):
        return self._real.in_transaction

    def execute(self, sql, *args):
        self._on_execute(sql)
        return self._real.execute(sql, *args)


def _other_connection(path) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("PRAGMA busy_timeout = 0")
    return other


async def test_a_refusal_whose_group_then_fails_is_told_the_group_failed(db):
    """Tap 2 is refused because tap 1 wrote first; the commit then fails: tap 2 must not
    hear "already done" for something that is not in the file."""
    def fail_commit(sql):
        if sql.strip().upper() == "COMMIT":
            raise sqlite3.OperationalError("database or disk is full")

    writer = db._writer
    real = writer.conn.raw
    writer.conn.raw = _Wrapped(real, fail_commit)
    try:
        outcomes = await asyncio.gather(_note(db, "tap"), _note(db, "tap"),
                                        return_exceptions=True)
    finally:
        writer.conn.raw = real
    assert isinstance(outcomes[0], sqlite3.OperationalError)
    assert isinstance(outcomes[1], GroupLost)
    assert isinstance(outcomes[1].__cause__, sqlite3.IntegrityError)
    assert await _words(db.path) == []


async def test_a_lone_failure_gives_the_files_write_lock_back_at_once(db):
    with pytest.raises(ValueError):
        await _note(db, "refused", fail=True)
    assert not db._writer.conn.raw.in_transaction
    other = _other_connection(db.path)
    other.execute("BEGIN IMMEDIATE")  # would raise "database is locked" if still held
    other.execute("ROLLBACK")
    other.close()


async def test_a_caller_cancelled_while_another_process_holds_the_lock_leaves_the_writer_whole(
        db):
    other = _other_connection(db.path)
    other.execute("BEGIN IMMEDIATE")
    waiting = asyncio.create_task(_note(db, "cancelled"))
    await asyncio.sleep(0.1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.sleep(0.05)
    assert loop.time() - started < 0.5  # the loop was not blocked while it waited
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    other.execute("COMMIT")
    other.close()
    assert await _note(db, "after") == "after"
    assert await _words(db.path) == ["after"]


async def test_a_commit_cut_short_by_a_cancelled_shutdown_still_tells_the_truth(db):
    def slow_commit(sql):
        if sql.strip().upper() == "COMMIT":
            import time
            time.sleep(0.3)

    writer = db._writer
    real = writer.conn.raw
    writer.conn.raw = _Wrapped(real, slow_commit)
    try:
        caller = asyncio.create_task(_note(db, "paid"))
        await asyncio.sleep(0.05)  # the commit is under way on its thread
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(writer.drain(), 0.05)
        for committer in list(writer._committers):
            committer.cancel()
        assert await caller == "paid"
    finally:
        await writer.drain()
        writer.conn.raw = real
    assert await _words(db.path) == ["paid"]


async def test_a_committer_cancelled_while_it_queues_does_not_stop_later_commits(db):
    writer = db._writer

    async def slow_body() -> str:
        async with db.write(records_update=False) as conn:
            await conn.execute("INSERT INTO notes (word) VALUES ('slow')")
            await asyncio.sleep(0.1)
        return "slow"

    first = asyncio.create_task(_note(db, "first"))
    slow = asyncio.create_task(slow_body())
    await asyncio.sleep(0.01)  # slow holds the lock, the committer queues behind it
    for committer in list(writer._committers):
        committer.cancel()
    assert await asyncio.wait_for(asyncio.gather(first, slow), 2) == ["first", "slow"]
    assert await asyncio.wait_for(_note(db, "later"), 2) == "later"
    assert await _words(db.path) == ["first", "later", "slow"]


async def test_a_cancelled_long_batch_leaves_none_of_its_rows(db):
    async with db.write(records_update=False) as conn:
        await conn.execute("CREATE TABLE outbox_rows (id INTEGER PRIMARY KEY, n INTEGER)")
    rows = [(n,) for n in range(300_000)]

    async def broadcast() -> None:
        async with db.write(records_update=False) as conn:
            await conn.execute("INSERT INTO notes (word) VALUES ('header')")
            await conn.executemany("INSERT INTO outbox_rows (n) VALUES (?)", rows)

    task = asyncio.create_task(broadcast())
    await asyncio.sleep(0.02)  # the rows are being written on a worker thread
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _note(db, "unrelated")  # commits whatever the outer transaction holds
    with sqlite3.connect(db.path) as other:
        assert other.execute("SELECT COUNT(*) FROM outbox_rows").fetchone()[0] == 0
    assert await _words(db.path) == ["unrelated"]


async def test_close_waits_for_a_transaction_under_way(tmp_path):
    database = Database(tmp_path / "closing.db")
    await database.open()
    async with database.write(records_update=False) as conn:
        await conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, word TEXT UNIQUE)")

    async def slow() -> str:
        async with database.write(records_update=False) as conn:
            await conn.execute("INSERT INTO notes (word) VALUES ('kept')")
            await asyncio.sleep(0.1)
        return "kept"

    task = asyncio.create_task(slow())
    await asyncio.sleep(0.01)
    await database.close()
    assert await task == "kept"
    assert await _words(database.path) == ["kept"]
