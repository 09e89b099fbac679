"""SQLite online backup: a consistent copy taken while the bot keeps writing."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def online_backup(source: str | Path, destination: str | Path) -> Path:
    """Copy the database with SQLite's backup API into a temporary file, then rename it into
    place, so a crash never leaves a half-written backup under the final name."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(destination.name + ".partial")
    temporary.unlink(missing_ok=True)
    reader = sqlite3.connect(f"file:{Path(source).resolve()}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(temporary)
        try:
            reader.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    finally:
        reader.close()
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, destination)
    return destination


def schema_version_of(path: str | Path) -> int | None:
    """The database's migration version; None if there is no database file."""
    if not Path(path).exists():
        return None
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()
    return int(row[0])
