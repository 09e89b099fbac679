"""Who is talking: one person, reachable on several channels, acting in a current community."""

from __future__ import annotations

from core.actor_cache import ActorCache, Known
from core.clock import Clock
from core.errors import DomainError
from core.models import Actor, Community, Membership, Person, Row
from storage import people as people_rows
from storage.db import Database
from storage.timefmt import to_db

SUPPORTED_LOCALES = ("ko", "en")


def locale_from_language_code(language_code: str | None) -> str:
    if language_code and language_code.lower().startswith("en"):
        return "en"
    return "ko"


class PeopleService:
    def __init__(self, db: Database, clock: Clock, admins: frozenset[tuple[str, str]],
                 cache: ActorCache | None = None) -> None:
        self._db = db
        self._clock = clock
        self._admins = admins
        self.cache = cache

    async def resolve(
        self,
        channel: str,
        external_id: str,
        display_name: str,
        username: str | None = None,
        language_code: str | None = None,
    ) -> Actor:
        """Find (or on first contact create) the person, refresh their name, load context."""
        display_name = (display_name or "").strip()[:64] or external_id
        is_admin = (channel, external_id) in self._admins
        cache = self.cache
        if cache is None:
            row = await self._row(channel, external_id, display_name, username, language_code)
            return _actor_from_row(row, is_admin)
        await cache.recheck()
        key = (channel, external_id)
        known = cache.get(key)
        if known is not None and known.matches(display_name, username, channel):
            return known.actor
        epoch = cache.epoch
        row = await self._row(channel, external_id, display_name, username, language_code)
        actor = _actor_from_row(row, is_admin)
        cache.put(key, Known(actor, row["last_channel"]), epoch)
        return actor

    def forget(self, person_id: int) -> None:
        """The one call for a change to what a person's actor shows that the database
        triggers cannot see (writes through `Database.write` are seen by themselves)."""
        if self.cache is not None:
            self.cache.forget(person_id)

    async def _row(self, channel: str, external_id: str, display_name: str,
                   username: str | None, language_code: str | None) -> Row:
        async with self._db.read() as conn:
            row = await people_rows.actor_by_identity(conn, channel, external_id)
        if row is not None and row["display_name"] == display_name and (
            row["username"] == username and row["last_channel"] == channel
        ):
            return row
        async with self._db.write(records_update=False) as conn:  # idempotent housekeeping
            found = await people_rows.find_by_identity(conn, channel, external_id)
            if found is None:
                await people_rows.insert_with_identity(
                    conn,
                    channel=channel,
                    external_id=external_id,
                    display_name=display_name,
                    username=username,
                    locale=locale_from_language_code(language_code),
                    now=to_db(self._clock.now()),
                )
            else:
                await people_rows.update_profile(conn, found["id"], display_name, username,
                                                 channel)
            row = await people_rows.actor_by_identity(conn, channel, external_id)
        assert row is not None
        return row

    async def reload(self, person_id: int, *, is_admin: bool = False) -> Actor:
        async with self._db.read() as conn:
            row = await people_rows.actor_by_id(conn, person_id)
        if row is None:
            raise DomainError("member_not_found", ref=str(person_id))
        return _actor_from_row(row, is_admin)

    async def set_locale(self, person_id: int, locale: str) -> None:
        if locale not in SUPPORTED_LOCALES:
            raise DomainError("locale_unsupported", locale=locale)
        async with self._db.write() as conn:
            await people_rows.set_locale(conn, person_id, locale)

    async def addresses(self, person_id: int) -> dict[str, str]:
        async with self._db.read() as conn:
            found = await people_rows.addresses(conn, [person_id])
        return found.get(person_id, {})


def _prefixed(row: Row, prefix: str) -> dict:
    return {key[len(prefix):]: row[key] for key in row.keys() if key.startswith(prefix)}


def _actor_from_row(row: Row, is_admin: bool) -> Actor:
    community = Community.from_row(_prefixed(row, "c_")) if row["c_id"] is not None else None
    membership = Membership.from_row(_prefixed(row, "m_")) if row["m_id"] is not None else None
    return Actor(person=Person.from_row(row), community=community, membership=membership,
                 is_admin=is_admin)
