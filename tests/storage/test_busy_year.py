import sqlite3
from datetime import UTC, datetime

from core.verify import verify_ledger
from storage.busy_year import seed_busy_year
from storage.db import Database


async def test_a_busy_year_obeys_every_invariant_and_its_rollups_match_the_backfill(tmp_path):
    path = tmp_path / "busy.db"
    database = Database(path)
    await database.open()
    await database.close()
    # Late on the 1st (UTC), already the 2nd in Seoul: the month edge is in play.
    now = datetime(2026, 3, 1, 20, 30, tzinfo=UTC)
    seed_busy_year(path, members=300, transfers=20_000, posts=200, now=now)
    database = Database(path)
    await database.open()
    try:
        report = await verify_ledger(database)
    finally:
        await database.close()
    assert report.ok, report.problems[:3]
    assert report.accounts == 300 + 1

    with sqlite3.connect(path) as conn:
        # `verify` above recomputed every roll-up, last trade and search term from the rows.
        months = [row[0] for row in conn.execute(
            "SELECT month FROM stats_months ORDER BY month")]
        assert months[-1] == "2026-03" and len(months) == 13  # a year up to this (Seoul) month
        first, last = conn.execute("SELECT MIN(created_at), MAX(created_at) FROM transfers"
                                   ).fetchone()
        assert first >= "2025-03-01" and last <= "2026-03-01 20:30:00"
        active = conn.execute("SELECT members FROM stats_active WHERE period = '2026-02'"
                              ).fetchone()[0]
        assert active > 250  # most members traded last month
        assert conn.execute("SELECT COUNT(*) FROM posts WHERE status = 'open'").fetchone()[0] == 200
        indexes = {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'movements'")}
        assert {"movements_account", "movements_transfer"} <= indexes
