"""Queries that stay flat: each one timed the way it was before migration 014 and the way it
is now, in the same run, against the same database.

    .venv/bin/python bench/queries.py [--members 100000] [--transfers 1000000]
                                      [--posts 100000] [--runs 200]

"Before" runs the earlier SQL, copied below, on the same rows: the roll-up that deleted a
month's empty rows by reading the month, LIKE over every open post, OFFSET paging, the last
trade computed over each member's transfers, distinct members counted at query time (the old
per-month table is rebuilt beside the new one for it). pay+confirm and /stats run through the
services with only the changed storage function swapped; the others time the storage query.
The clock stands in the busiest month of the bulk data. Prints median and p99 in ms."""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.clock import ManualClock  # noqa: E402
from core.services import Services  # noqa: E402
from storage import ledger as ledger_rows  # noqa: E402
from storage import memberships as membership_rows  # noqa: E402
from storage import posts as post_rows  # noqa: E402
from storage import stats as stats_rows  # noqa: E402
from storage.bulk import seed_large_community  # noqa: E402
from storage.db import Database, fetch_all, fetch_one  # noqa: E402

FIRST_USER_ID = 10_000_000
BUSY = datetime(2025, 6, 15, 3, 0, tzinfo=UTC)  # the bulk data runs 2023–2025 evenly
HEAVY_TRADES = 2_100  # one member's statement, deep enough for page 200

# ----- the SQL as it was before migration 014 ---------------------------------------------

OLD_ACTIVITY = """
CREATE TABLE IF NOT EXISTS stats_activity (
    community_id INTEGER NOT NULL, month TEXT NOT NULL, account_id INTEGER NOT NULL,
    trades INTEGER NOT NULL, PRIMARY KEY (community_id, month, account_id));
DELETE FROM stats_activity;
INSERT INTO stats_activity SELECT community_id, month, account_id, COUNT(*) FROM (
    SELECT community_id, month, payer_account_id AS account_id FROM stats_trades
    UNION ALL SELECT community_id, month, payee_account_id FROM stats_trades
) GROUP BY community_id, month, account_id;
"""


async def old_roll_up(conn, trade_id: int, sign: int) -> None:
    original = await fetch_one(
        conn,
        "SELECT community_id, strftime('%Y-%m', created_at, '+9 hours') AS month, amount,"
        " payer_account_id, payee_account_id, kind, purpose FROM transfers WHERE id = ?",
        (trade_id,),
    )
    if original["kind"] == "reversal" or original["purpose"] is not None:
        return
    community, month = original["community_id"], original["month"]
    await conn.execute(
        # The key as it is now (migration 020: SQLite's stripe is always 0).
        "INSERT INTO stats_months (community_id, month, trades, volume) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (community_id, month, stripe) DO UPDATE"
        " SET trades = trades + excluded.trades,"
        " volume = volume + excluded.volume",
        (community, month, sign, sign * original["amount"]),
    )
    for account in (original["payer_account_id"], original["payee_account_id"]):
        await conn.execute(
            "INSERT INTO stats_activity (community_id, month, account_id, trades)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (community_id, month, account_id)"
            " DO UPDATE SET trades = trades + excluded.trades",
            (community, month, account, sign),
        )
    await conn.execute(
        "DELETE FROM stats_activity WHERE community_id = ? AND month = ? AND trades <= 0",
        (community, month),
    )


async def old_totals(conn, community_id, period, first_month, last_month, start, end):
    return await fetch_one(
        conn,
        "SELECT (SELECT COALESCE(SUM(trades), 0) FROM stats_months WHERE community_id = ?"
        "  AND month >= ? AND month <= ?) AS trades,"
        " (SELECT COALESCE(SUM(volume), 0) FROM stats_months WHERE community_id = ?"
        "  AND month >= ? AND month <= ?) AS volume,"
        " (SELECT COUNT(DISTINCT account_id) FROM stats_activity a"
        "  JOIN accounts ac ON ac.id = a.account_id AND ac.membership_id IS NOT NULL"
        "  WHERE a.community_id = ? AND a.month >= ? AND a.month <= ?) AS active_members,"
        " (SELECT COUNT(*) FROM memberships WHERE community_id = ? AND number IS NOT NULL"
        "  AND decided_at >= ? AND decided_at < ?) AS new_members,"
        " (SELECT COUNT(*) FROM posts WHERE community_id = ? AND created_at >= ?"
        "  AND created_at < ?) AS posts,"
        " (SELECT COUNT(*) FROM event_signups s JOIN events e ON e.id = s.event_id"
        "  WHERE e.community_id = ? AND s.attended_at >= ? AND s.attended_at < ?) AS attendance",
        (community_id, first_month, last_month) * 3 + (community_id, start, end) * 3,
    )


async def old_search(conn, community_id: int, words: list[str], limit: int, offset: int):
    clauses = ["po.community_id = ?", "po.status = 'open'", "m.status = 'active'"]
    params: list[object] = [community_id]
    for word in words:
        clauses.append(
            "(po.title LIKE ? ESCAPE '\\' OR po.description LIKE ? ESCAPE '\\' OR po.category = ?)"
        )
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params.extend([pattern, pattern, word])
    params.extend([limit, offset])
    return await fetch_all(
        conn,
        "SELECT po.*, m.number AS author_number, p.display_name AS author_name"
        " FROM posts po JOIN memberships m ON m.id = po.author_membership_id"
        " JOIN people p ON p.id = m.person_id WHERE " + " AND ".join(clauses)
        + " ORDER BY po.id DESC LIMIT ? OFFSET ?",
        params,
    )


async def old_history(conn, membership_id: int, limit: int, offset: int):
    return await fetch_all(
        conn,
        "WITH acct AS (SELECT id, balance FROM accounts WHERE membership_id = ?)"
        " SELECT m.transfer_id, m.amount, t.kind, t.memo, t.reason, t.reverses_id,"
        " t.created_at, acct.balance,"
        " (SELECT r.id FROM transfers r WHERE r.reverses_id = t.id) AS reversed_by,"
        " om.number AS counterparty_number, p.display_name AS counterparty_name"
        " FROM acct JOIN movements m ON m.account_id = acct.id"
        " JOIN transfers t ON t.id = m.transfer_id"
        " JOIN movements o ON o.transfer_id = m.transfer_id AND o.id <> m.id"
        " JOIN accounts oa ON oa.id = o.account_id"
        " LEFT JOIN memberships om ON om.id = oa.membership_id"
        " LEFT JOIN people p ON p.id = om.person_id"
        " ORDER BY m.id DESC LIMIT ? OFFSET ?",
        (membership_id, limit, offset),
    )


async def old_directory(conn, community_id: int, limit: int, offset: int):
    return await fetch_all(
        conn,
        "SELECT m.id AS membership_id, m.number, m.role, m.status, p.display_name, p.username,"
        " a.balance, (SELECT MAX(t.created_at) FROM movements mv"
        "  JOIN transfers t ON t.id = mv.transfer_id WHERE mv.account_id = a.id) AS last_active"
        " FROM memberships m JOIN people p ON p.id = m.person_id"
        " JOIN accounts a ON a.membership_id = m.id"
        " WHERE m.community_id = ? AND m.status IN ('active', 'suspended')"
        " ORDER BY m.number LIMIT ? OFFSET ?",
        (community_id, limit, offset),
    )


# ----- measuring ------------------------------------------------------------------------------


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def clocked(action: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await action()
    return (time.perf_counter() - started) * 1000


def megabytes(path: Path) -> float:
    return path.stat().st_size / 1e6


async def build(path: Path, members: int, transfers: int, posts: int) -> None:
    started = time.perf_counter()
    database = Database(path)
    await database.open()
    await database.close()
    seed_large_community(path, code="big", members=members, transfers=transfers, posts=posts,
                         first_user_id=FIRST_USER_ID)
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_ACTIVITY)
    print(f"built {members:,} members, {transfers:,} transfers, {posts:,} posts in"
          f" {time.perf_counter() - started:.0f} s ({megabytes(path):.0f} MB)")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--transfers", type=int, default=1_000_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--db", type=Path, help="reuse (or keep) the database at this path")
    args = parser.parse_args()
    rng = random.Random(11)
    path = args.db or Path(tempfile.mkdtemp(prefix="pumasi-queries-")) / "queries.db"
    if not path.exists():
        await build(path, args.members, args.transfers, args.posts)

    clock = ManualClock(BUSY)
    services = await Services.open(path, clock=clock)
    people = services.people

    async def actor(number: int):
        return await people.resolve("telegram", str(FIRST_USER_ID + number - 1),
                                    f"회원{number}", f"member{number}")

    coordinator = await actor(1)
    community_id = coordinator.community.id
    async with services.db.read() as conn:
        busy = await fetch_one(conn, "SELECT COUNT(*) AS n FROM stats_activity WHERE month = ?",
                               (BUSY.strftime("%Y-%m"),))
    print(f"the clock's month {BUSY:%Y-%m}: {busy['n']:,} members traded in it")

    heavy, partner = await actor(2), await actor(3)
    for index in range(HEAVY_TRADES):  # a statement deep enough for page 20
        payer, payee = (heavy, 3) if index % 2 else (partner, 2)
        view = await services.ledger.start_trade(payer, kind="pay", counterparty=f"#{payee}",
                                                 amount=1, memo=None,
                                                 request_key=f"heavy{index}")
        await services.ledger.confirm_pay(payer, view.request.id)
    heavy_id = heavy.membership.id
    page, cursors = await services.ledger.history(heavy), {}
    for number in range(1, 200):  # the cursors of pages 20 and 200, as their buttons carry them
        cursors[number + 1] = page.older
        page = await services.ledger.history(heavy, number, older_than=page.older)

    keys = iter(range(10**9))

    async def pay_confirm() -> None:
        payer_number, payee = rng.sample(range(4, args.members + 1), 2)
        payer = await actor(payer_number)
        view = await services.ledger.start_trade(payer, kind="pay", counterparty=f"#{payee}",
                                                 amount=100, memo=None,
                                                 request_key=f"b{next(keys)}")
        await services.ledger.confirm_pay(payer, view.request.id)

    async def with_old(module, name: str, replacement, action) -> None:
        original = getattr(module, name)
        setattr(module, name, replacement)
        try:
            await action()
        finally:
            setattr(module, name, original)

    async def read(query) -> None:
        async with services.db.read() as conn:
            await query(conn)

    cases: dict[str, tuple[Callable, Callable]] = {
        "pay+confirm (busy month)": (
            lambda: with_old(ledger_rows, "_roll_up", old_roll_up, pay_confirm), pay_confirm),
        "/market 없는말 (no match)": (
            lambda: read(lambda c: old_search(c, community_id, ["없는말"], 6, 0)),
            lambda: read(lambda c: post_rows.search_open(c, community_id, ["없는말"], 6, 0))),
        "/market 김치 (many)": (
            lambda: read(lambda c: old_search(c, community_id, ["김치"], 6, 0)),
            lambda: read(lambda c: post_rows.search_open(c, community_id, ["김치"], 6, 0))),
        "/market 빵 (1 syllable)": (
            lambda: read(lambda c: old_search(c, community_id, ["빵"], 6, 0)),
            lambda: read(lambda c: post_rows.search_open(c, community_id, ["빵"], 6, 0))),
        "/market 김치 page 20": (
            lambda: read(lambda c: old_search(c, community_id, ["김치"], 6, 95)),
            lambda: read(lambda c: post_rows.search_open(c, community_id, ["김치"], 6, 95))),
        "/history page 20": (
            lambda: read(lambda c: old_history(c, heavy_id, 11, 190)),
            lambda: read(lambda c: ledger_rows.history(c, heavy_id, 11, before=cursors[20]))),
        "/history page 200": (
            lambda: read(lambda c: old_history(c, heavy_id, 11, 1990)),
            lambda: read(lambda c: ledger_rows.history(c, heavy_id, 11, before=cursors[200]))),
        "/members": (
            lambda: read(lambda c: old_directory(c, community_id, 11, 0)),
            lambda: read(lambda c: membership_rows.directory(c, community_id, "", 11, 0))),
        "/stats figures": (
            lambda: with_old(stats_rows, "totals", old_totals,
                             lambda: services.stats.for_coordinator(coordinator)),
            lambda: services.stats.for_coordinator(coordinator)),
    }
    async with services.db.read() as conn:  # the same answers both ways
        same = [
            [r["transfer_id"] for r in await old_history(conn, heavy_id, 11, offset)]
            == [r["transfer_id"] for r in await ledger_rows.history(conn, heavy_id, 11,
                                                                     before=cursors[page])]
            for page, offset in ((20, 190), (200, 1990))
        ] + [
            [r["id"] for r in await old_search(conn, community_id, [word], 6, offset)]
            == [r["id"] for r in await post_rows.search_open(conn, community_id, [word], 6,
                                                              offset)]
            for word in ("없는말", "김치", "빵", "아이 옷") for offset in (0, 95)
        ] + [
            [tuple(r) for r in await old_directory(conn, community_id, 11, 0)]
            == [tuple(r) for r in await membership_rows.directory(conn, community_id, "", 11,
                                                                   0)]
        ]
    print(f"same rows before and after: {'yes' if all(same) else same}")
    for before, after in cases.values():  # warm-up
        for _ in range(3):
            await before()
            await after()
    results = {name: ([], []) for name in cases}
    for run in range(args.runs):
        for name, (before, after) in cases.items():
            if name == "/stats figures" and run >= max(20, args.runs // 10):
                continue  # seconds each before: a tenth of the runs is plenty
            if run % 2:  # alternate which goes first
                old, new = await clocked(before), await clocked(after)
            else:
                new, old = await clocked(after), await clocked(before)
            results[name][0].append(old)
            results[name][1].append(new)

    print(f"{'':28} {'before median':>14} {'p99':>9} {'after median':>13} {'p99':>8}"
          f" {'runs':>5}")
    for name, (old, new) in results.items():
        print(f"{name:28} {statistics.median(old):14.2f} {percentile(old, 0.99):9.2f}"
              f" {statistics.median(new):13.2f} {percentile(new, 0.99):8.2f} {len(new):5}")

    # The "before" payments kept the old table, not the new one: refill, then prove it all.
    async with services.db.write(records_update=False) as conn:
        migration = next((Path(__file__).parent.parent / "storage" / "migrations")
                         .glob("014_*.sql")).read_text(encoding="utf-8")
        for statement in migration.split("-- backfill", 1)[1].split("\n", 1)[1].split(";"):
            if statement.strip():
                await conn.execute(statement)
    started = time.perf_counter()
    report = await services.verify()
    print(f"verify after the run: {'ok' if report.ok else report.problems[:3]}"
          f" ({time.perf_counter() - started:.0f} s)")
    await services.close()
    if args.db is None:
        shutil.rmtree(path.parent, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
