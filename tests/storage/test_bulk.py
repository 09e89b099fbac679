from core.verify import verify_ledger
from storage.bulk import seed_large_community, seed_pending_reminders
from storage.db import Database


async def test_bulk_communities_obey_every_invariant(tmp_path):
    """The benchmarks' data must be as valid as the bot's own, roll-ups included."""
    path = tmp_path / "bulk.db"
    database = Database(path)
    await database.open()
    await database.close()
    seed_large_community(path, code="big", members=200, transfers=3000, posts=50)
    seed_pending_reminders(path, count=500)
    database = Database(path)
    await database.open()
    try:
        report = await verify_ledger(database)
    finally:
        await database.close()
    assert report.ok, report.problems[:3]
    assert report.accounts == 200 + 1000 + 2
