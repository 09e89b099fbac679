"""Timestamps are stored as UTC text that sorts in time order."""

from __future__ import annotations

from datetime import UTC, datetime

_FORMAT = "%Y-%m-%d %H:%M:%S"


def to_db(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; pass an aware one")
    return moment.astimezone(UTC).strftime(_FORMAT)


def from_db(text: str | None) -> datetime | None:
    if text is None:
        return None
    # fromisoformat reads exactly this format, in C: a tenth of strptime's time (a /history
    # page parses ten of them).
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
