"""Migration 014 fills what it adds from the rows already there: a database written before it
reads the same figures, members and search results after it, and passes verify."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.clock import ManualClock
from core.services import Services
from tests.support import seed_community

BEFORE_014 = """
DROP TRIGGER posts_search_leave;
DROP TRIGGER posts_search_gone;
DROP TABLE posts_search;
DROP VIEW stats_members_expected;
DROP TABLE stats_members;
DROP TABLE stats_active;
ALTER TABLE accounts DROP COLUMN last_trade_at;
CREATE TABLE stats_activity (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    month TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    trades INTEGER NOT NULL,
    PRIMARY KEY (community_id, month, account_id)
);
INSERT INTO stats_activity SELECT community_id, month, account_id, COUNT(*) FROM (
    SELECT community_id, month, payer_account_id AS account_id FROM stats_trades
    UNION ALL SELECT community_id, month, payee_account_id FROM stats_trades
) GROUP BY community_id, month, account_id;
DROP VIEW stats_trades;
DELETE FROM schema_migrations WHERE version = 14;
"""


async def figures(services: Services, coordinator, member):
    stats = await services.stats.for_coordinator(coordinator)
    directory, _ = await services.membership.directory(coordinator)
    search = {word: [p.id for p in (await services.market.search(member, word)).posts]
              for word in ("떡", "김치", "나눔", "없는말")}
    return stats, directory, search


async def test_a_database_from_before_reads_the_same_after(tmp_path: Path):
    clock = ManualClock(datetime(2025, 6, 1, 1, 0, tzinfo=UTC))
    path = tmp_path / "upgrade.db"
    services = await Services.open(path, clock=clock)
    kim, lee, park, choi = await seed_community(services, members=4)
    for index, (payer, payee) in enumerate([(lee, 3), (park, 2), (lee, 4), (choi, 2),
                                            (lee, 3), (kim, 4)]):
        clock.advance(timedelta(days=40))
        view = await services.ledger.start_trade(payer, kind="pay", counterparty=f"#{payee}",
                                                 amount=100 * (index + 1), memo=None,
                                                 request_key=f"k{index}")
        done = await services.ledger.confirm_pay(payer, view.request.id)
    await services.ledger.reverse(kim, done.request.transfer_id, "중복")
    for title in ("가래떡 나눔", "배추김치 나눔", "떡볶이", "김치 나눔"):
        post = await services.market.create_post(lee, kind="offer", category="food",
                                                 title=title, description="",
                                                 price=None, photo_file_id=None)
    await services.market.close(lee, post.post.id)
    before = await figures(services, kim, park)
    async with services.db.write() as conn:
        for statement in BEFORE_014.split(";"):
            if statement.strip():
                await conn.execute(statement)
    await services.close()

    services = await Services.open(path, clock=clock)
    try:
        assert await services.db.schema_version() >= 14
        kim, park = await services.people.reload(1), await services.people.reload(3)
        after = await figures(services, kim, park)
        assert after == before
        assert before[0].cumulative.active_members == 3  # 김 only in the reversed trade
        assert before[2]["떡"] != [] and all(e.last_active for e in before[1])
        report = await services.verify()
        assert report.ok, report.problems
    finally:
        await services.close()
