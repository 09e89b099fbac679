"""Every column that names a person is accounted for when two people are joined: a migration
that adds one must say whether it follows the person, ends with them, or stays history."""

from __future__ import annotations

from storage.linking import DROPPED, KEPT, MOVED


async def test_every_reference_to_a_person_has_a_rule_for_linking(services):
    async with services.db.read() as conn:
        tables = [row[0] for row in await conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = set()
        for table in tables:
            for key in await conn.execute_fetchall(f"PRAGMA foreign_key_list({table})"):
                if key["table"] == "people":
                    found.add((table, key["from"]))
    assert found == set(MOVED) | set(DROPPED) | set(KEPT)
