"""Who is talking, remembered: the actor of each (channel, external id), so that an update
does not need a database round trip before its flow can start.

Exactness within this process. The database tells us what changed:
`storage.actor_changes` puts temporary triggers on the writer connection that report every
person and community whose actor row a write transaction touched (join, approval,
suspension, role, limits, language, current community, orientation, mute, reminders, code,
a linked or erased identity — whatever code path made the change), and their entries are
forgotten as soon as that transaction ends, before the next write can start and before
the writing flow answers. So a promotion or a suspension takes effect on the very next
update. A read that raced with a write is not stored: every forget bumps `epoch`, and an
entry read under an older epoch is dropped (`put`). `forget(person_id)` is also the one
call for anything that changes what an actor shows without writing those tables.

Other processes. A commit by another connection fires none of our triggers. Every
`recheck_seconds` (1 s), the next resolve asks SQLite whether any other connection has
committed (`Database.changed_elsewhere`, PRAGMA data_version: one short round trip) and,
if so, forgets everything. So an operator's `pumasi coordinator add` run beside the bot,
or a second bot process on the same SQLite file, is seen within about a second — never
served indefinitely, but not on the very next update either.

Several bot processes on PostgreSQL (the PostgreSQL issue) keep this shape: the same
per-table triggers become permanent PL/pgSQL triggers that `pg_notify('actor_changed',
'person:<id>' | 'community:<id>')` — delivered at commit, to every process, including the
writer's own — and each process LISTENs on a dedicated connection and calls
`forget` / `forget_community`. Whenever that connection drops, notifications may have been
missed, so the process forgets everything and re-LISTENs before serving from the cache
again; `recheck` then becomes "is the listener connected", not a round trip.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.models import Actor

Key = tuple[str, str]  # (channel, external id)

DEFAULT_CAPACITY = 10_000
DEFAULT_RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class Known:
    """An actor as the database had it, with what `resolve` compares against the update."""

    actor: Actor
    last_channel: str | None

    def matches(self, display_name: str, username: str | None, channel: str, *,
                names: bool = True, usernames: bool = True) -> bool:
        """Whether `resolve` would write nothing: a channel that gives no names (KakaoTalk)
        or no usernames never changes them, so they are not compared for it."""
        person = self.actor.person
        return ((not names or person.display_name == display_name)
                and (not usernames or person.username == username)
                and self.last_channel == channel)


class ActorCache:
    """A bounded LRU map from identity to actor, with exact invalidation by person and by
    community (see the module docstring)."""

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        *,
        changed_elsewhere: Callable[[], Awaitable[bool]] | None = None,
        recheck_seconds: float = DEFAULT_RECHECK_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.recheck_seconds = recheck_seconds
        self._changed_elsewhere = changed_elsewhere
        self.monotonic = monotonic
        self._checked_at: float | None = None
        self._entries: OrderedDict[Key, Known] = OrderedDict()
        self._by_person: dict[int, set[Key]] = {}
        self._by_community: dict[int, set[Key]] = {}
        self.epoch = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    async def recheck(self) -> None:
        """Forget everything if another process has written since the last look (at most
        one look every `recheck_seconds`)."""
        if self._changed_elsewhere is None:
            return
        now = self.monotonic()
        if self._checked_at is not None and now - self._checked_at < self.recheck_seconds:
            return
        self._checked_at = now
        if await self._changed_elsewhere():
            self.clear()

    def get(self, key: Key) -> Known | None:
        known = self._entries.get(key)
        if known is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return known

    def put(self, key: Key, known: Known, epoch: int) -> None:
        """Remember `known`, read while `self.epoch` was `epoch`, unless something was
        forgotten since: the read may then predate that change."""
        if epoch != self.epoch:
            return
        self._drop(key)
        self._entries[key] = known
        self._by_person.setdefault(known.actor.person.id, set()).add(key)
        if known.actor.community is not None:
            self._by_community.setdefault(known.actor.community.id, set()).add(key)
        while len(self._entries) > self.capacity:
            self._drop(next(iter(self._entries)))

    def forget(self, person_id: int) -> None:
        """Drop every identity of this person (their actor row changed)."""
        self.epoch += 1
        for key in list(self._by_person.get(person_id, ())):
            self._drop(key)

    def forget_community(self, community_id: int) -> None:
        """Drop everyone acting in this community (its settings changed)."""
        self.epoch += 1
        for key in list(self._by_community.get(community_id, ())):
            self._drop(key)

    def clear(self) -> None:
        self.epoch += 1
        self._entries.clear()
        self._by_person.clear()
        self._by_community.clear()

    def _drop(self, key: Key) -> None:
        known = self._entries.pop(key, None)
        if known is None:
            return
        _unindex(self._by_person, known.actor.person.id, key)
        if known.actor.community is not None:
            _unindex(self._by_community, known.actor.community.id, key)


def _unindex(index: dict[int, set[Key]], ident: int, key: Key) -> None:
    keys = index.get(ident)
    if keys is not None:
        keys.discard(key)
        if not keys:
            del index[ident]
