"""A fresh PostgreSQL database for the command-line tests, which run `pumasi` commands
synchronously (each its own event loop)."""

from __future__ import annotations

import asyncio

import pytest

from tests import postgres_support


@pytest.fixture
def pg_url():
    admin, why = asyncio.run(postgres_support.server_url())
    if admin is None:
        postgres_support.skip_or_fail(why)
    url = asyncio.run(postgres_support.fresh_database(admin))
    yield url
    asyncio.run(postgres_support.release_database(url))
