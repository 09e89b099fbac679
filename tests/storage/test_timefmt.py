"""Stored timestamps read back exactly as strptime read them, and round-trip."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from storage.timefmt import from_db, to_db


def test_from_db_reads_what_to_db_wrote_exactly_as_strptime_did():
    rng = random.Random(11)
    start = datetime(1999, 1, 1, tzinfo=UTC)
    for _ in range(5000):
        moment = start + timedelta(seconds=rng.randrange(0, 60 * 365 * 24 * 3600))
        text = to_db(moment)
        expected = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        assert from_db(text) == expected == moment
        assert from_db(text).tzinfo is UTC
    assert from_db(None) is None
