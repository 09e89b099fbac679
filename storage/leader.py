"""The jobs lease: which process runs the work that must run once (the outbox drains, the
reminders, the sweep, backups), whatever the number of bot processes on one database.

SQLite serves one process per file, so that process always holds it. On PostgreSQL it is a
session-level advisory lock (`JOBS_LOCK`) held on a connection of its own, outside the pool:
the server releases it the moment that connection ends, so a process killed with SIGKILL
(whose kernel closes its sockets) frees it at once, and a whole machine that vanishes frees
it when the server's TCP keepalives (set short on this connection) find the peer gone."""

from __future__ import annotations

import contextlib
import logging

from storage.port import POSTGRESQL

log = logging.getLogger(__name__)

# pg_advisory_lock key of the jobs lease (storage/postgres.py has the others).
JOBS_LOCK = 0x70756D63
CONNECT_SECONDS = 5.0
# The server gives up on a silent peer after idle + interval × count seconds (about 25 s).
KEEPALIVES = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5",
              "tcp_keepalives_count": "3", "application_name": "pumasi-jobs-lease"}


class JobsLease:
    """`take` tries to become the holder (never waits); `held` checks that the holder still
    is one; `release` gives it up. Each answers within `timeout` seconds."""

    def __init__(self, db: object, timeout: float = CONNECT_SECONDS) -> None:
        self.url: str | None = (getattr(db, "url", None)
                                if getattr(db, "engine", None) == POSTGRESQL else None)
        self.timeout = timeout
        self._conn = None

    @property
    def shared(self) -> bool:
        """Whether other processes may compete for it (PostgreSQL)."""
        return self.url is not None

    async def take(self) -> bool:
        if self.url is None:
            return True
        try:
            if self._conn is None or self._conn.is_closed():
                import asyncpg

                self._conn = await asyncpg.connect(self.url, timeout=self.timeout,
                                                   server_settings=KEEPALIVES)
            return bool(await self._conn.fetchval("SELECT pg_try_advisory_lock($1)",
                                                  JOBS_LOCK, timeout=self.timeout))
        except Exception as error:  # noqa: BLE001 - refused, unreachable, timed out
            log.warning("the jobs lease could not be asked for: %s", error)
            await self._drop()
            return False

    async def held(self) -> bool:
        if self.url is None:
            return True
        if self._conn is None or self._conn.is_closed():
            return False
        try:
            return bool(await self._conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                " AND pid = pg_backend_pid() AND objid = $1 AND granted)",
                JOBS_LOCK, timeout=self.timeout))
        except Exception as error:  # noqa: BLE001 - whatever it is, the lease is not sure
            log.warning("the jobs lease connection failed: %s", error)
            await self._drop()
            return False

    async def release(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            with contextlib.suppress(Exception):
                await self._conn.close(timeout=self.timeout)  # ends the session: unlocked
        await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()
