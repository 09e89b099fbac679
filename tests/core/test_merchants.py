"""Shops and institutions in the core: registering, the split of a bill, paying exactly once
within the limits, refunds, suspension, other communities, verify and the channel roll-up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import DomainError
from core.organisation_rules import currency_part
from core.organisations import Profile
from tests.support import count_rows, seed_community


@pytest.fixture
async def shop(services):
    """mapo with a coordinator (#1), a shop owner (#2) and a customer (#3); shop 1 approved,
    taking 40% rounded down to 100."""
    coordinator, owner, customer = await seed_community(services, floor=-50_000)
    organisation, coordinators = await services.organisations.apply(
        owner, Profile(name="마포 떡집", category="떡", share_percent=40, rounding=100))
    assert [c.number for c in coordinators] == [1]
    decision = await services.organisations.decide(coordinator, organisation.id, True)
    assert decision.approved and decision.newly_decided
    return coordinator, owner, customer, decision.organisation


def test_the_split_rounds_the_currency_part_down():
    assert currency_part(19_800, 40, None, 100) == 7_900
    assert currency_part(19_800, 40, 5_000, 100) == 5_000
    assert currency_part(19_800, 40, 5_050, 100) == 5_000
    assert currency_part(19_800, 40, None, 1000) == 7_000
    assert currency_part(19_800, 40, None, 10) == 7_920
    assert currency_part(90, 50, None, 100) == 0


async def test_an_application_waits_and_is_decided_once(services):
    coordinator, owner, _ = await seed_community(services)
    organisation, _ = await services.organisations.apply(owner, Profile(name="마포 떡집"))
    assert organisation.status == "pending" and organisation.number == 1
    assert organisation.account_id is None
    again = await services.organisations.decide(coordinator, organisation.id, True)
    twice = await services.organisations.decide(coordinator, organisation.id, False)
    assert again.newly_decided and not twice.newly_decided and twice.approved
    assert await count_rows(services, "accounts") == 5  # 3 members, the community, the shop
    with pytest.raises(DomainError) as error:
        await services.organisations.decide(owner, organisation.id, True)
    assert error.value.code == "not_coordinator"
    await services.organisations.set_status(coordinator, organisation.id, False, "점검")
    async with services.db.read() as conn, conn.execute(
            "SELECT action, actor_person_id, reason FROM audit_log WHERE action LIKE 'shop%'"
            " ORDER BY id") as cursor:
        logged = [tuple(row) for row in await cursor.fetchall()]
    assert logged == [("shop_apply", owner.person.id, None),
                      ("shop_approve", coordinator.person.id, None),
                      ("shop_suspend", coordinator.person.id, "점검")]
    assert (await services.verify()).ok


async def test_a_bill_is_paid_once_with_its_split_and_refunded_once(services, shop, clock):
    _, owner, customer, organisation = shop
    preview = await services.merchant_pay.preview(customer, organisation.id, "19,800원", "k1")
    assert (preview.bill, preview.currency, preview.cash) == (19_800, 7_900, 11_900)
    same = await services.merchant_pay.preview(customer, organisation.id, "19800", "k1")
    assert same.id == preview.id and not same.newly_decided
    chosen = await services.merchant_pay.change_currency(customer, preview.id, "5천")
    assert (chosen.currency, chosen.cash) == (5_000, 14_800)
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.change_currency(customer, preview.id, "8000")
    assert error.value.code == "shop_currency_range"
    paid = await services.merchant_pay.confirm(customer, preview.id)
    again = await services.merchant_pay.confirm(customer, preview.id)
    assert paid.newly_decided and not again.newly_decided
    assert await count_rows(services, "transfers") == 1
    balance = await services.ledger.balance(customer)
    assert balance.balance == -5_000
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.refund(customer, preview.id)
    assert error.value.code == "shop_not_yours"
    refunded = await services.merchant_pay.refund(owner, preview.id)
    assert refunded.newly_decided and refunded.status == "refunded"
    assert not (await services.merchant_pay.refund(owner, preview.id)).newly_decided
    assert await count_rows(services, "transfers") == 2
    assert (await services.ledger.balance(customer)).balance == 0
    report = await services.verify()
    assert report.ok, report.problems


async def test_refunds_end_after_seven_days(services, shop, clock):
    _, owner, customer, organisation = shop
    preview = await services.merchant_pay.preview(customer, organisation.id, 10_000, "k1")
    await services.merchant_pay.confirm(customer, preview.id)
    clock.advance(timedelta(days=7, seconds=1))
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.refund(owner, preview.id)
    assert error.value.code == "shop_refund_too_late"


async def test_a_refund_on_the_seventh_day_goes_through(services, shop, clock):
    _, owner, customer, organisation = shop
    preview = await services.merchant_pay.preview(customer, organisation.id, 10_000, "k1")
    await services.merchant_pay.confirm(customer, preview.id)
    clock.advance(timedelta(days=7))  # the window's last moment
    assert (await services.merchant_pay.refund(owner, preview.id)).newly_decided
    assert (await services.ledger.balance(customer)).balance == 0


async def test_staff_are_not_asked_to_refund_what_would_be_refused(services, shop, clock):
    """The takings' refund button asks first; a payment a coordinator reversed, or one past
    the 7 days, is refused before the question, as the refund itself would refuse it."""
    coordinator, owner, customer, organisation = shop
    reversed_one = await services.merchant_pay.preview(customer, organisation.id, 10_000, "k1")
    paid = await services.merchant_pay.confirm(customer, reversed_one.id)
    await services.ledger.reverse(coordinator, paid.transfer_id, "잘못 결제함")
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.refund_question(owner, reversed_one.id)
    assert error.value.code == "already_reversed"
    late = await services.merchant_pay.preview(customer, organisation.id, 5_000, "k2")
    await services.merchant_pay.confirm(customer, late.id)
    assert (await services.merchant_pay.refund_question(owner, late.id)).id == late.id
    clock.advance(timedelta(days=7, seconds=1))
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.refund_question(owner, late.id)
    assert error.value.code == "shop_refund_too_late"
    with pytest.raises(DomainError) as error:  # and never to someone who is not staff
        await services.merchant_pay.refund_question(customer, late.id)
    assert error.value.code != "shop_refund_too_late"


async def test_the_floor_holds_for_a_shop_payment(services, shop):
    _, _, customer, organisation = shop
    # floor -50,000: a bill of 125,000 at 40% is exactly 50,000 — allowed; one unit more is not
    ok = await services.merchant_pay.preview(customer, organisation.id, 125_000, "k1")
    await services.merchant_pay.confirm(customer, ok.id)
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.preview(customer, organisation.id, 1_000, "k2")
    assert error.value.code == "over_floor"
    assert (await services.verify()).ok


async def test_a_suspended_shop_and_another_community_cannot_be_paid(services, shop):
    coordinator, _, customer, organisation = shop
    outsiders = await seed_community(services, "jongno", members=2, first_user_id=301)
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.preview(outsiders[1], organisation.id, 10_000, "o1")
    assert error.value.code == "shop_not_found"
    preview = await services.merchant_pay.preview(customer, organisation.id, 10_000, "k1")
    await services.organisations.set_status(coordinator, organisation.id, False, "폐업")
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.confirm(customer, preview.id)
    assert error.value.code == "shop_unavailable"
    assert await count_rows(services, "transfers") == 0


async def test_staff_cannot_pay_their_own_shop(services, shop):
    _, owner, _, organisation = shop
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.preview(owner, organisation.id, 10_000, "k1")
    assert error.value.code == "shop_own"


async def test_rotating_the_codes_retires_the_old_ones(services, shop):
    _, owner, customer, organisation = shop
    rotated = await services.organisations.rotate_codes(owner, organisation.id)
    assert rotated.token != organisation.token
    old = await services.organisations.by_token(organisation.token)
    assert old.organisation is None and old.changed
    assert (await services.organisations.by_token(rotated.token)).organisation.id == (
        organisation.id)
    assert (await services.organisations.by_short_code(customer, organisation.short_code)
            ).changed
    unknown = await services.organisations.by_token("nothing-like-this")
    assert unknown.organisation is None and not unknown.changed


async def test_channels_count_shop_payments_and_take_refunds_out(services, shop):
    _, owner, customer, organisation = shop
    first = await services.merchant_pay.preview(customer, organisation.id, 10_000, "k1")
    await services.merchant_pay.confirm(customer, first.id)
    second = await services.merchant_pay.preview(customer, organisation.id, 20_000, "k2")
    await services.merchant_pay.confirm(customer, second.id)
    await services.merchant_pay.refund(owner, first.id)
    async with services.db.read() as conn, conn.execute(
            "SELECT channel, SUM(trades), SUM(volume) FROM stats_channels GROUP BY channel"
            " HAVING SUM(trades) <> 0 OR SUM(volume) <> 0") as cursor:
        rows = [tuple(row) for row in await cursor.fetchall()]
    assert rows == [("merchant", 1, 8_000)]
    assert (await services.verify()).ok


async def test_two_taps_at_once_pay_once_and_refund_once(services, shop):
    import asyncio

    _, owner, customer, organisation = shop
    preview = await services.merchant_pay.preview(customer, organisation.id, 19_800, "k1")
    results = await asyncio.gather(services.merchant_pay.confirm(customer, preview.id),
                                   services.merchant_pay.confirm(customer, preview.id))
    assert sorted(r.newly_decided for r in results) == [False, True]
    results = await asyncio.gather(services.merchant_pay.refund(owner, preview.id),
                                   services.merchant_pay.refund(owner, preview.id))
    assert sorted(r.newly_decided for r in results) == [False, True]
    assert await count_rows(services, "transfers") == 2
    assert (await services.verify()).ok


async def test_an_old_preview_cannot_pay_after_a_newer_one(services, shop):
    _, _, customer, organisation = shop
    old = await services.merchant_pay.preview(customer, organisation.id, 10_000, "k1")
    new = await services.merchant_pay.preview(customer, organisation.id, 20_000, "k2")
    with pytest.raises(DomainError) as error:
        await services.merchant_pay.confirm(customer, old.id)
    assert error.value.code == "shop_preview_expired"
    assert (await services.merchant_pay.confirm(customer, new.id)).currency == 8_000


async def test_verify_notices_a_payment_that_does_not_match_its_transfer(services, shop):
    _, _, customer, organisation = shop
    preview = await services.merchant_pay.preview(customer, organisation.id, 10_000, "k1")
    await services.merchant_pay.confirm(customer, preview.id)
    async with services.db.write() as conn:
        await conn.execute("UPDATE merchant_payments SET currency = 3000, cash = 7000")
    report = await services.verify()
    assert not report.ok and "shop payment" in " ".join(report.problems)


async def test_verify_checks_the_organisations_accounts(services, shop):
    _, _, customer, organisation = shop
    preview = await services.merchant_pay.preview(customer, organisation.id, 10_000, "k1")
    await services.merchant_pay.confirm(customer, preview.id)
    assert (await services.verify()).ok
    async with services.db.write() as conn:  # an active shop with no account of its own
        await conn.execute(
            "INSERT INTO organisations (community_id, number, kind, name, status, token,"
            " short_code, created_by_person_id, created_at) SELECT community_id, 9,"
            " 'merchant', '유령 가게', 'active', 'ghost-token-1', '0000',"
            " created_by_person_id, created_at FROM organisations WHERE id = ?",
            (organisation.id,))
    report = await services.verify()
    assert any("shop 9" in problem and "missing" in problem for problem in report.problems)


async def test_a_shop_takes_payments_past_the_members_ceiling(services):
    """Its account is held like the community's own: a busy shop is never refused."""
    coordinator, owner, customer = await seed_community(services, ceiling=10_000)
    organisation, _ = await services.organisations.apply(
        owner, Profile(name="떡집", share_percent=40))
    await services.organisations.decide(coordinator, organisation.id, True)
    for key in ("a", "b", "c"):
        preview = await services.merchant_pay.preview(customer, organisation.id, 10_000, key)
        await services.merchant_pay.confirm(customer, preview.id)
    shop = await services.organisations.staff_of(owner, organisation.id)
    assert shop.balance == 12_000
    report = await services.verify()
    assert report.ok, report.problems


async def test_a_programme_fee_goes_to_the_institution_and_back_with_the_waiting_list(
        services, clock):
    from core.events import EventDraft

    coordinator, first, second = await seed_community(services)
    library = await services.organisations.register_institution(
        coordinator, Profile(name="구립도서관", rounding=10))
    starts = clock.now() + timedelta(days=3)
    view = await services.events.create(coordinator, EventDraft(
        kind="study", title="그림책", starts_at=starts, ends_at=starts + timedelta(hours=1),
        capacity=1, fee=2_000, organisation_id=library.id))
    event_id = view.event.id
    assert (await services.events.sign_up(first, event_id)).status == "signed"
    assert (await services.events.sign_up(second, event_id, waitlist=True)).status == "waiting"
    await services.events.cancel_signup(first, event_id)  # refunded; the waiting one pays
    shop = await services.organisations.staff_of(coordinator, library.id)
    assert shop.balance == 2_000
    assert (await services.ledger.balance(first)).balance == 0
    assert (await services.ledger.balance(second)).balance == -2_000
    async with services.db.read() as conn, conn.execute(
            "SELECT channel, SUM(trades), SUM(volume) FROM stats_channels GROUP BY channel"
            " HAVING SUM(trades) <> 0 OR SUM(volume) <> 0") as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [("public", 1, 2_000)]
    report = await services.verify()
    assert report.ok, report.problems


async def test_only_its_staff_or_a_coordinator_post_an_institutions_programme(services, clock):
    from core.events import EventDraft

    coordinator, member, _ = await seed_community(services)
    library = await services.organisations.register_institution(
        coordinator, Profile(name="구립도서관", rounding=10))
    starts = clock.now() + timedelta(days=3)
    draft = EventDraft(kind="study", title="그림책", starts_at=starts,
                       ends_at=starts + timedelta(hours=1), fee=1_000,
                       organisation_id=library.id)
    with pytest.raises(DomainError) as error:
        await services.events.create(member, draft)
    assert error.value.code == "shop_not_yours"
    await services.organisations.add_staff(coordinator, library.id, "#2")
    assert (await services.events.create(member, draft)).event.organisation_id == library.id


async def test_every_coordinators_change_to_an_organisation_is_audit_logged(services, shop):
    coordinator, owner, _, organisation = shop
    rejected, _ = await services.organisations.apply(owner, Profile(name="두 번째 가게"))
    await services.organisations.decide(coordinator, rejected.id, False)
    library = await services.organisations.register_institution(
        coordinator, Profile(name="구립도서관", rounding=10))
    await services.organisations.set_status(coordinator, organisation.id, False, "점검")
    await services.organisations.set_status(coordinator, organisation.id, True, "")
    await services.organisations.rotate_codes(coordinator, organisation.id)
    await services.organisations.update(coordinator, library.id, {"hours": "평일 9시~18시"})
    async with services.db.read() as conn, conn.execute(
            "SELECT action, actor_person_id, target FROM audit_log WHERE id > ("
            "SELECT MAX(id) FROM audit_log WHERE action = 'shop_approve') ORDER BY id"
    ) as cursor:
        logged = [tuple(row) for row in await cursor.fetchall()]
    me = coordinator.person.id
    assert logged == [
        ("shop_apply", owner.person.id, f"shop:{rejected.id}"),
        ("shop_reject", me, f"shop:{rejected.id}"),
        ("institution_register", me, f"shop:{library.id}"),
        ("shop_suspend", me, f"shop:{organisation.id}"),
        ("shop_reactivate", me, f"shop:{organisation.id}"),
        ("shop_codes_rotate", me, f"shop:{organisation.id}"),
        ("shop_update", me, f"shop:{library.id}"),
    ]
