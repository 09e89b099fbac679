"""A small world for the directory and relay scenarios: 마포 (김영희 #1 coordinator, 이철수 #2,
박민지 #3) and 강남 (최수진 #1 coordinator)."""

from __future__ import annotations

from bot.updates import FakeUser
from tests.conftest import CHOI, KIM, LEE, PARK


async def world(harness) -> None:
    services = harness.services
    await services.membership.create_community(code="mapo", name="마포 품앗이",
                                               credit_floor=-300_000, approval="auto")
    await services.membership.create_community(code="gangnam", name="강남 품앗이",
                                               credit_floor=-300_000, approval="auto")
    await services.membership.add_coordinator(code="mapo", channel="telegram",
                                              external_id=str(KIM.id))
    await services.membership.add_coordinator(code="gangnam", channel="telegram",
                                              external_id=str(CHOI.id))
    for user in (KIM, CHOI):
        await harness.send(user, "/start")
    for user in (LEE, PARK):
        await harness.join(user, "mapo")


async def post_offer(harness, user: FakeUser, title: str) -> int:
    """Publish an offer through the guided dialog; its post id."""
    await harness.send(user, "/offer")
    await harness.tap(user, "dlg:cat:food")
    await harness.send(user, title)
    await harness.tap(user, "dlg:skip")
    await harness.send(user, "3000")
    await harness.tap(user, "dlg:skip")
    await harness.tap(user, "dlg:publish")
    return await one(harness, "SELECT MAX(id) FROM posts WHERE title = ?", title)


async def membership_of(harness, user: FakeUser, code: str = "mapo") -> int:
    return await one(harness, "SELECT m.id FROM memberships m JOIN identities i"
                     " ON i.person_id = m.person_id JOIN communities c ON c.id = m.community_id"
                     " WHERE i.external_id = ? AND c.code = ?", str(user.id), code)


async def one(harness, sql: str, *params):
    async with harness.services.db.read() as conn, conn.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None
