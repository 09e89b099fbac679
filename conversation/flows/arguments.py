"""What the coordinators' commands share: a member written as #23, and a reason required."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from conversation.turn import Turn
from core.errors import DomainError

T = TypeVar("T")


def member_number(text: str) -> int:
    """`#23` or `23`; anything else is refused with the way to write it."""
    value = (text or "").lstrip("#")
    if not value.isdigit() or len(value) > 9:
        raise DomainError("member_ref_invalid", ref=text)
    return int(value)


async def with_reason(turn: Turn, usage: str, change: Awaitable[T]) -> T | None:
    """What `change` returns; None, after showing `usage`, when the reason is missing or too
    short (the core refuses with `reason_required`)."""
    try:
        return await change
    except DomainError as error:
        if error.code != "reason_required":
            raise
        await turn.reply(turn.tr("Please add a reason, so others can see why.") + "\n" + usage)
        return None
