"""`pumasi migrate-to-postgres`: copy a SQLite database into PostgreSQL and prove the copy
(the same rows in every table, the same balance on every account, verify passing on both)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.verify import verify_ledger
from storage import verify as verify_rows
from storage.copy_to_postgres import CopyRefused, copy_database
from storage.db import Database

__all__ = ["CopyRefused", "MigrationReport", "migrate_to_postgres"]


@dataclass
class MigrationReport:
    rows: dict[str, int] = field(default_factory=dict)
    accounts: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def migrate_to_postgres(source: str | Path, url: str) -> MigrationReport:
    copied = await copy_database(source, url)
    report = MigrationReport(rows=copied.rows)
    balances = {}
    for name, target in (("SQLite", source), ("PostgreSQL", url)):
        db = await Database.open_url(target, migrate=False)
        try:
            checked = await verify_ledger(db)
            report.problems += [f"{name}: {problem}" for problem in checked.problems]
            async with db.snapshot() as conn:
                balances[name] = await verify_rows.account_balances(conn)
                for table, count in copied.rows.items():
                    found = await verify_rows.row_count(conn, table)
                    if found != count:
                        report.problems.append(
                            f"{name}: {table} holds {found} rows, {count} were copied")
        finally:
            await db.close()
    report.accounts = len(balances["SQLite"])
    if balances["SQLite"] != balances["PostgreSQL"]:
        differ = [a for a, b in zip(balances["SQLite"], balances["PostgreSQL"], strict=False)
                  if a != b]
        report.problems.append(f"balances differ after the copy: {differ[:5]}")
    return report
