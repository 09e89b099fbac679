"""Ledger hardening in the core: preview lifetime and retirement, a payee's ceiling checked
only at commit, two-step reversals, statements for coordinators, read-only suspension."""

from datetime import timedelta

import pytest

from core.errors import DomainError
from core.ledger import PAY_PREVIEW_LIFETIME, REASON_MIN
from core.membership import require_active_member, require_member
from tests.support import seed_community


async def preview(services, payer, ref, amount, key):
    return await services.ledger.start_trade(
        payer, kind="pay", counterparty=ref, amount=amount, memo=None, request_key=key)


async def status_of(services, request_id):
    async with services.db.read() as conn, conn.execute(
            "SELECT status FROM trade_requests WHERE id = ?", (request_id,)) as cursor:
        return (await cursor.fetchone())[0]


async def test_new_preview_retires_older_pending_previews_to_the_same_payee(services):
    kim, lee, park = await seed_community(services)
    first = await preview(services, kim, "#2", 5000, "a")
    to_park = await preview(services, kim, "#3", 300, "b")
    second = await preview(services, kim, "#2", 500, "c")
    assert await status_of(services, first.request.id) == "expired"
    assert await status_of(services, to_park.request.id) == "pending"
    with pytest.raises(DomainError) as raised:
        await services.ledger.confirm_pay(kim, first.request.id)
    assert raised.value.code == "preview_expired"
    await services.ledger.confirm_pay(kim, second.request.id)
    await services.ledger.confirm_pay(kim, to_park.request.id)
    assert (await services.ledger.balance(kim)).balance == -800


async def test_a_repeated_request_key_does_not_retire_the_newer_preview(services):
    kim, *_ = await seed_community(services)
    first = await preview(services, kim, "#2", 5000, "a")
    second = await preview(services, kim, "#2", 500, "b")
    again = await preview(services, kim, "#2", 5000, "a")  # the first update, redelivered
    assert again.request.id == first.request.id and not again.newly_decided
    assert await status_of(services, second.request.id) == "pending"


async def test_previews_do_not_retire_charges_or_other_payers_previews(services):
    kim, lee, park = await seed_community(services)
    charge = await services.ledger.start_trade(
        lee, kind="charge", counterparty="#1", amount=100, memo=None, request_key="c")
    parks = await preview(services, park, "#2", 100, "p")
    await preview(services, kim, "#2", 100, "k")
    assert await status_of(services, charge.request.id) == "pending"
    assert await status_of(services, parks.request.id) == "pending"


async def test_preview_expires_after_its_lifetime(services, clock):
    kim, *_ = await seed_community(services)
    view = await preview(services, kim, "#2", 100, "a")
    assert view.request.expires_at - view.request.created_at == PAY_PREVIEW_LIFETIME
    clock.advance(PAY_PREVIEW_LIFETIME)
    with pytest.raises(DomainError) as raised:
        await services.ledger.confirm_pay(kim, view.request.id)
    assert raised.value.code == "preview_expired"
    assert [v.request.id for v in await services.ledger.expire_due()] == [view.request.id]
    assert (await services.ledger.balance(kim)).balance == 0


async def test_payees_ceiling_is_checked_only_at_commit_and_reveals_nothing(services):
    kim, lee, park = await seed_community(services, ceiling=3000)
    await services.ledger.confirm_pay(kim, (await preview(services, kim, "#2", 2000, "a"))
                                      .request.id)
    errors = []
    for amount in (1001, 2500):
        view = await preview(services, park, "#2", amount, f"p{amount}")  # no refusal here
        with pytest.raises(DomainError) as raised:
            await services.ledger.confirm_pay(park, view.request.id)
        errors.append((raised.value.code, raised.value.params))
    assert errors == [("over_ceiling", {}), ("over_ceiling", {})]
    assert (await services.ledger.balance(lee)).balance == 2000


async def test_reversal_is_prepared_then_confirmed_once(services):
    kim, lee, park = await seed_community(services)
    paid = await services.ledger.confirm_pay(
        lee, (await preview(services, lee, "#3", 1000, "a")).request.id)
    prepared = await services.ledger.prepare_reversal(kim, paid.transfer.id, "잘못 보냄")
    assert prepared.original.id == paid.transfer.id and prepared.reason == "잘못 보냄"
    assert (await services.ledger.balance(lee)).balance == -1000  # nothing moved yet
    done = await services.ledger.confirm_reversal(kim, paid.transfer.id)
    assert done.reversal.reason == "잘못 보냄"
    assert (await services.ledger.balance(lee)).balance == 0
    with pytest.raises(DomainError) as raised:
        await services.ledger.confirm_reversal(kim, paid.transfer.id)
    assert raised.value.code == "reversal_not_open"
    with pytest.raises(DomainError) as raised:  # a member cannot prepare one
        await services.ledger.prepare_reversal(park, paid.transfer.id, "취소해 주세요")
    assert raised.value.code == "transfer_not_found"


async def test_reversal_reason_names_its_minimum(services):
    kim, lee, park = await seed_community(services)
    paid = await services.ledger.confirm_pay(
        lee, (await preview(services, lee, "#3", 100, "a")).request.id)
    for reverse in (services.ledger.prepare_reversal, services.ledger.reverse):
        with pytest.raises(DomainError) as raised:
            await reverse(kim, paid.transfer.id, "x")
        assert raised.value.code == "reversal_reason_short"
        assert raised.value.params["minimum"] == REASON_MIN


async def test_coordinator_reads_a_members_statement_members_do_not(services):
    kim, lee, park = await seed_community(services)
    paid = await services.ledger.confirm_pay(
        lee, (await preview(services, lee, "#3", 100, "a")).request.id)
    page = await services.ledger.history(kim, 0, member_ref="#2")
    assert page.member is not None and page.member.number == 2
    assert [e.transfer_id for e in page.entries] == [paid.transfer.id]
    assert page.balance == -100
    with pytest.raises(DomainError) as raised:
        await services.ledger.history(park, 0, member_ref="#2")
    assert raised.value.code == "history_private"
    own = await services.ledger.history(park, 0, member_ref="#3")  # naming oneself is fine
    assert own.balance == 100


async def test_suspended_member_may_read_but_not_act(services):
    kim, lee, park = await seed_community(services)
    await services.ledger.confirm_pay(
        kim, (await preview(services, kim, "#2", 100, "a")).request.id)
    await services.membership.set_member_status(kim, 2, "suspended", "확인 중")
    lee = await services.people.reload(lee.person.id)
    assert require_member(lee)[1].status == "suspended"
    with pytest.raises(DomainError) as raised:
        require_active_member(lee)
    assert raised.value.code == "membership_suspended"
    assert (await services.ledger.balance(lee)).balance == 100
    assert len((await services.ledger.history(lee)).entries) == 1
    with pytest.raises(DomainError) as raised:
        await services.ledger.balance(lee, "#1")  # their own only
    assert raised.value.code == "balance_private"
    with pytest.raises(DomainError) as raised:
        await preview(services, lee, "#3", 10, "b")
    assert raised.value.code == "membership_suspended"


async def test_pending_and_rejected_members_still_read_nothing(services):
    kim, *_ = await seed_community(services, members=1, approval="coordinator")
    applicant = await services.people.resolve("telegram", "50", "신청자", None)
    await services.membership.join(applicant, "mapo")
    applicant = await services.people.reload(applicant.person.id)
    for read in (services.ledger.balance, services.ledger.history):
        with pytest.raises(DomainError) as raised:
            await read(applicant)
        assert raised.value.code in ("no_community", "membership_pending")


async def test_sweep_after_many_minutes_expires_previews_not_charges(services, clock):
    kim, lee, _ = await seed_community(services)
    pay = await preview(services, kim, "#2", 100, "a")
    charge = await services.ledger.start_trade(
        lee, kind="charge", counterparty="#1", amount=100, memo=None, request_key="c")
    clock.advance(timedelta(hours=1))
    assert [v.request.id for v in await services.ledger.expire_due()] == [pay.request.id]
    assert await status_of(services, charge.request.id) == "pending"
