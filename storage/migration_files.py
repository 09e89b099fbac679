"""The numbered migration scripts of an engine, in order: `storage/migrations` (SQLite) and
`storage/migrations_pg` (PostgreSQL) are numbered alike."""

from __future__ import annotations

from importlib import resources


def migrations_in(folder: str) -> list[tuple[int, str]]:
    found = []
    for entry in (resources.files("storage") / folder).iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)
