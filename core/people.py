"""Who is talking: one person, reachable on several channels, acting in a current community."""

from __future__ import annotations

from core.actor_cache import ActorCache, Known
from core.clock import Clock
from core.dialogs import Dialog
from core.dialogs import finish as finish_dialog
from core.errors import DomainError
from core.models import Actor, Community, Membership, Person, Row
from storage import people as people_rows
from storage.db import Database
from storage.timefmt import to_db

SUPPORTED_LOCALES = ("ko", "en")
# Channels that give no name a member would recognise (KakaoTalk sends only a user key): a
# person first met there is asked for one before joining a community, and what the channel
# passes as a name never overwrites the one they gave.
NAMELESS_CHANNELS = frozenset({"kakao"})
# Channels with @usernames ("/pay @name"); the others leave a person's username alone.
USERNAME_CHANNELS = frozenset({"telegram"})
NAME_MAX = 30


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
        if known is not None and known.matches(
                display_name, username, channel, names=channel not in NAMELESS_CHANNELS,
                usernames=channel in USERNAME_CHANNELS):
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
        names = channel not in NAMELESS_CHANNELS
        usernames = channel in USERNAME_CHANNELS
        async with self._db.read() as conn:
            row = await people_rows.actor_by_identity(conn, channel, external_id)
        if row is not None and row["last_channel"] == channel and (
            not names or row["display_name"] == display_name) and (
            not usernames or row["username"] == username
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
                    name_confirmed=names,
                )
            else:
                await people_rows.update_profile(
                    conn, found["id"], display_name if names else None,
                    username if usernames else None, channel, keep_username=not usernames)
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

    async def set_name(self, person_id: int, name: str, *,
                       finishing: Dialog | None = None) -> str:
        """The name other members see, chosen by the person; with `finishing`, the dialog
        that asked for it ends in the same transaction (a second answer changes nothing)."""
        name = clean_name(name)
        async with self._db.write() as conn:
            if finishing is not None:
                await finish_dialog(conn, person_id, finishing)
            await people_rows.set_name(conn, person_id, name)
        return name

    async def set_notify_channel(self, person_id: int, channel: str | None) -> None:
        """Where notifications go: one of the person's channels, or None for the one they
        used last."""
        async with self._db.write() as conn:
            if channel is not None and channel not in (
                    await people_rows.addresses(conn, [person_id]))[person_id]:
                raise DomainError("notify_channel_unknown")
            await people_rows.set_notify_channel(conn, person_id, channel)

    async def notify_choice(self, person_id: int) -> tuple[str | None, str | None]:
        """The channel the person chose for notifications (None: the one used last), and the
        one they used last."""
        async with self._db.read() as conn:
            row = await people_rows.get(conn, person_id)
        return (row["notify_channel"], row["last_channel"]) if row else (None, None)

    async def addresses(self, person_id: int) -> dict[str, str]:
        async with self._db.read() as conn:
            found = await people_rows.addresses(conn, [person_id])
        return found.get(person_id, {})


def clean_name(text: str) -> str:
    """A name as members will see it: one line, trimmed, not a member reference (#23, @id)
    or a command; refused with `name_invalid` otherwise."""
    name = " ".join((text or "").split())
    if not name or len(name) > NAME_MAX or name[0] in "/#@" or name.isdigit():
        raise DomainError("name_invalid", maximum=NAME_MAX)
    return name


def _prefixed(row: Row, prefix: str) -> dict:
    return {key[len(prefix):]: row[key] for key in row.keys() if key.startswith(prefix)}


def _actor_from_row(row: Row, is_admin: bool) -> Actor:
    community = Community.from_row(_prefixed(row, "c_")) if row["c_id"] is not None else None
    membership = Membership.from_row(_prefixed(row, "m_")) if row["m_id"] is not None else None
    return Actor(person=Person.from_row(row), community=community, membership=membership,
                 is_admin=is_admin)
