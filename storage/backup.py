"""SQLite online backup: a consistent copy taken while the bot keeps writing. PostgreSQL's
own way is pg_dump (a consistent snapshot too), run here for `pumasi backup`."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path


class BackupUnavailable(Exception):
    """This engine's backup tool is missing; the message says what to do instead."""


def pg_dump(url: str, destination: str | Path) -> Path:
    """`pg_dump --format=custom` of the database into `destination` (restored with
    pg_restore), written beside it first and renamed into place."""
    tool = shutil.which("pg_dump")
    if tool is None:
        raise BackupUnavailable(
            "pg_dump is not installed here: install the PostgreSQL client (postgresql-client)"
            " or back up with your provider's snapshots, then `pg_restore` to restore")
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(destination.name + ".partial")
    temporary.unlink(missing_ok=True)
    done = subprocess.run([tool, "--format=custom", "--file", str(temporary), url],
                          capture_output=True, text=True)
    if done.returncode != 0:
        temporary.unlink(missing_ok=True)
        raise BackupUnavailable(f"pg_dump failed: {done.stderr.strip()}")
    os.replace(temporary, destination)
    return destination


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
