"""Ledger rules of DESIGN.md, one by one."""

from datetime import timedelta

import pytest

from core.errors import DomainError
from tests.support import seed_community


async def pay(services, payer, payee_number, amount, key):
    view = await services.ledger.start_trade(
        payer, kind="pay", counterparty=f"#{payee_number}", amount=amount, memo=None,
        request_key=key,
    )
    return await services.ledger.confirm_pay(payer, view.request.id)


async def balance_of(services, actor):
    return (await services.ledger.balance(actor)).balance


async def test_pay_moves_money_and_sums_to_zero(services):
    kim, lee, _ = await seed_community(services)
    view = await pay(services, kim, 2, "5천", "k1")
    assert view.transfer is not None and view.transfer.amount == 5000
    assert await balance_of(services, kim) == -5000
    assert await balance_of(services, lee) == 5000
    report = await services.verify()
    assert report.ok, report.problems


async def test_floor_is_inclusive_and_one_more_leaves_no_trace(services):
    kim, lee, park = await seed_community(services, floor=-1000, ceiling=5000)
    await pay(services, kim, 2, 1000, "exact")
    assert await balance_of(services, kim) == -1000
    with pytest.raises(DomainError) as raised:
        await pay(services, kim, 3, 1, "one-more")
    assert raised.value.code == "over_floor"
    assert raised.value.params["can_spend"] == 0
    assert await balance_of(services, kim) == -1000
    assert await balance_of(services, park) == 0
    assert (await services.ledger.history(park)).entries == []


async def test_ceiling_is_inclusive(services):
    kim, lee, park = await seed_community(services, floor=-10_000, ceiling=3000)
    await pay(services, kim, 2, 3000, "to-ceiling")
    with pytest.raises(DomainError) as raised:
        await pay(services, park, 2, 1, "over-ceiling")
    assert raised.value.code == "over_ceiling"
    assert "can_receive" not in raised.value.params  # no one learns another's balance
    assert await balance_of(services, lee) == 3000


async def test_limits_rechecked_at_confirm(services):
    kim, lee, park = await seed_community(services, floor=-1000, ceiling=10_000)
    first = await services.ledger.start_trade(
        kim, kind="pay", counterparty="#2", amount=800, memo=None, request_key="a")
    second = await services.ledger.start_trade(
        kim, kind="pay", counterparty="#3", amount=800, memo=None, request_key="b")
    await services.ledger.confirm_pay(kim, first.request.id)
    with pytest.raises(DomainError) as raised:
        await services.ledger.confirm_pay(kim, second.request.id)
    assert raised.value.code == "over_floor"
    assert await balance_of(services, kim) == -800


async def test_charge_created_whatever_balance_but_accept_checks_limits(services):
    kim, lee, _ = await seed_community(services, floor=-1000, ceiling=10_000)
    charge = await services.ledger.start_trade(
        lee, kind="charge", counterparty="#1", amount=5000, memo="수업료", request_key="c")
    assert charge.request.status == "pending"
    with pytest.raises(DomainError) as raised:
        await services.ledger.accept_charge(kim, charge.request.id)
    assert raised.value.code == "over_floor"
    assert (await services.ledger.trade(kim, charge.request.id)).request.status == "pending"
    declined = await services.ledger.decline_charge(kim, charge.request.id)
    assert declined.request.status == "declined"
    assert await balance_of(services, kim) == 0


async def test_only_the_payer_can_accept_or_confirm(services):
    kim, lee, park = await seed_community(services)
    charge = await services.ledger.start_trade(
        lee, kind="charge", counterparty="#1", amount=100, memo=None, request_key="c")
    for actor in (lee, park):
        with pytest.raises(DomainError) as raised:
            await services.ledger.accept_charge(actor, charge.request.id)
        assert raised.value.code == "request_not_yours"
    preview = await services.ledger.start_trade(
        kim, kind="pay", counterparty="#2", amount=100, memo=None, request_key="p")
    with pytest.raises(DomainError):
        await services.ledger.confirm_pay(lee, preview.request.id)


async def test_double_confirm_commits_once(services):
    kim, lee, _ = await seed_community(services)
    preview = await services.ledger.start_trade(
        kim, kind="pay", counterparty="#2", amount=700, memo=None, request_key="p")
    first = await services.ledger.confirm_pay(kim, preview.request.id)
    again = await services.ledger.confirm_pay(kim, preview.request.id)
    assert first.newly_decided and not again.newly_decided
    assert first.transfer.id == again.transfer.id
    assert await balance_of(services, lee) == 700


async def test_same_request_key_returns_the_first_request(services):
    kim, lee, _ = await seed_community(services)
    first = await services.ledger.start_trade(
        lee, kind="charge", counterparty="#1", amount=100, memo=None, request_key="same")
    second = await services.ledger.start_trade(
        lee, kind="charge", counterparty="#1", amount=100, memo=None, request_key="same")
    assert first.request.id == second.request.id
    assert first.newly_decided and not second.newly_decided


async def claim_all(services):
    claimed = []
    while (job := await services.reminders.claim()) is not None:
        await services.reminders.sent(job.id)
        claimed.append(job)
    return claimed


async def test_charge_expires_after_seven_days_with_one_reminder(services, clock):
    kim, lee, _ = await seed_community(services)
    charge = await services.ledger.start_trade(
        lee, kind="charge", counterparty="#1", amount=100, memo=None, request_key="c")
    clock.advance(timedelta(days=5))
    assert await claim_all(services) == []
    clock.advance(timedelta(days=1, minutes=1))
    reminded = await claim_all(services)
    assert [(j.kind, j.trade.request.id, j.member.number) for j in reminded] == [
        ("charge", charge.request.id, 1)]
    assert await claim_all(services) == []
    assert await services.ledger.expire_due() == []
    clock.advance(timedelta(days=1))
    expired = await services.ledger.expire_due()
    assert [v.request.status for v in expired] == ["expired"]
    assert await services.ledger.expire_due() == []
    with pytest.raises(DomainError) as raised:
        await services.ledger.accept_charge(kim, charge.request.id)
    assert raised.value.code == "request_expired"
    assert await balance_of(services, kim) == 0


async def test_a_decided_charge_is_not_reminded(services, clock):
    kim, lee, _ = await seed_community(services)
    charge = await services.ledger.start_trade(
        lee, kind="charge", counterparty="#1", amount=100, memo=None, request_key="c")
    await services.ledger.decline_charge(kim, charge.request.id)
    clock.advance(timedelta(days=6, minutes=1))
    assert await claim_all(services) == []
    assert (await services.reminders.counts()).get("dropped") == 1


async def test_pending_past_expiry_cannot_be_accepted_before_the_sweep(services, clock):
    kim, lee, _ = await seed_community(services)
    charge = await services.ledger.start_trade(
        lee, kind="charge", counterparty="#1", amount=100, memo=None, request_key="c")
    clock.advance(timedelta(days=8))
    with pytest.raises(DomainError) as raised:
        await services.ledger.accept_charge(kim, charge.request.id)
    assert raised.value.code == "request_expired"


async def test_reversal_is_audited_and_happens_once(services):
    kim, lee, park = await seed_community(services)
    paid = await pay(services, lee, 3, 1000, "p1")
    reversal = await services.ledger.reverse(kim, paid.transfer.id, "잘못 보냄")
    assert reversal.reversal.reverses_id == paid.transfer.id
    assert await balance_of(services, lee) == 0
    assert await balance_of(services, park) == 0
    with pytest.raises(DomainError) as raised:
        await services.ledger.reverse(kim, paid.transfer.id, "again")
    assert raised.value.code == "already_reversed"
    with pytest.raises(DomainError) as raised:
        await services.ledger.reverse(kim, reversal.reversal.id, "undo undo")
    assert raised.value.code == "cannot_reverse_reversal"
    async with services.db.read() as conn, conn.execute(
        "SELECT action, reason FROM audit_log WHERE action = 'transfer_reverse'"
    ) as cursor:
        rows = [tuple(r) for r in await cursor.fetchall()]
    assert rows == [("transfer_reverse", "잘못 보냄")]


async def test_reversal_goes_through_across_the_floor(services):
    kim, lee, park = await seed_community(services, floor=-1000, ceiling=1000)
    first = await pay(services, lee, 3, 1000, "a")   # lee -1000, park 1000
    await pay(services, park, 1, 1000, "b")          # park 0, kim 1000
    await pay(services, kim, 2, 1000, "c")           # kim 0, lee 0
    await pay(services, park, 1, 1000, "d")          # park -1000 (at the floor), kim 1000
    await services.ledger.reverse(kim, first.transfer.id, "중복 결제")  # park pays lee back
    assert await balance_of(services, park) == -2000
    assert await balance_of(services, lee) == 1000
    report = await services.verify()
    assert report.ok, report.problems
    assert any("correction" in note for note in report.notes)


async def test_only_coordinators_reverse_and_reason_required(services):
    kim, lee, park = await seed_community(services)
    paid = await pay(services, lee, 3, 100, "p")
    with pytest.raises(DomainError) as raised:
        await services.ledger.reverse(park, paid.transfer.id, "내가 받았지만 취소")
    assert raised.value.code == "transfer_not_found"
    with pytest.raises(DomainError) as raised:
        await services.ledger.reverse(kim, paid.transfer.id, " ")
    assert raised.value.code == "reversal_reason_short"  # its own code: it names the minimum


async def test_transfers_are_immutable_in_the_database(services):
    kim, lee, _ = await seed_community(services)
    await pay(services, kim, 2, 100, "p")
    for statement in ("UPDATE transfers SET amount = 1", "DELETE FROM transfers",
                      "UPDATE movements SET amount = 1", "DELETE FROM movements"):
        with pytest.raises(Exception, match="immutable|never deleted"):
            async with services.db.write() as conn:
                await conn.execute(statement)
    assert await balance_of(services, lee) == 100


async def test_verify_catches_a_tampered_balance(services):
    kim, lee, _ = await seed_community(services)
    await pay(services, kim, 2, 100, "p")
    async with services.db.write() as conn:
        await conn.execute("UPDATE accounts SET balance = balance + 1 WHERE membership_id = 2")
    report = await services.verify()
    assert not report.ok
    assert any("sum to 1" in problem for problem in report.problems)
    assert any("cached balance" in problem for problem in report.problems)


async def test_suspended_member_can_neither_pay_nor_be_paid(services):
    kim, lee, park = await seed_community(services)
    preview = await services.ledger.start_trade(
        kim, kind="pay", counterparty="#2", amount=100, memo=None, request_key="p")
    async with services.db.write() as conn:
        await conn.execute("UPDATE memberships SET status = 'suspended' WHERE number = 2")
    with pytest.raises(DomainError) as raised:
        await services.ledger.confirm_pay(kim, preview.request.id)
    assert raised.value.code == "member_unavailable"
    with pytest.raises(DomainError) as raised:
        await services.ledger.start_trade(
            park, kind="pay", counterparty="#2", amount=100, memo=None, request_key="q")
    assert raised.value.code == "member_unavailable"
    lee_now = await services.people.reload(lee.person.id)
    with pytest.raises(DomainError) as raised:
        await services.ledger.start_trade(
            lee_now, kind="pay", counterparty="#3", amount=100, memo=None, request_key="r")
    assert raised.value.code == "membership_suspended"


async def test_stricter_floor_keeps_balance_receive_only(services):
    kim, lee, park = await seed_community(services, floor=-5000)
    await pay(services, lee, 3, 3000, "p")       # lee -3000
    await services.membership.set_member_limits(
        kim, 2, credit_floor=-1000, credit_ceiling=None, reason="연체 관리")
    assert await balance_of(services, lee) == -3000
    with pytest.raises(DomainError) as raised:
        await pay(services, lee, 3, 1, "q")
    assert raised.value.code == "over_floor"
    await pay(services, kim, 2, 500, "r")        # receiving still works
    assert await balance_of(services, lee) == -2500
    report = await services.verify()
    assert report.ok, report.problems
    assert any("limit changed" in note for note in report.notes)


async def test_member_references(services):
    kim, lee, _ = await seed_community(services)
    for ref in ("#2", "2", "@user102", "@USER102"):
        view = await services.ledger.start_trade(
            kim, kind="pay", counterparty=ref, amount=1, memo=None, request_key=ref)
        assert view.payee.number == 2
    for ref, code in (("#99", "member_not_found"), ("@nobody", "member_not_found"),
                      ("lee", "member_not_found"), ("#2'; --", "member_ref_invalid")):
        with pytest.raises(DomainError) as raised:
            await services.ledger.start_trade(
                kim, kind="pay", counterparty=ref, amount=1, memo=None, request_key="x" + ref)
        assert raised.value.code == code


async def test_limit_change_needs_a_coordinator_and_a_reason(services):
    kim, lee, _ = await seed_community(services)
    with pytest.raises(DomainError) as raised:
        await services.membership.set_member_limits(
            lee, 1, credit_floor=-1, credit_ceiling=None, reason="내 맘대로")
    assert raised.value.code == "not_coordinator"
    with pytest.raises(DomainError) as raised:
        await services.membership.set_member_limits(
            kim, 2, credit_floor=-1, credit_ceiling=None, reason="")
    assert raised.value.code == "reason_required"


async def test_payment_crossing_a_limit_is_a_verify_problem(services):
    """If a bug ever let a payment through past the floor, verify must say so."""
    kim, lee, _ = await seed_community(services, floor=-1000)
    await pay(services, lee, 1, 1000, "p")
    async with services.db.write() as conn:  # simulate a payment the checks should have refused
        await conn.execute("UPDATE communities SET credit_floor = -5000")
    await pay(services, lee, 1, 500, "q")
    async with services.db.write() as conn:
        await conn.execute("UPDATE communities SET credit_floor = -1000")
    report = await services.verify()
    assert not report.ok
    assert any("outside limit -1000 after a pay" in p for p in report.problems)


async def test_verify_catches_statistics_that_drifted_from_the_transfers(services):
    kim, lee, _ = await seed_community(services)
    await pay(services, kim, 2, 100, "p")
    assert (await services.verify()).ok
    async with services.db.write() as conn:
        await conn.execute("UPDATE stats_months SET trades = trades + 1")
    report = await services.verify()
    assert any("statistics count 2 trades but the transfers hold 1" in p
               for p in report.problems)
