"""`pumasi health` and `/healthz`: the database opens, its migrations are current and the
ledger holds.

`pumasi health` recomputes the whole ledger (`verify`: tens of seconds at a million
transfers). `/healthz`, asked every few seconds by a load balancer or a monitor, checks only
what costs little and still catches a broken ledger: every community's balances sum to 0
(one pass over the accounts, not the transfers)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from core.verify import VerifyReport, balances_sum_to_zero, verify_ledger
from storage.backup import schema_version_of
from storage.db import Database, latest_migration
from storage.port import is_postgres_url


@dataclass
class HealthReport:
    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def check_health(db_path: str | Path, *, thorough: bool = True) -> HealthReport:
    report = HealthReport()
    postgres = is_postgres_url(db_path)
    if not postgres:
        version = await asyncio.to_thread(schema_version_of, db_path)
        if version is None:
            report.problems.append(f"database {db_path} does not exist")
            return report
        _compare_versions(report, version, latest_migration())
    db = Database.for_target(db_path)
    try:
        await db.open(migrate=False)
        if postgres:
            from storage.postgres import latest_migration as latest_pg_migration

            _compare_versions(report, await db.schema_version(), latest_pg_migration())
        ledger: VerifyReport = await (verify_ledger(db) if thorough
                                      else balances_sum_to_zero(db))
    except Exception as error:  # any failure to open or read is the answer to "healthy?"
        report.problems.append(f"database could not be read: {type(error).__name__}: {error}")
        return report
    finally:
        await db.close()
    report.facts.append(f"{ledger.communities} communities, {ledger.accounts} accounts")
    report.problems.extend(ledger.problems)
    return report


def _compare_versions(report: HealthReport, version: int, latest: int) -> None:
    report.facts.append(f"schema version {version} (latest {latest})")
    if version != latest:
        report.problems.append(f"migrations are not current: {version} of {latest}")
