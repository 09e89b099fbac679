"""One person, every channel: a one-time code made on one channel and typed on another joins
the two identities into one person, with one account per community.

- A code is 6 digits, lives 10 minutes, and a person has one live code (a new one replaces
  it). It can be used once.
- Typing a code that links nothing (wrong, expired, used) counts against the identity that
  typed it; after TRIES_PER_HOUR such tries in an hour, no code is accepted from it (not
  even a right one) until the oldest try is an hour old.
- The two people must share no channel (a person has one identity per channel, so two
  Telegram accounts are never joined) and no community: one person has one account in a
  community, and two accounts are never merged — a coordinator settles one first.
- The survivor is the person with memberships (when both or neither have some, the older
  one); everything the other owns moves over in the same write transaction, the ledger
  untouched (accounts belong to memberships; no balance changes, no transfer is rewritten).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import Clock
from storage import linking as link_rows
from storage.db import Connection, Database
from storage.people import find_by_identity
from storage.timefmt import from_db, to_db

log = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
TRIES_PER_HOUR = 5
TRY_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class LinkCode:
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class LinkResult:
    """What typing a code did.

    status: "linked"; "already" (this identity is the one the code linked); refusals that
    count as a try: "wrong", "expired", "used"; refusals that do not: "too_many" (see
    `retry_at`), "own" (the code is the person's own), "same_channel" (both have an identity
    on `channel`), "conflict" (both are in `communities`)."""

    status: str
    person_id: int | None = None
    maker: tuple[str, str] | None = None  # (channel, external id) that asked for the code
    channel: str | None = None
    communities: tuple[str, ...] = ()
    tries_left: int | None = None
    retry_at: datetime | None = None

    @property
    def linked(self) -> bool:
        return self.status == "linked"


def looks_like_code(text: str) -> bool:
    return len(text) == CODE_DIGITS and text.isascii() and text.isdigit()


class LinkService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def new_code(self, person_id: int, channel: str, external_id: str) -> LinkCode:
        """A fresh code for the person, replacing any earlier one."""
        now = self._clock.now()
        expires = now + CODE_TTL
        async with self._db.write(records_update=False) as conn:  # a second code is harmless
            while True:
                code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
                if not await link_rows.live_code_taken(conn, code, to_db(now)):
                    break
            await link_rows.put_code(conn, person_id=person_id, code=code, channel=channel,
                                     external_id=external_id, now=to_db(now),
                                     expires_at=to_db(expires))
        return LinkCode(code, expires)

    async def link(self, channel: str, external_id: str, code: str) -> LinkResult:
        """The identity (channel, external_id) typed `code`: join its person and the code's
        maker into one, in one write transaction (a redelivered message does nothing more)."""
        now = self._clock.now()
        async with self._db.write() as conn:
            tries = await link_rows.wrong_tries_since(conn, channel, external_id,
                                                      to_db(now - TRY_WINDOW))
            if len(tries) >= TRIES_PER_HOUR:
                oldest = from_db(tries[-TRIES_PER_HOUR])
                return LinkResult("too_many", retry_at=oldest + TRY_WINDOW if oldest else None)
            result = await self._link(conn, channel, external_id, code.strip(), now)
            if result.status in ("wrong", "expired", "used"):
                await link_rows.add_wrong_try(conn, channel, external_id, to_db(now),
                                              to_db(now - TRY_WINDOW))
                result = LinkResult(result.status,
                                    tries_left=TRIES_PER_HOUR - len(tries) - 1)
        if result.linked:
            log.info("linked %s:%s into person %s", channel, external_id, result.person_id)
        return result

    async def _link(self, conn: Connection, channel: str, external_id: str, code: str,
                    now: datetime) -> LinkResult:
        typist = await find_by_identity(conn, channel, external_id)
        row = await link_rows.find_code(conn, code, to_db(now)) if (
            looks_like_code(code)) else None
        if typist is None or row is None:
            return LinkResult("wrong")
        if row["used_at"] is not None:
            if (row["used_by_channel"], row["used_by_external_id"]) == (channel, external_id):
                return LinkResult("already", person_id=typist["id"])
            return LinkResult("used")
        if from_db(row["expires_at"]) <= now:
            return LinkResult("expired")
        maker = (row["channel"], row["external_id"])
        if row["person_id"] == typist["id"]:
            return LinkResult("own", maker=maker)
        shared = set(await link_rows.channels_of(conn, row["person_id"])) & set(
            await link_rows.channels_of(conn, typist["id"]))
        if shared:
            return LinkResult("same_channel", channel=sorted(shared)[0], maker=maker)
        both_in = await link_rows.shared_communities(conn, row["person_id"], typist["id"])
        if both_in:
            return LinkResult("conflict", communities=tuple(both_in), maker=maker)
        one = await link_rows.person_for_merge(conn, row["person_id"])
        other = await link_rows.person_for_merge(conn, typist["id"])
        survivor, absorbed = sorted((one, other), key=_survives_first)
        if not await link_rows.use_code(conn, row["person_id"], code, channel=channel,
                                        external_id=external_id, now=to_db(now)):
            return LinkResult("expired")  # pragma: no cover - checked above, same transaction
        await link_rows.merge(conn, survivor=survivor, absorbed=absorbed, channel=channel)
        return LinkResult("linked", person_id=survivor["id"], maker=maker)

    async def channels(self, person_id: int) -> list[str]:
        async with self._db.read() as conn:
            return await link_rows.channels_of(conn, person_id)


def _survives_first(person) -> tuple:
    """The person with memberships survives; else (or when both have some) the older one."""
    return (person["memberships"] == 0, person["created_at"], person["id"])
