"""Privacy in the domain: migration 010, consent with the join, settling, leaving, erasing."""

from __future__ import annotations

import sqlite3

import pytest

from core.errors import DomainError
from core.privacy import NOTICE_VERSION
from core.services import Services
from storage import privacy as privacy_rows
from tests.support import count_rows, seed_community


async def pay(services, payer, payee_number, amount, key):
    view = await services.ledger.start_trade(
        payer, kind="pay", counterparty=f"#{payee_number}", amount=amount, memo=None,
        request_key=key)
    return await services.ledger.confirm_pay(payer, view.request.id)


async def state(services) -> dict[str, list[tuple]]:
    found = {}
    async with services.db.read() as conn:
        for table in ("memberships", "accounts", "transfers", "movements", "trade_requests",
                      "posts", "event_signups", "audit_log", "people", "consents"):
            async with conn.execute(f"SELECT * FROM {table} ORDER BY 1") as cursor:
                found[table] = [tuple(row) for row in await cursor.fetchall()]
    return found


# ----- migration 010 ---------------------------------------------------------------------

@pytest.mark.sqlite_only  # SQLite's schema-text edit; PostgreSQL alters the constraints
async def test_migration_widens_the_checks_and_keeps_the_rest(services, tmp_path):
    db = services.db
    async with db.write() as conn:
        await conn.execute("UPDATE memberships SET status = 'left' WHERE 0")  # compiles
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            await conn.execute("INSERT INTO memberships (community_id, person_id, status,"
                               " created_at) VALUES (1, 1, 'gone', '')")
    kim, lee, _ = await seed_community(services)
    await pay(services, kim, 2, 100, "k1")
    async with db.write() as conn:
        await conn.execute("UPDATE memberships SET status = 'left' WHERE number = 3")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            await conn.execute("UPDATE memberships SET status = 'gone' WHERE number = 3")
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            await conn.execute("UPDATE transfers SET purpose = 'settlement'")
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            await conn.execute("DELETE FROM transfers")
    # A later migration that adds a column still finds a sound schema (its text was edited).
    async with db.write() as conn:
        await conn.execute("ALTER TABLE memberships ADD COLUMN later TEXT")
        await conn.execute("ALTER TABLE transfers ADD COLUMN later TEXT")
    assert await db.integrity_check() == "ok"
    # Every connection, a new one too, enforces the widened checks.
    path = db.path
    await services.close()
    reopened = await Services.open(path)
    try:
        async with reopened.db.write() as conn:
            await conn.execute("UPDATE memberships SET status = 'left' WHERE number = 2")
            with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
                await conn.execute("INSERT INTO transfers (community_id, payer_account_id,"
                                   " payee_account_id, amount, kind, created_by_person_id,"
                                   " created_at, purpose) VALUES (1, 1, 2, 1, 'pay', 1, '',"
                                   " 'gift')")
        assert (await reopened.verify()).ok
    finally:
        await reopened.close()
    await services.db.open()  # the fixture closes it again


# ----- consent ---------------------------------------------------------------------------

async def test_consent_is_written_with_the_membership_or_not_at_all(services, monkeypatch):
    await seed_community(services, members=1)
    newcomer = await services.people.resolve("telegram", "77", "새회원")
    asked = await services.membership.join(newcomer, "mapo", consent_required=True)
    assert asked.status == "consent" and asked.member is None
    assert await count_rows(services, "memberships") == 1

    async def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(privacy_rows, "record_consent", broken)
    with pytest.raises(RuntimeError):
        await services.membership.join(newcomer, "mapo", consent=NOTICE_VERSION)
    assert await count_rows(services, "memberships") == 1  # rolled back with the consent
    monkeypatch.undo()
    joined = await services.membership.join(newcomer, "mapo", consent=NOTICE_VERSION)
    assert joined.status == "active" and await count_rows(services, "consents") == 1


async def test_who_left_and_is_approved_again_keeps_number_and_account(services):
    kim, lee = await seed_community(services, members=2, approval="coordinator")
    await services.privacy.leave(lee, lee.membership.id)
    lee = await services.people.reload(lee.person.id)
    again = await services.membership.join(lee, "mapo", consent=NOTICE_VERSION)
    assert again.status == "pending"
    decision = await services.membership.decide(kim, again.member.membership_id, True)
    assert decision.member.number == 2 and decision.member.status == "active"
    assert await count_rows(services, "accounts") == 3  # the community's, 김영희's, his one
    assert (await services.verify()).ok


# ----- settling and leaving --------------------------------------------------------------

async def test_settling_a_negative_balance_is_paid_by_the_community_account(services):
    kim, lee, park = await seed_community(services)
    await pay(services, lee, 3, 4000, "k1")  # 이철수 -4,000
    async with services.db.read() as conn, conn.execute(
            "SELECT SUM(trades) FROM stats_months") as cursor:
        trades = (await cursor.fetchone())[0]
    with pytest.raises(DomainError) as raised:
        await services.privacy.settle(lee, 3, "정산")
    assert raised.value.code == "not_coordinator"
    with pytest.raises(DomainError) as raised:
        await services.privacy.settle(kim, 1, "정산")
    assert raised.value.code == "settle_self"
    done = await services.privacy.settle(kim, 2, "탈퇴 정산")
    assert done.balance_before == -4000 and done.transfer.amount == 4000
    assert done.transfer.payer_membership_id is None  # the community account pays
    assert (await services.ledger.balance(lee)).balance == 0
    report = await services.verify()
    assert report.ok, report.problems
    async with services.db.read() as conn, conn.execute(
            "SELECT SUM(trades), (SELECT SUM(balance) FROM accounts) FROM stats_months"
    ) as cursor:
        assert tuple(await cursor.fetchone()) == (trades, 0)  # not a trade; the sum stays 0
    reversal = await services.ledger.reverse(kim, done.transfer.id, "잘못 정산")
    assert reversal.reversal.amount == 4000 and (await services.verify()).ok


async def test_the_leave_preview_changes_nothing(services):
    kim, lee, park = await seed_community(services)
    await services.ledger.start_trade(lee, kind="charge", counterparty="#3", amount=100,
                                      memo=None, request_key="c1")
    before = await state(services)
    plan = await services.privacy.leave_plan(lee)
    assert plan.blocker is None and len(plan.result.cancelled_requests) == 1
    assert await state(services) == before
    await pay(services, lee, 3, 100, "k1")
    plan = await services.privacy.leave_plan(lee)
    assert plan.blocker.code == "leave_balance" and plan.blocker.params["balance"] == -100
    assert plan.result is None


async def test_erasure_needs_a_confirm_from_the_coordinator_who_asked(services):
    kim, lee, park = await seed_community(services)
    other = (await seed_community(services, "gangnam", members=1, first_user_id=301))[0]
    await services.privacy.leave(park, park.membership.id)
    preview = await services.privacy.prepare_erasure(kim, 3, "본인 요청")
    for stranger in (lee, other):
        with pytest.raises(DomainError) as raised:
            await services.privacy.confirm_erasure(stranger, preview.request_id)
        assert raised.value.code in ("erasure_not_found", "no_community")
    assert await services.privacy.cancel_erasure(kim, preview.request_id)
    with pytest.raises(DomainError) as raised:
        await services.privacy.confirm_erasure(kim, preview.request_id)
    assert raised.value.code == "erasure_not_open"
    preview = await services.privacy.prepare_erasure(kim, 3, "본인 요청")
    done = await services.privacy.confirm_erasure(kim, preview.request_id)
    assert done.newly and done.number == 3
    again = await services.privacy.confirm_erasure(kim, preview.request_id)
    assert not again.newly
    with pytest.raises(DomainError) as raised:
        await services.privacy.prepare_erasure(kim, 3, "또 요청")
    assert raised.value.code == "already_erased"
    assert (await services.verify()).ok
