"""Hostile input: 20,000 random updates; no unhandled error, no raw HTML or traceback shown,
no ledger change that the rules do not allow."""

from __future__ import annotations

import random
import time

from bot.updates import FakeUser
from handlers.telegram.background import background_of
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.reliability.fuzz_updates import html_problem, random_update
from tests.support import ADMIN

UPDATES = 20_000


async def fuzz(harness, count: int, seed: int) -> dict[str, int]:
    errors: list[BaseException] = []

    async def record_error(update, context):
        errors.append(context.error)

    harness.application.add_error_handler(record_error)
    services = harness.services
    await services.membership.create_community(code="mapo", name="마포 품앗이",
                                               approval="coordinator", credit_floor=-300_000)
    await services.membership.create_community(code="gangnam", name="강남 품앗이",
                                               credit_floor=-300_000, approval="auto")
    await services.membership.add_coordinator(code="mapo", channel="telegram",
                                              external_id=str(KIM.id))
    for user in (LEE, PARK, CHOI):
        actor = await services.people.resolve("telegram", str(user.id), user.first_name,
                                              user.username)
        joined = await services.membership.join(actor, "mapo")
        kim = await services.people.resolve("telegram", str(KIM.id), KIM.first_name)
        await services.membership.decide(kim, joined.member.membership_id, True)
    strangers = [FakeUser(301, "낯선사람"), FakeUser(302, "<b>해커</b>", "h4x")]
    users = [KIM, LEE, PARK, CHOI, ADMIN, *strangers]
    rng = random.Random(seed)
    sent_before = len(harness.api.calls)
    for _ in range(count):
        recent = [data for call in harness.api.calls[-30:] for _, data in call.buttons]
        update = random_update(rng, harness.updates, users, [-1001, -1002], recent)
        await harness.process(update)  # and the messages to others it caused
    assert errors == [], errors[:3]
    assert not background_of(harness.application).errors
    shown = [c for c in harness.api.calls[sent_before:] if c.text]
    for call in shown:
        problem = html_problem(call.text)
        assert problem is None, (problem, call.text)
    assert (await services.verify()).ok
    async with services.db.read() as conn, conn.execute(
        "SELECT t.id, t.kind, t.created_by_person_id, pm.person_id AS payer,"
        " (SELECT role FROM memberships WHERE community_id = t.community_id"
        "  AND person_id = t.created_by_person_id) AS role"
        " FROM transfers t JOIN accounts pa ON pa.id = t.payer_account_id"
        " JOIN memberships pm ON pm.id = pa.membership_id"
    ) as cursor:
        transfers = await cursor.fetchall()
    for row in transfers:
        if row["kind"] == "reversal":
            assert row["role"] == "coordinator", tuple(row)
        else:  # only the payer can move their own money
            assert row["created_by_person_id"] == row["payer"], tuple(row)
    return {"updates": count, "messages": len(shown), "transfers": len(transfers)}


async def test_twenty_thousand_hostile_updates(harness, record_property):
    started = time.monotonic()
    figures = await fuzz(harness, UPDATES, seed=5)
    record_property("summary", (
        f"fuzz: {figures['updates']} updates, {figures['messages']} messages checked,"
        f" {figures['transfers']} transfers allowed by the rules,"
        f" {time.monotonic() - started:.1f} s"))
