"""Backups: on demand, and daily with retention (keep N daily and M weekly copies)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from storage.backup import online_backup, pg_dump
from storage.port import is_postgres_url

SEOUL = ZoneInfo("Asia/Seoul")
_DAILY = re.compile(r"^pumasi-daily-(\d{4}-\d{2}-\d{2})\.db$")
_WEEKLY = re.compile(r"^pumasi-weekly-(\d{4}-W\d{2})\.db$")


@dataclass(frozen=True)
class RetentionPolicy:
    daily: int = 7
    weekly: int = 4


def files_to_delete(names: list[str], policy: RetentionPolicy) -> list[str]:
    """Everything but the newest `daily` daily and `weekly` weekly backups."""
    daily = sorted((n for n in names if _DAILY.match(n)), reverse=True)
    weekly = sorted((n for n in names if _WEEKLY.match(n)), reverse=True)
    return daily[policy.daily:] + weekly[policy.weekly:]


async def backup(db_path: str | Path, destination: str | Path) -> Path:
    if is_postgres_url(db_path):
        return await asyncio.to_thread(pg_dump, str(db_path), destination)
    return await asyncio.to_thread(online_backup, db_path, destination)


async def scheduled_backup(
    db_path: str | Path, folder: str | Path, now: datetime, policy: RetentionPolicy
) -> list[Path]:
    """Today's daily copy (and this ISO week's weekly one), then prune old copies."""
    return await asyncio.to_thread(_scheduled_backup, Path(db_path), Path(folder), now, policy)


def _scheduled_backup(
    db_path: Path, folder: Path, now: datetime, policy: RetentionPolicy
) -> list[Path]:
    local = now.astimezone(SEOUL)
    made = [online_backup(db_path, folder / f"pumasi-daily-{local:%Y-%m-%d}.db")]
    year, week, _ = local.isocalendar()
    weekly_path = folder / f"pumasi-weekly-{year}-W{week:02d}.db"
    if not weekly_path.exists():
        made.append(online_backup(db_path, weekly_path))
    for name in files_to_delete([p.name for p in folder.iterdir()], policy):
        (folder / name).unlink(missing_ok=True)
    return made
