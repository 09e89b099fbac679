"""The jobs lease in one test process: on SQLite the process leads at once; on PostgreSQL
one of two leaders holds it, and the other takes it at its next check once it is free."""

from __future__ import annotations

import pytest

from bot.leader import Leader
from bot.settings import Settings
from core.services import Services
from storage.leader import JobsLease


async def test_on_sqlite_the_process_leads_at_once_and_recovers_first(tmp_path):
    services = await Services.open(tmp_path / "one.db")
    order: list[str] = []
    leader = Leader(JobsLease(services.db), interval=0.05)

    async def recover() -> None:
        order.append(f"recover leading={leader.leading}")

    async def arm() -> None:
        order.append(f"arm leading={leader.leading}")

    leader.on_lead(recover, every_tick=arm)
    try:
        await leader.start()
        assert leader.leading and not leader.lease.shared
        assert order == ["recover leading=False", "arm leading=True"]
    finally:
        await leader.stop()
        await services.close()


@pytest.mark.postgres_only
async def test_on_postgresql_one_leads_and_the_other_takes_over(db_target):
    first_services = await Services.open(db_target)
    second_services = await Services.open(db_target)
    recovered: list[str] = []
    first = Leader(JobsLease(first_services.db), interval=3600)
    second = Leader(JobsLease(second_services.db), interval=3600)

    def recording(name: str):
        async def recover() -> None:
            recovered.append(name)
        return recover

    first.on_lead(recording("first"))
    second.on_lead(recording("second"))
    try:
        await first.start()
        await second.start()
        assert first.leading and not second.leading
        await second.tick()
        assert not second.leading and recovered == ["first"]
        await first.tick()  # still held: no second recovery
        assert first.leading and recovered == ["first"]
        await first.lease._conn.close()  # its session ends, as when the process dies
        await second.tick()
        assert second.leading and recovered == ["first", "second"]
        await first.tick()
        assert not first.leading  # it notices and steps down
        await first.tick()
        assert not first.leading and recovered == ["first", "second"]
    finally:
        await first.stop()
        await second.stop()
        await first_services.close()
        await second_services.close()


def test_the_lease_interval_is_a_setting_under_a_minute():
    assert Settings.from_env({}).jobs_lease_seconds == 10.0
    assert Settings.from_env({"PUMASI_JOBS_LEASE_SECONDS": "0.5"}).jobs_lease_seconds == 0.5
    for bad in ("0", "-1", "61", "soon"):
        with pytest.raises(ValueError, match="PUMASI_JOBS_LEASE_SECONDS"):
            Settings.from_env({"PUMASI_JOBS_LEASE_SECONDS": bad})
