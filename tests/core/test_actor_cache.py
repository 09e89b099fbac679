"""The actor cache never shows a change late within this process: after every kind of write
that affects what an actor shows, the next resolve equals a fresh load from the database.
A write by another process is seen within the recheck interval."""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from core.actor_cache import ActorCache, Known
from core.events import EventDraft
from core.models import Actor, Person
from core.people import PeopleService
from core.services import Services
from storage import people as people_rows
from storage.actor_changes import WATCHED
from tests.support import seed_community

ADMIN_ID = "900"


WATCHED_USERS = ("101", "102", "103", "150", ADMIN_ID)


@dataclass
class World:
    services: Services
    clock: object
    kim: Actor  # coordinator of mapo, #1
    lee: Actor  # member of mapo, #2
    park: Actor  # member of mapo, #3
    before: dict[str, Actor] | None = None

    async def checkpoint(self) -> None:
        """Cache everyone's actor as it is now: what the change is compared with."""
        for user_id in WATCHED_USERS:  # a resolve that writes (first contact) stores nothing
            await self.actor(user_id)
        self.before = {user_id: await self.actor(user_id) for user_id in WATCHED_USERS}
        assert len(self.services.people.cache) == len(WATCHED_USERS)

    async def actor(self, user_id: str) -> Actor:
        return await self.services.people.resolve("telegram", user_id, *_names(user_id))

    async def fresh(self, user_id: str) -> Actor:
        """The same identity loaded from the database with no cache at all."""
        services = self.services
        uncached = PeopleService(services.db, services.clock, frozenset({("telegram", ADMIN_ID)}))
        return await uncached.resolve("telegram", user_id, *_names(user_id))


def _names(user_id: str) -> tuple[str, str]:
    return f"회원{user_id}", f"user{user_id}"


async def _world(services, clock) -> World:
    kim, lee, park = await seed_community(services, members=3)
    return World(services, clock, kim, lee, park)


# Each change returns the Telegram id of the person whose actor it changes; `prepare` (run
# before that person's actor is cached) sets the stage.
Change = Callable[[World], Awaitable[str]]


async def _applicant(w: World, approval: str = "coordinator") -> Actor:
    async with w.services.db.write() as conn:
        await conn.execute("UPDATE communities SET approval = ? WHERE code = 'mapo'",
                           (approval,))
    return await w.actor("150")


async def join_auto(w: World) -> str:
    await w.services.membership.join(await w.actor("150"), "mapo")
    return "150"


async def join_pending(w: World) -> str:
    applicant = await _applicant(w)
    await w.services.membership.join(applicant, "mapo")
    return "150"


async def _pending(w: World) -> int:
    applicant = await _applicant(w)
    result = await w.services.membership.join(applicant, "mapo")
    await w.checkpoint()  # cached as pending
    return result.member.membership_id


async def approve(w: World) -> str:
    await w.services.membership.decide(w.kim, await _pending(w), True)
    return "150"


async def reject(w: World) -> str:
    await w.services.membership.decide(w.kim, await _pending(w), False)
    return "150"


async def suspend(w: World) -> str:
    await w.services.membership.set_member_status(w.kim, 2, "suspended", "테스트 정지")
    return "102"


async def reactivate(w: World) -> str:
    await w.services.membership.set_member_status(w.kim, 2, "suspended", "테스트 정지")
    await w.checkpoint()
    await w.services.membership.set_member_status(w.kim, 2, "active", "다시 활동")
    return "102"


async def promote(w: World) -> str:
    await w.services.membership.promote(w.kim, 2)
    return "102"


async def appoint_by_command_line(w: World) -> str:
    await w.services.membership.add_coordinator(code="mapo", channel="telegram",
                                                external_id="102")
    return "102"


async def set_locale(w: World) -> str:
    await w.services.people.set_locale(w.lee.person.id, "en")
    return "102"


async def switch(w: World) -> str:
    await seed_community(w.services, "gangnam", members=1, first_user_id=201)
    await w.services.membership.join(w.lee, "gangnam")  # now current: gangnam
    lee = await w.actor("102")
    mine = await w.services.membership.my_communities(lee)
    mapo = next(m for m in mine if m.code == "mapo")
    await w.checkpoint()
    await w.services.membership.switch(lee, mapo.community_id)
    return "102"


async def join_second_community(w: World) -> str:
    await seed_community(w.services, "gangnam", members=1, first_user_id=201)
    await w.services.membership.join(w.lee, "gangnam")
    return "102"


async def limits(w: World) -> str:
    await w.services.membership.set_member_limits(w.kim, 2, credit_floor=-1000,
                                                  credit_ceiling=5000, reason="한도 조정")
    return "102"


async def attend_orientation(w: World) -> str:
    start = w.clock.now() + timedelta(hours=2)
    view = await w.services.events.create(w.kim, EventDraft(
        kind="study", title="오리엔테이션", starts_at=start, ends_at=start + timedelta(hours=1),
        is_orientation=True))
    await w.services.events.sign_up(w.lee, view.event.id)
    await w.checkpoint()
    w.clock.advance(timedelta(hours=2))
    await w.services.events.check_in_member(w.kim, view.event.id, w.lee.membership.id)
    return "102"


async def mute_notices(w: World) -> str:
    await w.services.notices.set_muted(w.lee, True)
    return "102"


async def reminders_off(w: World) -> str:
    await w.services.events.set_reminders(w.lee, False)
    return "102"


async def change_code(w: World) -> str:
    await w.services.membership.change_code(w.kim, w.kim.community.id, expected_code="mapo",
                                            new_code="mapo-new")
    return "103"  # a member who did nothing sees the community's new code


async def create_community_as_admin(w: World) -> str:
    admin = await w.actor(ADMIN_ID)
    await w.services.membership.create_community(code="jongno", name="종로", actor=admin)
    return ADMIN_ID


async def community_setting_by_hand(w: World) -> str:
    """Any future code path that writes a community through Database.write."""
    async with w.services.db.write() as conn:
        await conn.execute("UPDATE communities SET open_ledger = 1, credit_floor = -5000")
    return "103"


async def identity_linked_elsewhere(w: World) -> str:
    """Linking: this Telegram identity now belongs to another person (박민지)."""
    async with w.services.db.write() as conn:
        await conn.execute("UPDATE identities SET person_id = ? WHERE external_id = '102'",
                           (w.park.person.id,))
    return "102"


async def membership_erased(w: World) -> str:
    async with w.services.db.write() as conn:
        await conn.execute("UPDATE people SET current_community_id = NULL WHERE id = ?",
                           (w.lee.person.id,))
        await conn.execute("DELETE FROM accounts WHERE membership_id = ?",
                           (w.lee.membership.id,))
        await conn.execute("DELETE FROM memberships WHERE id = ?", (w.lee.membership.id,))
    return "102"


CHANGES: list[Change] = [
    join_auto, join_pending, approve, reject, suspend, reactivate, promote,
    appoint_by_command_line, set_locale, switch, join_second_community, limits,
    attend_orientation, mute_notices, reminders_off, change_code, create_community_as_admin,
    community_setting_by_hand, identity_linked_elsewhere, membership_erased,
]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
async def test_next_resolve_after_every_change_equals_a_fresh_load(services, clock, change):
    w = await _world(services, clock)
    await w.checkpoint()
    changed = await change(w)
    after = await w.actor(changed)
    assert after == await w.fresh(changed)
    assert after != w.before[changed], "the change must show, or this proves nothing"
    for user_id in WATCHED_USERS:  # and nobody else is left showing something stale
        assert await w.actor(user_id) == await w.fresh(user_id)


async def test_the_cache_serves_repeat_updates_without_the_database(services, clock,
                                                                   monkeypatch):
    w = await _world(services, clock)
    services.people.cache.monotonic = lambda: 0.0  # no look for other processes' writes
    await w.actor("102")
    first = await w.actor("102")

    def no_reads():
        raise AssertionError("resolve read the database")

    monkeypatch.setattr(services.db, "read", no_reads)
    monkeypatch.setattr(services.db, "write", no_reads)
    assert await w.actor("102") == first


async def test_a_new_name_in_the_update_is_stored_and_shown(services, clock):
    w = await _world(services, clock)
    await w.actor("102")
    renamed = await services.people.resolve("telegram", "102", "이철수", "chulsoo")
    assert (renamed.person.display_name, renamed.person.username) == ("이철수", "chulsoo")
    again = await services.people.resolve("telegram", "102", "이철수", "chulsoo")
    assert again == renamed == await PeopleService(services.db, clock, frozenset()).reload(
        w.lee.person.id)


async def test_promotion_and_suspension_apply_on_the_very_next_update(harness):
    """Roles are never served stale: the coordinator's command changes what the member may
    do on the member's very next update."""
    from tests.conftest import KIM, LEE

    services = harness.services
    await services.membership.create_community(code="mapo", name="마포 품앗이",
                                               approval="auto", credit_floor=-300_000)
    await services.membership.add_coordinator(code="mapo", channel="telegram",
                                              external_id=str(KIM.id))
    await harness.join(KIM, "mapo")
    await harness.join(LEE, "mapo")
    await harness.send(LEE, "/members")
    await harness.send(LEE, "/members")
    assert services.people.cache.hits > 0
    assert "운영위원만" in harness.last_message_to(LEE).text  # only coordinators may
    await harness.send(KIM, "/promote 2")
    await harness.send(LEE, "/members")
    assert "#2" in harness.last_message_to(LEE).text  # the member list itself
    await harness.send(KIM, "/suspend 2 규칙 위반")
    await harness.send(LEE, "/pay #1 100")
    assert "정지" in harness.last_message_to(LEE).text
    assert not harness.api.sent_to(LEE.id)[-1].buttons  # no Confirm to tap


async def test_a_write_by_another_process_is_seen_within_the_recheck_interval(
        services, clock, db_target):
    w = await _world(services, clock)
    cache = services.people.cache
    now = [cache.monotonic() + 60]
    cache.monotonic = lambda: now[0]
    assert (await w.actor("102")).membership.role == "member"  # cached, and looked once
    other = await Services.open(db_target, clock=clock)  # a second process
    try:
        kim = await other.people.reload(w.kim.person.id)
        await other.membership.promote(kim, 2)
    finally:
        await other.close()
    if cache.recheck_seconds == 0:  # PostgreSQL: looked for on every update, seen at once
        assert (await w.actor("102")).membership.role == "coordinator"
        return
    now[0] += cache.recheck_seconds / 2
    assert (await w.actor("102")).membership.role == "member"  # not seen yet: documented
    now[0] += cache.recheck_seconds
    assert (await w.actor("102")).membership.role == "coordinator"
    assert await w.actor("102") == await w.fresh("102")


async def test_own_writes_do_not_count_as_another_process(services, clock):
    w = await _world(services, clock)
    cache = services.people.cache
    now = [cache.monotonic() + 60]
    cache.monotonic = lambda: now[0]
    await w.actor("102")
    await w.actor("103")
    await services.notices.set_muted(w.lee, True)  # our own write: forgets 이철수 only
    now[0] += 2 * cache.recheck_seconds
    hits = cache.hits
    await w.actor("103")
    assert cache.hits == hits + 1


def test_the_watched_columns_cover_everything_the_actor_query_reads():
    """Add a column to the actor query without watching it, and this fails."""
    tables = {"p": "people", "c": "communities", "m": "memberships", "i": "identities"}
    source = people_rows._ACTOR + "\n" + inspect.getsource(people_rows.actor_by_identity)
    read = {(tables[alias], column)
            for alias, column in re.findall(r"\b([pcmi])\.(\w+)", source) if column != "*"}
    assert read, "the actor query was not found"
    missing = {(table, column) for table, column in read if column not in WATCHED[table]}
    assert not missing


def _known(person_id: int, community_id: int | None = None) -> Known:
    from core.models import Community

    community = None
    if community_id is not None:
        community = Community(community_id, "c", "c", "문", 0, 0, "auto", False)
    return Known(Actor(Person(person_id, "x", None, "ko", community_id), community, None),
                 "telegram")


def test_the_cache_is_bounded_and_drops_the_least_recently_used():
    cache = ActorCache(capacity=3)
    for n in range(1, 4):
        cache.put(("telegram", str(n)), _known(n), cache.epoch)
    cache.get(("telegram", "1"))  # used: now the newest
    cache.put(("telegram", "4"), _known(4), cache.epoch)
    assert len(cache) == 3
    assert cache.get(("telegram", "2")) is None
    assert cache.get(("telegram", "1")) is not None
    cache.forget(1)
    assert cache.get(("telegram", "1")) is None and len(cache) == 2


def test_a_read_that_raced_with_a_change_is_not_stored():
    cache = ActorCache()
    epoch = cache.epoch  # a resolve starts reading …
    cache.forget(7)  # … a write about anyone commits meanwhile …
    cache.put(("telegram", "7"), _known(7), epoch)  # … so what it read may be old
    assert cache.get(("telegram", "7")) is None


def test_a_community_change_drops_exactly_its_members():
    cache = ActorCache()
    cache.put(("telegram", "1"), _known(1, community_id=10), cache.epoch)
    cache.put(("telegram", "2"), _known(2, community_id=20), cache.epoch)
    cache.forget_community(10)
    assert cache.get(("telegram", "1")) is None
    assert cache.get(("telegram", "2")) is not None
