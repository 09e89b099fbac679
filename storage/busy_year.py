"""Bulk loading of a busy year for benchmarks: one community of many members who traded all
year up to now (so this month is busy and most members are active in it), many open posts,
the statistics roll-ups as the bot keeps them. Synchronous sqlite3, written for speed: the
file is built without a journal and with the big tables' indexes made once at the end.

The rows obey every ledger rule (double entry, limits, cached balances, roll-ups), so
`verify` passes. `tests/storage/test_busy_year.py` checks that, and that the roll-ups equal
what the migration's own backfill computes."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.bulk import WORDS, rebuild_derived
from storage.timefmt import to_db

BATCH = 100_000
# Rebuilt once after the load instead of being updated row by row.
REINDEXED = ("transfers", "movements", "posts")


def seed_busy_year(
    path: str | Path,
    *,
    members: int,
    transfers: int,
    posts: int,
    now: datetime,
    code: str = "busy",
    first_user_id: int = 10_000_000,
    floor: int = -300_000,
    ceiling: int = 1_000_000,
    seed: int = 1,
) -> None:
    """Write the community into an already migrated, empty database at `path`."""
    rng = random.Random(seed)
    now = now.astimezone(UTC).replace(microsecond=0)
    year_ago = now - timedelta(days=365)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")  # a failed build is thrown away whole
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-262144")  # 256 MB
        conn.execute("BEGIN")
        indexes = [sql for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({','.join('?' * len(REINDEXED))})", REINDEXED)]
        for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                f" AND tbl_name IN ({','.join('?' * len(REINDEXED))})", REINDEXED).fetchall():
            conn.execute(f"DROP INDEX {name}")
        community_id, accounts = _members(conn, rng, code, members, first_user_id, floor,
                                          ceiling, now)
        balances = _transfers(conn, rng, community_id, accounts, transfers, floor, ceiling,
                              year_ago, now)
        conn.executemany("UPDATE accounts SET balance = ? WHERE id = ?",
                         ((balance, accounts[i][0]) for i, balance in enumerate(balances)))
        _posts(conn, rng, community_id, accounts, posts, now)
        for sql in indexes:
            conn.execute(sql)
        # Roll-ups, each account's last trade and the search index, by the very statements
        # of their migration: `verify` then checks them against the rows.
        rebuild_derived(conn)
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


def _members(conn: sqlite3.Connection, rng: random.Random, code: str, members: int,
             first_user_id: int, floor: int, ceiling: int, now: datetime
             ) -> tuple[int, list[tuple[int, int]]]:
    """The community, its house account and `members` people (member i: 회원i, member i,
    Telegram id first_user_id + i - 1; every 10,000th a coordinator) who joined over the
    last three years. Returns the community id and each member's (account id, person id)."""
    created = to_db(now - timedelta(days=3 * 365))
    community_id = conn.execute(
        "INSERT INTO communities (code, name, unit, credit_floor, credit_ceiling, approval,"
        " next_member_number, created_at) VALUES (?, ?, '문', ?, ?, 'auto', ?, ?)",
        (code, f"{code} 품앗이", floor, ceiling, members + 1, created),
    ).lastrowid
    conn.execute("INSERT INTO accounts (community_id, membership_id, created_at)"
                 " VALUES (?, NULL, ?)", (community_id, created))
    person_base = conn.execute("SELECT COALESCE(MAX(id), 0) FROM people").fetchone()[0]
    membership_base = conn.execute("SELECT COALESCE(MAX(id), 0) FROM memberships").fetchone()[0]
    account_base = conn.execute("SELECT COALESCE(MAX(id), 0) FROM accounts").fetchone()[0]
    span = 3 * 365 * 86400
    joined = [to_db(now - timedelta(seconds=rng.randrange(span))) for _ in range(members)]
    conn.executemany(
        "INSERT INTO people (id, display_name, username, locale, current_community_id,"
        " created_at, last_channel) VALUES (?, ?, ?, 'ko', ?, ?, 'telegram')",
        ((person_base + i, f"회원{i}", f"member{i}", community_id, joined[i - 1])
         for i in range(1, members + 1)))
    conn.executemany(
        "INSERT INTO identities (channel, external_id, person_id, created_at)"
        " VALUES ('telegram', ?, ?, ?)",
        ((str(first_user_id + i - 1), person_base + i, joined[i - 1])
         for i in range(1, members + 1)))
    conn.executemany(
        "INSERT INTO memberships (id, community_id, person_id, number, role, status,"
        " created_at, decided_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?)",
        ((membership_base + i, community_id, person_base + i, i,
          "coordinator" if i % 10_000 == 1 else "member", joined[i - 1], joined[i - 1])
         for i in range(1, members + 1)))
    conn.executemany(
        "INSERT INTO accounts (id, community_id, membership_id, created_at) VALUES (?, ?, ?, ?)",
        ((account_base + i, community_id, membership_base + i, joined[i - 1])
         for i in range(1, members + 1)))
    return community_id, [(account_base + i, person_base + i) for i in range(1, members + 1)]


def _transfers(conn: sqlite3.Connection, rng: random.Random, community_id: int,
               accounts: list[tuple[int, int]], count: int, floor: int, ceiling: int,
               start: datetime, end: datetime) -> list[int]:
    """`count` payments between random members, evenly over [start, end); returns each
    member's balance (the roll-ups are filled afterwards, see `seed_busy_year`)."""
    members = len(accounts)
    balances = [0] * members
    midnight = start.replace(hour=0, minute=0, second=0)
    offset = int((start - midnight).total_seconds())
    days = [midnight + timedelta(days=d) for d in range((end - midnight).days + 2)]
    day_text = [day.strftime("%Y-%m-%d ") for day in days]
    clock = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
    step = (end - start).total_seconds() / max(1, count)
    transfer_base = conn.execute("SELECT COALESCE(MAX(id), 0) FROM transfers").fetchone()[0]
    random_ = rng.random

    def rows() -> Iterator[tuple]:
        made = 0
        while made < count:
            payer = int(random_() * members)
            payee = int(random_() * members)
            amount = (1 + int(random_() * 19)) * 500
            if (payer == payee or balances[payer] - amount < floor
                    or balances[payee] + amount > ceiling):
                continue
            balances[payer] -= amount
            balances[payee] += amount
            second = offset + int(made * step)
            day, of_day = divmod(second, 86400)
            payer_account, payer_person = accounts[payer]
            payee_account = accounts[payee][0]
            made += 1
            yield (transfer_base + made, payer_account, payee_account, amount,
                   WORDS[int(random_() * len(WORDS))], payer_person,
                   day_text[day] + clock[of_day])

    batch: list[tuple] = []
    for row in rows():
        batch.append(row)
        if len(batch) >= BATCH:
            _flush(conn, community_id, batch)
    _flush(conn, community_id, batch)
    return balances


def _flush(conn: sqlite3.Connection, community_id: int, batch: list[tuple]) -> None:
    conn.executemany(
        "INSERT INTO transfers (id, community_id, payer_account_id, payee_account_id, amount,"
        " kind, memo, created_by_person_id, created_at)"
        f" VALUES (?, {community_id}, ?, ?, ?, 'pay', ?, ?, ?)", batch)
    conn.executemany(
        "INSERT INTO movements (transfer_id, account_id, amount) VALUES (?, ?, ?)",
        (movement for row in batch
         for movement in ((row[0], row[1], -row[3]), (row[0], row[2], row[3]))))
    batch.clear()


def _posts(conn: sqlite3.Connection, rng: random.Random, community_id: int,
           accounts: list[tuple[int, int]], count: int, now: datetime) -> None:
    """Open posts written over the last month, each titled with one of WORDS (so a search
    for a word finds about one post in twenty), still running for a month."""
    membership_base = conn.execute(
        "SELECT MIN(id) - 1 FROM memberships WHERE community_id = ?", (community_id,)
    ).fetchone()[0]
    expires, warn = to_db(now + timedelta(days=30)), to_db(now + timedelta(days=27))
    conn.executemany(
        "INSERT INTO posts (community_id, author_membership_id, kind, category, title,"
        " description, price, created_at, expires_at, warn_at)"
        " VALUES (?, ?, ?, 'goods', ?, ?, ?, ?, ?, ?)",
        ((community_id, membership_base + 1 + rng.randrange(len(accounts)),
          rng.choice(("offer", "request")), f"{rng.choice(WORDS)} {i}",
          f"{rng.choice(WORDS)} 나눠요", rng.randrange(1, 40) * 500,
          to_db(now - timedelta(seconds=rng.randrange(30 * 86400))), expires, warn)
         for i in range(count)))


def write_meta(path: str | Path, params: dict[str, str]) -> None:
    """What the file was built with, so a later run can tell whether it may reuse it."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.executemany("INSERT OR REPLACE INTO bench_meta (key, value) VALUES (?, ?)",
                         sorted(params.items()))
    conn.close()


def read_meta(path: str | Path) -> dict[str, str]:
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT key, value FROM bench_meta").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return {}
