"""Every column that names a person is accounted for when two people are joined: a migration
that adds one must say whether it follows the person, ends with them, or stays history."""

from __future__ import annotations

from storage.linking import DROPPED, KEPT, MOVED
from storage.port import POSTGRESQL, dialect


async def test_every_reference_to_a_person_has_a_rule_for_linking(services):
    async with services.db.read() as conn:
        found = set(await references_to_people(conn))
    assert found == set(MOVED) | set(DROPPED) | set(KEPT)


async def references_to_people(conn) -> list[tuple[str, str]]:
    """(table, column) of every foreign key to people, as the engine's catalog has them."""
    if dialect(conn) == POSTGRESQL:
        rows = await conn.execute_fetchall(
            "SELECT kcu.table_name, kcu.column_name"
            " FROM information_schema.referential_constraints rc"
            " JOIN information_schema.key_column_usage kcu"
            "  ON kcu.constraint_name = rc.constraint_name"
            " JOIN information_schema.constraint_column_usage ccu"
            "  ON ccu.constraint_name = rc.unique_constraint_name"
            " WHERE ccu.table_name = 'people'")
        return [(row[0], row[1]) for row in rows]
    tables = [row[0] for row in await conn.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table'")]
    found = []
    for table in tables:
        for key in await conn.execute_fetchall(f"PRAGMA foreign_key_list({table})"):
            if key["table"] == "people":
                found.append((table, key["from"]))
    return found
