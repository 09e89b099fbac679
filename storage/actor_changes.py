"""Which actors a write transaction changed, told by the database itself.

Temporary triggers on this process's writer connection call back into Python for every row
of people, identities, memberships and communities that a statement inserts, deletes or
changes in a column the actor query (storage/people.py `_ACTOR`) reads. They catch every
write made through `Database.write()` — each service, every helper yet to be written, a
test's hand-written UPDATE — so no caller has to remember to invalidate anything.
`tests/core/test_actor_cache.py` fails if `_ACTOR` reads a column not listed in WATCHED.

Writes by another connection (another process, the `pumasi` command line) fire nothing
here; `Database.changed_elsewhere` notices those.

On PostgreSQL the same columns get permanent triggers (`_pg_triggers`, installed at start,
so a column added to WATCHED is watched at the next start) that note the row in a
transaction-local setting the writer reads before COMMIT (storage/postgres.py)."""

from __future__ import annotations

from collections.abc import Callable

from storage.db import Connection, Database
from storage.port import POSTGRESQL

FUNCTION = "pumasi_actor_changed"

# The columns of each table that the actor query reads, in its SELECT list or its joins.
WATCHED: dict[str, tuple[str, ...]] = {
    "people": ("id", "display_name", "username", "locale", "current_community_id",
               "last_channel", "name_confirmed"),
    "memberships": ("id", "community_id", "person_id", "number", "role", "status",
                    "credit_floor", "credit_ceiling", "oriented_at", "event_reminders",
                    "notices_muted"),
    "communities": ("id", "code", "name", "unit", "credit_floor", "credit_ceiling", "approval",
                    "open_ledger", "reminder_hours", "orientation_required"),
    "identities": ("channel", "external_id", "person_id"),
}


def _report(kind: str, row: str) -> str:
    return f"SELECT {FUNCTION}('{kind}', {row});"


def _triggers() -> list[str]:
    # (table, kind reported, what identifies it in a row, fire on insert)
    tables = (
        ("people", "person", "id", False),  # a new person has no identity yet, so no entry
        ("identities", "person", "person_id", True),
        ("memberships", "person", "person_id", True),
        ("communities", "community", "id", False),  # a new community is nobody's current one
    )
    sql = []
    for table, kind, key, on_insert in tables:
        columns = ", ".join(WATCHED[table])
        name = f"pumasi_actor_{table}"
        sql.append(f"CREATE TEMP TRIGGER IF NOT EXISTS {name}_update AFTER UPDATE OF {columns}"
                   f" ON main.{table} BEGIN {_report(kind, 'OLD.' + key)}"
                   f" {_report(kind, 'NEW.' + key)} END")
        sql.append(f"CREATE TEMP TRIGGER IF NOT EXISTS {name}_delete AFTER DELETE"
                   f" ON main.{table} BEGIN {_report(kind, 'OLD.' + key)} END")
        if on_insert:
            sql.append(f"CREATE TEMP TRIGGER IF NOT EXISTS {name}_insert AFTER INSERT"
                       f" ON main.{table} BEGIN {_report(kind, 'NEW.' + key)} END")
    return sql


# PostgreSQL: what the triggers call. The setting lives until the transaction ends.
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION pumasi_actor_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    noted TEXT := '';
BEGIN
    IF TG_OP <> 'INSERT' THEN
        noted := noted || TG_ARGV[0] || ':' || (to_jsonb(OLD) ->> TG_ARGV[1]) || ',';
    END IF;
    IF TG_OP <> 'DELETE' THEN
        noted := noted || TG_ARGV[0] || ':' || (to_jsonb(NEW) ->> TG_ARGV[1]) || ',';
    END IF;
    PERFORM set_config('pumasi.actors',
                       COALESCE(current_setting('pumasi.actors', true), '') || noted, true);
    RETURN NULL;
END $$"""


def _pg_triggers() -> list[str]:
    sql = [
        "CREATE TABLE IF NOT EXISTS pumasi_actor_version (version BIGINT NOT NULL)",
        "INSERT INTO pumasi_actor_version (version) SELECT 0"
        " WHERE NOT EXISTS (SELECT 1 FROM pumasi_actor_version)",
        _PG_FUNCTION,
    ]
    tables = (
        ("people", "person", "id", False),
        ("identities", "person", "person_id", True),
        ("memberships", "person", "person_id", True),
        ("communities", "community", "id", False),
    )
    for table, kind, key, on_insert in tables:
        columns = ", ".join(WATCHED[table])
        events = f"UPDATE OF {columns} OR DELETE" + (" OR INSERT" if on_insert else "")
        sql.append(f"CREATE OR REPLACE TRIGGER pumasi_actor_{table} AFTER {events} ON {table}"
                   f" FOR EACH ROW EXECUTE FUNCTION pumasi_actor_changed('{kind}', '{key}')")
    return sql


async def watch(
    db: Database,
    forget_person: Callable[[int], None],
    forget_community: Callable[[int], None],
) -> None:
    """Call `forget_person` / `forget_community` after every write transaction (committed or
    rolled back: forgetting too much is harmless) for each person or community it touched."""
    if getattr(db, "engine", None) == POSTGRESQL:
        await db.install(_pg_triggers())

        def forget(found: set[tuple[str, int]]) -> None:
            for kind, ident in found:
                (forget_person if kind == "person" else forget_community)(ident)

        db.on_actor_changes(forget)
        return
    touched: set[tuple[str, int]] = set()

    def report(kind: str, ident: int | None) -> None:
        # Runs on the SQLite thread while a statement executes; set.add is atomic.
        if ident is not None:
            touched.add((kind, int(ident)))

    async def prepare(conn: Connection) -> None:
        await conn.create_function(FUNCTION, 2, report)
        for statement in _triggers():
            await conn.execute(statement)

    def after_write() -> None:
        # Runs on the event loop once the transaction has ended, still under the write lock.
        while touched:
            kind, ident = touched.pop()
            if kind == "person":
                forget_person(ident)
            else:
                forget_community(ident)

    await db.instrument_writer(prepare, after_write)
