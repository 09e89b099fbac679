from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from bot.fake_api import RejectionLog
from bot.updates import FakeUser
from core.clock import ManualClock
from core.services import Services
from tests import postgres_support
from tests.support import START, BotHarness

KIM = FakeUser(101, "김영희", "younghee")
LEE = FakeUser(102, "이철수", "chulsoo")
PARK = FakeUser(103, "박민지", "minji")
CHOI = FakeUser(104, "최수진", "sujin", language_code="en")


@pytest.fixture(autouse=True)
def no_database_left_open(request):
    """A database connection a test leaves open keeps its aiosqlite thread alive, and the
    test run then never exits (CI would wait until it is killed): fail the test that did it."""
    before = {thread.ident for thread in threading.enumerate()}
    yield
    deadline = time.monotonic() + 2.0
    while True:
        left = [thread for thread in threading.enumerate()
                if thread.ident not in before and thread.is_alive()
                and "_connection_worker_thread" in thread.name]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    if left:
        pytest.fail(f"{len(left)} database connection(s) left open: stop every harness and "
                    "close every Services the test opened", pytrace=False)


@pytest.fixture(autouse=True)
def telegram_refuses_nothing(monkeypatch):
    """A call Telegram would refuse fails the test that made it, unless the test took it with
    `api.acknowledge_rejections()`: the bot swallows a handler's BadRequest into its log, so
    without this a reply that never reached the member could pass unnoticed. Every stand-in
    for Telegram (the fake Bot API, the HTTP emulator) keeps a RejectionLog."""
    created: list[RejectionLog] = []
    original_init = RejectionLog.__init__

    def tracked_init(self) -> None:
        original_init(self)
        created.append(self)

    monkeypatch.setattr(RejectionLog, "__init__", tracked_init)
    yield
    refused = [f"{rejection.call.method} → {rejection.description}\n"
               f"    {str(rejection.call.params)[:300]}"
               for api in created for rejection in api.unacknowledged_rejections()]
    if refused:
        pytest.fail("Telegram would refuse what the bot sent:\n" + "\n".join(refused),
                    pytrace=False)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


# Test files (or folders, ending in /) that run on both engines: each of their tests that
# uses a database through `db_target` (`services` and the harnesses do) runs once on SQLite
# and once on PostgreSQL, except a test marked `sqlite_only` (it is about SQLite itself).
# Widen this as more of the code speaks both dialects; in the end it is every file.
BOTH_ENGINES = (
    "tests/storage/",
    "tests/core/",
    "tests/conversation/",
    "tests/handlers/",
    "tests/bot/",
    "tests/reliability/test_duplicate_delivery.py",
)


def _runs_on_both(path: str) -> bool:
    if os.environ.get("PUMASI_TEST_ENGINES") == "both":  # to see what PostgreSQL lacks yet
        return True
    return any(path == entry or (entry.endswith("/") and path.startswith(entry))
               for entry in BOTH_ENGINES)


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: a test of SQLite itself (one engine)")
    config.addinivalue_line("markers", "postgres_only: a test of PostgreSQL itself")


# The tests run on two pytest-xdist workers (`-n 2 --dist loadgroup` in pyproject.toml).
# These start processes, kill them and time them: they run one after another on one worker,
# as they always did, first of all, so that the lighter tests fill the other core meanwhile
# instead of the slowest ones coming last and running alone.
SERIAL_FIRST = "tests/reliability/"


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the items
def pytest_collection_modifyitems(config, items):
    def serial(item) -> bool:
        path = item.path.relative_to(config.rootpath).as_posix()
        return path.startswith(SERIAL_FIRST)

    for item in items:
        if serial(item):
            item.add_marker(pytest.mark.xdist_group("reliability"))
    items.sort(key=lambda item: not serial(item))  # stable: each part keeps its order


def pytest_generate_tests(metafunc):
    if "engine" not in metafunc.fixturenames:
        return
    path = metafunc.definition.path.relative_to(metafunc.config.rootpath).as_posix()
    if metafunc.definition.get_closest_marker("postgres_only") is not None:
        metafunc.parametrize("engine", ["postgresql"], indirect=True)
    elif _runs_on_both(path) and metafunc.definition.get_closest_marker("sqlite_only") is None:
        metafunc.parametrize("engine", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def engine(request) -> str:
    return getattr(request, "param", "sqlite")


_sqlite_template: list[Path] = []


async def _migrated_sqlite_file(tmp_path_factory) -> Path:
    """A SQLite file holding the migrated schema, made once per process: migrating costs
    about 30 ms, copying the file well under one (the PostgreSQL half does the same)."""
    if not _sqlite_template:
        from storage.db import Database

        path = tmp_path_factory.mktemp("sqlite_template") / "core.db"
        database = await Database.open_url(path)
        await database.close()
        # The last connection closed has folded the write-ahead log into the file.
        assert not path.with_name("core.db-wal").exists()
        _sqlite_template.append(path)
    return _sqlite_template[0]


@pytest.fixture
async def db_target(engine, tmp_path, tmp_path_factory):
    """Where the test's database is: a SQLite file (holding the migrated schema), or a fresh
    PostgreSQL database (skipped, saying why, when no PostgreSQL server can be had)."""
    if engine == "sqlite":
        path = tmp_path / "core.db"
        shutil.copyfile(await _migrated_sqlite_file(tmp_path_factory), path)
        yield path
        return
    admin, why = await postgres_support.server_url()
    if admin is None:
        postgres_support.skip_or_fail(why)
    url = await postgres_support.fresh_database(admin)
    yield url
    await postgres_support.release_database(url)


@pytest.fixture
async def services(db_target, clock):
    opened = await Services.open(db_target, clock=clock,
                                 admins=frozenset({("telegram", "900")}))
    yield opened
    await opened.close()


@pytest.fixture
async def harness(db_target, clock):
    started = await BotHarness.start(db_target, clock)
    yield started
    await started.stop()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """A connection a test left open (that test has failed for it) would keep the process
    alive forever after the summary: end it with the run's own exit status instead."""
    if any("_connection_worker_thread" in thread.name and thread.is_alive()
           for thread in threading.enumerate()):
        import os
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(getattr(config, "_pumasi_exitstatus", 1)))


def pytest_sessionfinish(session, exitstatus):
    session.config._pumasi_exitstatus = exitstatus
    admin = postgres_support._state.get("url")
    if admin is not None and "template" in postgres_support._state:
        import asyncio

        asyncio.run(postgres_support.drop_all(admin))
    if hasattr(session.config, "workeroutput") and "url" in postgres_support._state:
        # An xdist worker: tell the controller, which prints the summary, what it found.
        session.config.workeroutput["pumasi_postgres"] = {
            "url": postgres_support._state["url"], "why": postgres_support._state["why"]}


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, on the controller
def pytest_testnodedown(node, error):
    found = getattr(node, "workeroutput", {}).get("pumasi_postgres")
    if found is not None:
        postgres_support.workers_found.append(found)


def pytest_report_header(config):
    return "PostgreSQL half: " + ", ".join(BOTH_ENGINES) + " (skipped without a server)"


_summaries: list[str] = []


def pytest_runtest_logreport(report):
    """What a long test measured (`record_property("summary", text)`), kept for the end of
    the run: under xdist a test's own output never reaches the terminal, its report does."""
    if report.when == "call":
        _summaries.extend(value for name, value in report.user_properties if name == "summary")


def pytest_terminal_summary(terminalreporter):
    for line in _summaries:
        terminalreporter.write_line(line)
    # What this process found, or (under xdist) what each worker that asked found.
    found = list(postgres_support.workers_found)
    if "url" in postgres_support._state:
        found.append({"url": postgres_support._state["url"],
                      "why": postgres_support._state["why"]})
    if not found:
        return  # no test asked for PostgreSQL
    skipped = [entry for entry in found if entry["url"] is None]
    if skipped:
        terminalreporter.write_line(f"PostgreSQL half SKIPPED: {skipped[0]['why']}. Start the"
                                    " local cluster (pg_ctlcluster 15 main start) or set"
                                    " PUMASI_TEST_POSTGRES_URL.", yellow=True, bold=True)
    else:
        terminalreporter.write_line("PostgreSQL half ran on " + str(found[0]["url"]).split(
            "@")[-1])
