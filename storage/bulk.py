"""Bulk loading of a large, valid community for benchmarks (synchronous sqlite3, one transaction).

The rows obey every ledger rule (double entry, limits, cached balances), so `verify` passes."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.search_terms import post_search_terms
from storage.timefmt import to_db

WORDS = (
    "김치",
    "반찬",
    "아이 옷",
    "책",
    "수리",
    "청소",
    "수학",
    "영어",
    "텃밭",
    "자전거",
    "도시락",
    "돌봄",
    "뜨개질",
    "사진",
    "컴퓨터",
    "머리 손질",
    "이사",
    "화분",
    "장난감",
    "빵",
)


def seed_large_community(
    path: str | Path,
    *,
    code: str,
    members: int,
    transfers: int,
    posts: int,
    seed: int = 1,
    first_user_id: int = 1,
    floor: int = -300_000,
    ceiling: int = 1_000_000,
) -> None:
    """Write a community with `members` members (Telegram ids first_user_id…), `transfers`
    transfers between them and `posts` open posts into an already migrated database."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    now = to_db(start)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("BEGIN IMMEDIATE")
        community_id = conn.execute(
            "INSERT INTO communities (code, name, unit, credit_floor, credit_ceiling, approval,"
            " next_member_number, created_at) VALUES (?, ?, '문', ?, ?, 'auto', ?, ?)",
            (code, f"{code} 품앗이", floor, ceiling, members + 1, now),
        ).lastrowid
        conn.execute(
            "INSERT INTO accounts (community_id, membership_id, created_at) VALUES (?, NULL, ?)",
            (community_id, now),
        )
        person_base = conn.execute("SELECT COALESCE(MAX(id), 0) FROM people").fetchone()[0]
        conn.executemany(
            "INSERT INTO people (id, display_name, username, locale, current_community_id,"
            " created_at, last_channel) VALUES (?, ?, ?, 'ko', ?, ?, 'telegram')",
            (
                (person_base + i, f"회원{i}", f"member{i}", community_id, now)
                for i in range(1, members + 1)
            ),
        )
        conn.executemany(
            "INSERT INTO identities (channel, external_id, person_id, created_at)"
            " VALUES ('telegram', ?, ?, ?)",
            ((str(first_user_id + i - 1), person_base + i, now) for i in range(1, members + 1)),
        )
        membership_base = conn.execute("SELECT COALESCE(MAX(id), 0) FROM memberships").fetchone()[0]
        conn.executemany(
            "INSERT INTO memberships (id, community_id, person_id, number, role, status,"
            " created_at, decided_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?)",
            (
                (
                    membership_base + i,
                    community_id,
                    person_base + i,
                    i,
                    "coordinator" if i == 1 else "member",
                    now,
                    now,
                )
                for i in range(1, members + 1)
            ),
        )
        account_base = conn.execute("SELECT COALESCE(MAX(id), 0) FROM accounts").fetchone()[0]
        conn.executemany(
            "INSERT INTO accounts (id, community_id, membership_id, created_at)"
            " VALUES (?, ?, ?, ?)",
            (
                (account_base + i, community_id, membership_base + i, now)
                for i in range(1, members + 1)
            ),
        )
        balances = [0] * (members + 1)
        transfer_base = conn.execute("SELECT COALESCE(MAX(id), 0) FROM transfers").fetchone()[0]
        step = timedelta(days=3 * 365) / max(1, transfers)
        transfer_rows, movement_rows = [], []
        made = 0
        while made < transfers:
            payer, payee = rng.randrange(1, members + 1), rng.randrange(1, members + 1)
            amount = rng.randrange(1, 20) * 500
            if (
                payer == payee
                or balances[payer] - amount < floor
                or (balances[payee] + amount > ceiling)
            ):
                continue
            made += 1
            balances[payer] -= amount
            balances[payee] += amount
            transfer_id = transfer_base + made
            transfer_rows.append(
                (
                    transfer_id,
                    community_id,
                    account_base + payer,
                    account_base + payee,
                    amount,
                    rng.choice(WORDS),
                    person_base + payer,
                    to_db(start + step * made),
                )
            )
            movement_rows.append((transfer_id, account_base + payer, -amount))
            movement_rows.append((transfer_id, account_base + payee, amount))
            if len(transfer_rows) >= 50_000:
                _flush(conn, transfer_rows, movement_rows)
        _flush(conn, transfer_rows, movement_rows)
        conn.executemany(
            "UPDATE accounts SET balance = ? WHERE id = ?",
            ((balances[i], account_base + i) for i in range(1, members + 1)),
        )
        expires = to_db(datetime.now(UTC) + timedelta(days=30))
        warn = to_db(datetime.now(UTC) + timedelta(days=27))
        conn.executemany(
            "INSERT INTO posts (community_id, author_membership_id, kind, category, title,"
            " description, price, created_at, expires_at, warn_at)"
            " VALUES (?, ?, ?, 'goods', ?, ?, ?, ?, ?, ?)",
            (
                (
                    community_id,
                    membership_base + rng.randrange(1, members + 1),
                    rng.choice(("offer", "request")),
                    f"{rng.choice(WORDS)} {i}",
                    f"{rng.choice(WORDS)} 나눠요",
                    rng.randrange(1, 40) * 500,
                    now,
                    expires,
                    warn,
                )
                for i in range(posts)
            ),
        )
        rebuild_derived(conn)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _flush(conn: sqlite3.Connection, transfers: list, movements: list) -> None:
    conn.executemany(
        "INSERT INTO transfers (id, community_id, payer_account_id, payee_account_id, amount,"
        " kind, memo, created_by_person_id, created_at) VALUES (?, ?, ?, ?, ?, 'pay', ?, ?, ?)",
        transfers,
    )
    conn.executemany(
        "INSERT INTO movements (transfer_id, account_id, amount) VALUES (?, ?, ?)", movements
    )
    transfers.clear()
    movements.clear()


def seed_pending_reminders(
    path: str | Path, *, count: int, code: str = "remind", first_user_id: int = 2_000_000
) -> None:
    """A community of 1,000 members, one event a month ahead and `count` pending reminders."""
    seed_large_community(path, code=code, members=1000, transfers=0, posts=0,
                         first_user_id=first_user_id)
    now = datetime.now(UTC).replace(microsecond=0)
    starts = now + timedelta(days=30)
    conn = sqlite3.connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        community_id, = conn.execute("SELECT id FROM communities WHERE code = ?",
                                     (code,)).fetchone()
        creator, = conn.execute("SELECT person_id FROM memberships WHERE community_id = ?"
                                " ORDER BY id LIMIT 1", (community_id,)).fetchone()
        event_id = conn.execute(
            "INSERT INTO events (community_id, kind, title, starts_at, ends_at,"
            " created_by_person_id, created_at, updated_at) VALUES (?, 'study', '학당', ?, ?, ?,"
            " ?, ?)",
            (community_id, to_db(starts), to_db(starts + timedelta(hours=2)), creator,
             to_db(now), to_db(now)),
        ).lastrowid
        memberships = [row[0] for row in conn.execute(
            "SELECT id FROM memberships WHERE community_id = ?", (community_id,))]
        conn.executemany(
            "INSERT INTO reminders (kind, event_id, membership_id, due_at, updated_at)"
            " VALUES ('event', ?, ?, ?, ?)",
            ((event_id, memberships[i % len(memberships)],
              to_db(now + timedelta(days=1, seconds=i)), to_db(now)) for i in range(count)),
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


def rebuild_derived(conn: sqlite3.Connection) -> None:
    """Refill what is kept beside the rows (statistics roll-ups, each account's last trade,
    the market's search index) with the backfill statements of their migration."""
    conn.create_function("post_search_terms", 4, post_search_terms, deterministic=True)
    for number in ("014", "015"):
        migration = next((Path(__file__).parent / "migrations").glob(f"{number}_*.sql"))
        backfill = migration.read_text(encoding="utf-8").split("-- backfill", 1)[1]
        backfill = backfill.split("\n", 1)[1]  # after the marker's line
        backfill = backfill.split("-- end of backfill", 1)[0]
        for statement in backfill.split(";"):
            if statement.strip():
                conn.execute(statement)
