"""A PostgreSQL server for the tests, found or started, and a fresh database per test.

The server: `PUMASI_TEST_POSTGRES_URL` if set; else the local Debian cluster
(`pg_ctlcluster 15 main start`, and a `pumasi_test` role made through the `postgres` account
when we are root). Without one the PostgreSQL half of the tests is skipped, saying why.

A fresh database per test: a copy of a template migrated once per run (CREATE DATABASE …
TEMPLATE) the first time, then the same database again with every table emptied and its
ids restarted (a few milliseconds, where creating or dropping a database costs a
checkpoint, about a second, and TRUNCATE a third of one)."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
from urllib.parse import urlsplit, urlunsplit

LOCAL_URL = "postgresql://pumasi_test:pumasi_test@localhost:5432/postgres"
CLUSTER = ("15", "main")

_state: dict[str, object] = {}
# Under pytest-xdist, on the controller: what each worker that asked found ({"url", "why"}).
workers_found: list[dict[str, object]] = []
_numbers = itertools.count(1)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


async def _reachable(url: str) -> str | None:
    import asyncpg

    try:
        conn = await asyncpg.connect(url, timeout=5)
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(error).__name__}: {error}"
    await conn.close()
    return None


def _start_local_cluster() -> str | None:
    """Start the Debian cluster and make the test role; None when done, else why not."""
    if shutil.which("pg_ctlcluster") is None:
        return "no PostgreSQL server installed (pg_ctlcluster not found)"
    started = subprocess.run(["pg_ctlcluster", *CLUSTER, "start"], capture_output=True,
                             text=True)
    if started.returncode not in (0, 2):  # 2: already running
        return f"pg_ctlcluster {' '.join(CLUSTER)} start failed: {started.stderr.strip()}"
    if os.geteuid() == 0:
        role = ("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pumasi_test')"
                " THEN CREATE ROLE pumasi_test LOGIN SUPERUSER PASSWORD 'pumasi_test'; END IF;"
                " END $$; ALTER ROLE pumasi_test SET synchronous_commit = off;")
        subprocess.run(["su", "postgres", "-c", "psql -q"], input=role, capture_output=True,
                       text=True)  # on standard input: no shell sees the $$
    return None


@contextlib.contextmanager
def _one_process_at_a_time():
    """A lock held across the processes of a test run (the xdist workers)."""
    import fcntl

    with open(os.path.join(tempfile.gettempdir(), "pumasi-test-postgres.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


async def server_url() -> tuple[str | None, str]:
    """(admin URL, "") when a server can be had, else (None, why not). Asked once per run."""
    if "url" in _state:
        return _state["url"], _state["why"]  # type: ignore[return-value]
    url = os.environ.get("PUMASI_TEST_POSTGRES_URL")
    why = ""
    if url:
        problem = await _reachable(url)
        if problem:
            url, why = None, f"PUMASI_TEST_POSTGRES_URL is not reachable ({problem})"
    else:
        problem = await _reachable(LOCAL_URL)
        if problem:
            # One test worker at a time: two `pg_ctlcluster start` at once make one fail.
            with _one_process_at_a_time():
                problem = await _reachable(LOCAL_URL)
                if problem:
                    problem = _start_local_cluster() or await _reachable(LOCAL_URL)
        url, why = (None, f"no PostgreSQL server ({problem})") if problem else (LOCAL_URL, "")
    _state["url"], _state["why"] = url, why
    return url, why


def skip_or_fail(why: str) -> None:
    """Without a server the PostgreSQL half is skipped, saying why; where it must run
    (`.ci/run` sets PUMASI_TEST_REQUIRE_POSTGRES=1) the test fails instead."""
    import pytest

    if os.environ.get("PUMASI_TEST_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required here but {why}", pytrace=False)
    pytest.skip(f"PostgreSQL half skipped: {why}")


async def _template(admin_url: str) -> str:
    """The name of this run's migrated template database (made on first use)."""
    name = _state.get("template")
    if name is not None:
        return name  # type: ignore[return-value]
    import asyncpg

    from storage.actor_changes import _pg_triggers
    from storage.postgres import PostgresDatabase

    name = f"pumasi_tpl_{os.getpid()}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    database = PostgresDatabase(_with_database(admin_url, name))
    await database.open()
    try:
        await database.install(_pg_triggers())
    finally:
        await database.close()
    _state["template"] = name
    return name


_KEEP = ("schema_migrations",)


async def fresh_database(admin_url: str) -> str:
    """An empty database holding the migrated schema; its URL."""
    import asyncpg

    free: list[str] = _state.setdefault("free", [])  # type: ignore[assignment]
    if free:
        return free.pop()
    template = await _template(admin_url)
    name = f"pumasi_t_{os.getpid()}_{next(_numbers)}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    finally:
        await admin.close()
    made: list[str] = _state.setdefault("made", [])  # type: ignore[assignment]
    made.append(name)
    return _with_database(admin_url, name)


async def release_database(url: str) -> None:
    """Empty the test's database and keep it for the next test."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        probe = _state.get(("probe", url))
        if probe is None:
            tables = [row[0] for row in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                if row[0] not in _KEEP]
            probe = " UNION ALL ".join(f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM {table})"
                                       for table in tables)
            _state[("probe", url)] = probe
        used = [row[0] for row in await conn.fetch(probe)]
        counted = [(row[0], row[1]) for row in await conn.fetch(
            "SELECT sequencename, start_value FROM pg_sequences WHERE schemaname = 'public'"
            " AND last_value IS NOT NULL")]
        # As replica: no trigger (transfers refuse DELETE) and no foreign key check fires.
        # setval(…, false) is what ALTER SEQUENCE … RESTART does, at a fortieth of the cost
        # (no catalog change).
        await conn.execute("SET session_replication_role = replica; "
                           + "".join(f"DELETE FROM {table}; " for table in used)
                           + "".join(f"SELECT setval('{seq}', {start}, false); "
                                     for seq, start in counted)
                           + "INSERT INTO pumasi_actor_version (version) SELECT 0 WHERE NOT"
                           " EXISTS (SELECT 1 FROM pumasi_actor_version)")
    finally:
        await conn.close()
    _state.setdefault("free", []).append(url)  # type: ignore[union-attr]


async def drop_all(admin_url: str) -> None:
    """At the end of the run: the test databases and the template."""
    import asyncpg

    names = list(_state.pop("made", []))  # type: ignore[arg-type]
    template = _state.pop("template", None)
    if template is not None:
        names.append(template)
    _state.pop("free", None)
    admin = await asyncpg.connect(admin_url)
    try:
        for name in names:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await admin.close()
