"""The merchants review's findings: terms and staff re-checked at Confirm, a room-limited
proposal, refunds only by another staff member to a member still here, reversals of shop
payments seen in takings, refunds never reversed, verify from transfers to payments, a
suspended institution takes no fee, one rotation per tap, organisation accounts never below
0, and exports read from one snapshot."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import takings as takings_module
from core.errors import DomainError
from core.events import EventDraft
from core.organisations import Profile
from storage import ledger as ledger_rows
from storage.timefmt import to_db
from tests.support import count_rows, seed_community


@pytest.fixture
async def shop(services):
    coordinator, owner, customer = await seed_community(services, floor=-50_000)
    organisation, _ = await services.organisations.apply(
        owner, Profile(name="마포 떡집", category="떡", share_percent=40, rounding=100))
    decision = await services.organisations.decide(coordinator, organisation.id, True)
    return coordinator, owner, customer, decision.organisation


async def _paid(services, customer, organisation, bill=10_000, key="k1"):
    preview = await services.merchant_pay.preview(customer, organisation.id, bill, key)
    return await services.merchant_pay.confirm(customer, preview.id)


async def _raw_transfer(services, conn, *, payer, payee, amount, purpose, actor,
                        refunds_id=None, community_id):
    return await ledger_rows.insert_transfer(
        conn, community_id=community_id, payer_account_id=payer, payee_account_id=payee,
        amount=amount, kind="pay", memo=None, reason=None, request_id=None, reverses_id=None,
        post_id=None, created_by_person_id=actor.person.id,
        now=to_db(services.takings._clock.now()), purpose=purpose, refunds_id=refunds_id)


# 2 -------------------------------------------------------------------------------------

async def test_confirm_refuses_a_preview_past_the_shops_new_terms(services, shop):
    _, owner, customer, organisation = shop
    preview = await services.merchant_pay.preview(customer, organisation.id, 19_800, "k1")
    assert preview.currency == 7_900
    await services.organisations.update(owner, organisation.id, {"share_percent": 10,
                                                                 "cap": 1_000})
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.confirm(customer, preview.id)
    assert error.value.code == "shop_terms_changed"
    assert await count_rows(services, "transfers") == 0
    # a new look at the bill pays what the shop takes now
    again = await services.merchant_pay.preview(customer, organisation.id, 19_800, "k2")
    assert (await services.merchant_pay.confirm(customer, again.id)).currency == 1_000


async def test_confirm_refuses_a_rounding_that_no_longer_fits(services, shop):
    _, owner, customer, organisation = shop
    preview = await services.merchant_pay.preview(customer, organisation.id, 19_800, "k1")
    await services.organisations.update(owner, organisation.id, {"rounding": 1000})
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.confirm(customer, preview.id)
    assert error.value.code == "shop_terms_changed"


async def test_a_chosen_smaller_part_still_within_new_terms_is_paid(services, shop):
    _, owner, customer, organisation = shop
    preview = await services.merchant_pay.preview(customer, organisation.id, 19_800, "k1")
    await services.merchant_pay.change_currency(customer, preview.id, 1_000)
    await services.organisations.update(owner, organisation.id, {"share_percent": 10})
    assert (await services.merchant_pay.confirm(customer, preview.id)).currency == 1_000


async def test_a_member_made_staff_after_the_preview_cannot_pay_or_refund_it(services, shop):
    _, owner, customer, organisation = shop
    preview = await services.merchant_pay.preview(customer, organisation.id, 10_000, "k1")
    await services.organisations.add_staff(owner, organisation.id,
                                           f"#{customer.membership.number}")
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.confirm(customer, preview.id)
    assert error.value.code == "shop_own"
    assert await count_rows(services, "transfers") == 0


async def test_staff_cannot_refund_their_own_payment(services, shop):
    _, owner, customer, organisation = shop
    paid = await _paid(services, customer, organisation)
    await services.organisations.add_staff(owner, organisation.id,
                                           f"#{customer.membership.number}")
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.refund(customer, paid.id)
    assert error.value.code == "shop_refund_own"
    assert (await services.merchant_pay.refund(owner, paid.id)).status == "refunded"


# 3 -------------------------------------------------------------------------------------

async def test_a_suspended_institution_takes_no_programme_fee(services, clock):
    coordinator, first, second = await seed_community(services)
    library = await services.organisations.register_institution(
        coordinator, Profile(name="구립도서관", rounding=10))
    starts = clock.now() + timedelta(days=3)
    view = await services.events.create(coordinator, EventDraft(
        kind="study", title="그림책", starts_at=starts, ends_at=starts + timedelta(hours=1),
        capacity=1, fee=2_000, organisation_id=library.id))
    assert (await services.events.sign_up(first, view.event.id)).status == "signed"
    assert (await services.events.sign_up(second, view.event.id, waitlist=True)
            ).status == "waiting"
    await services.organisations.set_status(coordinator, library.id, False, "운영 중단")
    await services.events.cancel_signup(first, view.event.id)  # the fee goes back
    lib = await services.organisations.staff_of(coordinator, library.id)
    assert lib.balance == 0
    assert (await services.ledger.balance(second)).balance == 0  # not promoted into a fee
    with pytest.raises(DomainError) as error:
        await services.events.sign_up(first, view.event.id)
    assert error.value.code == "shop_unavailable"
    assert (await services.ledger.balance(first)).balance == 0
    report = await services.verify()
    assert report.ok, report.problems


# 4 -------------------------------------------------------------------------------------

async def test_verify_finds_a_shop_transfer_no_payment_names(services, shop):
    _, _, customer, organisation = shop
    await _paid(services, customer, organisation)
    async with services.db.write() as conn:  # the classic double pay: a second transfer
        account = await ledger_rows.account_of(conn, customer.membership.id)
        await _raw_transfer(services, conn, payer=account["id"],
                            payee=organisation.account_id, amount=4_000, purpose="merchant",
                            actor=customer, community_id=organisation.community_id)
    report = await services.verify()
    assert any("no shop payment" in problem for problem in report.problems), report.problems


async def test_verify_finds_a_refund_whose_payment_stayed_paid(services, shop):
    _, owner, customer, organisation = shop
    paid = await _paid(services, customer, organisation)
    async with services.db.write() as conn:
        account = await ledger_rows.account_of(conn, customer.membership.id)
        await _raw_transfer(services, conn, payer=organisation.account_id,
                            payee=account["id"], amount=4_000, purpose="merchant_refund",
                            actor=owner, refunds_id=paid.transfer_id,
                            community_id=organisation.community_id)
    report = await services.verify()
    assert any("no shop payment" in problem for problem in report.problems), report.problems


async def test_verify_finds_a_refund_that_does_not_mirror_what_it_refunds(services, shop):
    coordinator, _, customer, organisation = shop
    async with services.db.write() as conn:  # an 'event refund' naming an ordinary payment
        mine = await ledger_rows.account_of(conn, customer.membership.id)
        theirs = await ledger_rows.account_of(conn, coordinator.membership.id)
        original = await _raw_transfer(services, conn, payer=mine["id"], payee=theirs["id"],
                                       amount=500, purpose=None, actor=customer,
                                       community_id=organisation.community_id)
        await _raw_transfer(services, conn, payer=theirs["id"], payee=mine["id"], amount=400,
                            purpose="event_refund", actor=coordinator, refunds_id=original,
                            community_id=organisation.community_id)
    report = await services.verify()
    assert any("does not give back" in problem for problem in report.problems), (
        report.problems)


async def test_verify_stays_quiet_on_real_payments_refunds_and_event_refunds(services, shop,
                                                                             clock):
    coordinator, owner, customer, organisation = shop
    first = await _paid(services, customer, organisation)
    await _paid(services, customer, organisation, 20_000, "k2")
    await services.merchant_pay.refund(owner, first.id)
    starts = clock.now() + timedelta(days=3)
    view = await services.events.create(coordinator, EventDraft(
        kind="study", title="학당", starts_at=starts, ends_at=starts + timedelta(hours=1),
        capacity=5, fee=1_000))
    await services.events.sign_up(customer, view.event.id)
    await services.events.cancel_signup(customer, view.event.id)
    report = await services.verify()
    assert report.ok, report.problems


# 6 -------------------------------------------------------------------------------------

async def test_a_reversed_shop_payment_leaves_the_takings(services, shop):
    coordinator, owner, customer, organisation = shop
    paid = await _paid(services, customer, organisation)
    reversal = await services.ledger.reverse(coordinator, paid.transfer_id, "잘못 결제함")
    assert reversal.payee is None and reversal.payee_organisation == "마포 떡집"
    assert [m.number for m in reversal.staff] == [owner.membership.number]
    today = services.takings.today()
    takings = await services.takings.takings(owner, organisation.id, today, today)
    assert (takings.count, takings.currency, takings.cash) == (0, 0, 0)
    assert takings.lines[0].reversed and not takings.lines[0].refunded
    shown = await services.merchant_pay.payment(customer, paid.id)
    assert shown.status == "reversed"
    report = await services.verify()
    assert report.ok, report.problems


async def test_a_reversal_preview_names_the_shop(services, shop):
    coordinator, _, customer, organisation = shop
    paid = await _paid(services, customer, organisation)
    preview = await services.ledger.prepare_reversal(coordinator, paid.transfer_id, "실수")
    assert preview.payee_organisation == "마포 떡집"
    assert preview.payer_organisation is None


# 7 -------------------------------------------------------------------------------------

async def test_no_refund_to_a_member_who_has_left(services, shop):
    coordinator, owner, customer, organisation = shop
    paid = await _paid(services, customer, organisation)
    await services.privacy.settle(coordinator, customer.membership.number, "정산 후 탈퇴")
    await services.privacy.leave(customer, customer.membership.id)
    transfers = await count_rows(services, "transfers")
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.refund(owner, paid.id)
    assert error.value.code == "shop_refund_member_gone"
    assert await count_rows(services, "transfers") == transfers


async def test_a_suspended_member_may_still_be_refunded(services, shop):
    coordinator, owner, customer, organisation = shop
    paid = await _paid(services, customer, organisation)
    async with services.db.write() as conn:
        await conn.execute("UPDATE memberships SET status = 'suspended' WHERE id = ?",
                           (customer.membership.id,))
    assert (await services.merchant_pay.refund(owner, paid.id)).status == "refunded"


# 8 -------------------------------------------------------------------------------------

async def test_a_shop_refund_cannot_be_reversed(services, shop):
    coordinator, owner, customer, organisation = shop
    paid = await _paid(services, customer, organisation)
    refunded = await services.merchant_pay.refund(owner, paid.id)
    with pytest.raises(DomainError) as error:
        await services.ledger.reverse(coordinator, refunded.refund_transfer_id, "환불 실수")
    assert error.value.code == "cannot_reverse_refund"
    with pytest.raises(DomainError):
        await services.ledger.prepare_reversal(coordinator, refunded.refund_transfer_id,
                                               "환불 실수")
    assert await count_rows(services, "transfers") == 2
    assert (await services.verify()).ok


async def test_an_event_refund_cannot_be_reversed(services, clock):
    coordinator, member, _ = await seed_community(services)
    starts = clock.now() + timedelta(days=3)
    view = await services.events.create(coordinator, EventDraft(
        kind="study", title="학당", starts_at=starts, ends_at=starts + timedelta(hours=1),
        capacity=5, fee=1_000))
    await services.events.sign_up(member, view.event.id)
    await services.events.cancel_signup(member, view.event.id)
    async with services.db.read() as conn, conn.execute(
            "SELECT id FROM transfers WHERE purpose = 'event_refund'") as cursor:
        refund_id = (await cursor.fetchone())[0]
    with pytest.raises(DomainError) as error:
        await services.ledger.reverse(coordinator, refund_id, "환불 실수")
    assert error.value.code == "cannot_reverse_refund"


# 9 -------------------------------------------------------------------------------------

async def test_a_double_tap_rotates_the_codes_once(services, shop):
    _, owner, _, organisation = shop
    first = await services.organisations.rotate_codes(owner, organisation.id,
                                                      expected_token=organisation.token)
    second = await services.organisations.rotate_codes(owner, organisation.id,
                                                       expected_token=organisation.token)
    assert first.token != organisation.token and second.token == first.token
    found = await services.organisations.by_token(first.token)
    assert found.organisation is not None and found.organisation.id == organisation.id
    assert await count_rows(services, "organisation_old_codes") == 1


# 10 ------------------------------------------------------------------------------------

async def test_a_member_with_little_room_is_offered_what_they_can_spend(services):
    coordinator, owner, customer = await seed_community(services, floor=-3_050)
    organisation, _ = await services.organisations.apply(
        owner, Profile(name="떡집", share_percent=40))
    await services.organisations.decide(coordinator, organisation.id, True)
    preview = await services.merchant_pay.preview(customer, organisation.id, 19_800, "k1")
    assert (preview.currency, preview.cash, preview.most) == (3_000, 16_800, 7_900)
    assert preview.room_limited
    assert (await services.merchant_pay.confirm(customer, preview.id)).currency == 3_000
    with pytest.raises(DomainError) as error:  # 50 left: less than the shop's step of 100
        await services.merchant_pay.preview(customer, organisation.id, 19_800, "k2")
    assert error.value.code == "shop_no_room"


async def test_the_floor_is_checked_again_at_confirm(services):
    coordinator, owner, customer = await seed_community(services, floor=-5_000)
    organisation, _ = await services.organisations.apply(
        owner, Profile(name="떡집", share_percent=40))
    await services.organisations.decide(coordinator, organisation.id, True)
    preview = await services.merchant_pay.preview(customer, organisation.id, 10_000, "k1")
    assert preview.currency == 4_000 and not preview.room_limited
    # the payer spends elsewhere in the meantime
    view = await services.ledger.start_trade(customer, kind="pay", counterparty="#1",
                                             amount=2_000, memo=None, request_key="p1")
    await services.ledger.confirm_pay(customer, view.request.id)
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.confirm(customer, preview.id)
    assert error.value.code == "over_floor"


# 11 ------------------------------------------------------------------------------------

async def test_no_refund_or_reversal_takes_an_organisation_below_zero(services, shop):
    coordinator, owner, customer, organisation = shop
    paid = await _paid(services, customer, organisation)
    second = await _paid(services, customer, organisation, 20_000, "k2")
    async with services.db.write() as conn:  # something drained the shop (a bug, by hand)
        account = await ledger_rows.account_of(conn, coordinator.membership.id)
        await _raw_transfer(services, conn, payer=organisation.account_id,
                            payee=account["id"], amount=5_000, purpose=None, actor=owner,
                            community_id=organisation.community_id)
    transfers = await count_rows(services, "transfers")
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.refund(owner, second.id)
    assert error.value.code == "organisation_overdrawn"
    with pytest.raises(DomainError) as error:
        await services.ledger.reverse(coordinator, second.transfer_id, "잘못 결제함")
    assert error.value.code == "organisation_overdrawn"
    assert await count_rows(services, "transfers") == transfers
    assert (await services.merchant_pay.refund(owner, paid.id)).status == "refunded"


async def test_no_fee_give_back_takes_an_institution_below_zero(services, clock):
    coordinator, member, _ = await seed_community(services)
    library = await services.organisations.register_institution(
        coordinator, Profile(name="구립도서관", rounding=10))
    starts = clock.now() + timedelta(days=3)
    view = await services.events.create(coordinator, EventDraft(
        kind="study", title="그림책", starts_at=starts, ends_at=starts + timedelta(hours=1),
        capacity=5, fee=2_000, organisation_id=library.id))
    await services.events.sign_up(member, view.event.id)
    async with services.db.write() as conn:
        account = await ledger_rows.account_of(conn, coordinator.membership.id)
        await _raw_transfer(services, conn, payer=library.account_id, payee=account["id"],
                            amount=1_500, purpose=None, actor=coordinator,
                            community_id=library.community_id)
    with pytest.raises(DomainError) as error:
        await services.events.cancel_signup(member, view.event.id)
    assert error.value.code == "organisation_overdrawn"
    assert (await services.ledger.balance(member)).balance == -2_000


# 12 ------------------------------------------------------------------------------------

async def test_a_takings_export_reads_one_snapshot(services, shop, monkeypatch):
    _, owner, customer, organisation = shop
    await _paid(services, customer, organisation, 10_000, "k1")
    await _paid(services, customer, organisation, 20_000, "k2")
    monkeypatch.setattr(takings_module, "EXPORT_CHUNK", 1)
    today = services.takings.today()
    seen = []
    async with services.takings.stream(owner, organisation.id, today, today) as (_, chunks):
        async for lines in chunks:
            seen += lines
            if len(seen) == 1:  # a payment made while the export runs is not in it
                await _paid(services, customer, organisation, 30_000, "k3")
    assert [line.bill for line in seen] == [10_000, 20_000]


async def test_verify_finds_an_organisation_account_below_zero(services, shop):
    coordinator, owner, customer, organisation = shop
    await _paid(services, customer, organisation)  # 4,000문 to the shop
    assert (await services.verify()).ok
    async with services.db.write() as conn:  # 5,000 out of it: a bug, written by hand
        account = await ledger_rows.account_of(conn, coordinator.membership.id)
        await _raw_transfer(services, conn, payer=organisation.account_id,
                            payee=account["id"], amount=5_000, purpose=None, actor=owner,
                            community_id=organisation.community_id)
    report = await services.verify()
    assert [problem for problem in report.problems if "(shop 1)" in problem
            and "balance -1000" in problem], report.problems
