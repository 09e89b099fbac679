"""Paying a shop part in currency, part in cash; refunds; the takings.

A bill becomes a preview (a pending row with a unique request key) → the member confirms →
one write transaction checks the limits, writes the currency part as a transfer to the
shop's account and moves the row to 'paid' with a guarded UPDATE: a double tap or a
redelivered update pays once. The cash part is kept on the row. A refund is a new transfer
back, linked to the payment (`refunds_id`, unique), within REFUND_WINDOW.

An organisation's account is held like the community's own: the members' floor and ceiling
do not apply to it. It only takes payments and fees and gives the same ones back, so it never
goes below 0 (checked before each give-back, and by verify); a ceiling would stop a busy shop
from taking 품앗이 at all.

Confirm checks again what the preview showed, in its own transaction: the shop's terms of now
(a preview paying more than the shop now takes is refused, to be looked at again) and that the
payer is not (now) its staff. A member with less room than the shop's most is offered what
they can still spend, rounded down to the shop's step; the floor is checked again at Confirm.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.amounts import MAX_AMOUNT, parse_amount
from core.clock import Clock
from core.errors import DomainError
from core.membership import require_active_member
from core.models import Actor, Community, Member
from core.organisation_rules import Organisation, currency_part, require_covers, require_staff
from core.views import load_community, load_member
from storage import ledger as ledger_rows
from storage import merchant_payments as payment_rows
from storage import organisations as organisation_rows
from storage.db import Connection, Database
from storage.port import Row
from storage.timefmt import from_db, to_db

PREVIEW_LIFETIME = timedelta(minutes=10)
REFUND_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Payment:
    id: int
    organisation: Organisation
    community: Community
    member: Member
    bill: int
    currency: int
    cash: int
    most: int  # the most of this bill the shop takes in currency
    status: str  # pending, paid, refunded, reversed (a coordinator's correction), ...
    paid_at: datetime | None
    transfer_id: int | None
    refund_transfer_id: int | None
    newly_decided: bool = False
    created_at: datetime | None = None
    room_limited: bool = False  # the part is what the member can still spend, not the most


class MerchantPayService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def preview(self, actor: Actor, organisation_id: int, bill: str | int,
                      request_key: str) -> Payment:
        """The split of a bill, waiting for the member's Confirm; nothing moves yet."""
        community, me = require_active_member(actor)
        value = bill if isinstance(bill, int) else parse_amount(bill, community.unit)
        if not 0 < value <= MAX_AMOUNT:
            raise DomainError("amount_zero", text=str(bill))
        now = self._clock.now()
        async with self._db.write() as conn:
            organisation = await _payable(conn, organisation_id, community.id)
            if await organisation_rows.role_of(conn, organisation.id, me.id) is not None:
                raise DomainError("shop_own")
            most = _most(organisation, value)
            if most <= 0:
                raise DomainError("shop_bill_too_small", rounding=organisation.rounding)
            mine = await ledger_rows.limits_and_balance(conn, me.id)
            _check_open(mine)
            can_spend = max(0, mine["balance"] - mine["credit_floor"])
            part = min(most, can_spend // organisation.rounding * organisation.rounding)
            if can_spend <= 0:
                raise DomainError("over_floor", can_spend=0)  # "you can still spend 0"
            if part <= 0:  # some room, less than the shop's step
                raise DomainError("shop_no_room", can_spend=can_spend,
                                  rounding=organisation.rounding)
            payment_id, created = await payment_rows.insert(
                conn, request_key=request_key, organisation_id=organisation.id,
                community_id=community.id, membership_id=me.id, bill=value, currency=part,
                now=to_db(now), expires_at=to_db(now + PREVIEW_LIFETIME))
            if created:
                await payment_rows.retire_previews(conn, me.id, organisation.id, payment_id)
            payment = await _load(conn, payment_id, newly=created)
            return replace(payment, room_limited=part < most)

    async def change_currency(self, actor: Actor, payment_id: int, amount: str | int
                              ) -> Payment:
        """The member pays less in currency than the most (the rest in cash)."""
        community, _ = require_active_member(actor)
        value = amount if isinstance(amount, int) else parse_amount(amount, community.unit)
        now = self._clock.now()
        async with self._db.write() as conn:
            payment = await _mine(conn, actor, payment_id)
            _require_pending(payment, await _expires(conn, payment_id), now)
            if not 0 < value <= payment.most:
                raise DomainError("shop_currency_range", most=payment.most)
            await payment_rows.set_currency(conn, payment_id, value)
            return await _load(conn, payment_id)

    async def confirm(self, actor: Actor, payment_id: int) -> Payment:
        now = self._clock.now()
        async with self._db.write() as conn:
            payment = await _mine(conn, actor, payment_id)
            if payment.status == "paid":
                return payment  # a second tap: paid once, said once
            _require_pending(payment, await _expires(conn, payment_id), now)
            organisation = await _payable(conn, payment.organisation.id,
                                          payment.community.id)
            if payment.currency > _most(organisation, payment.bill):
                raise DomainError("shop_terms_changed")  # the owner changed them since
            if await organisation_rows.role_of(conn, organisation.id,
                                               payment.member.membership_id) is not None:
                raise DomainError("shop_own")  # made its staff since the preview
            payer = await ledger_rows.limits_and_balance(conn, payment.member.membership_id)
            if payer is None or payer["status"] != "active":
                raise DomainError("membership_suspended", community="")
            if payer["needs_orientation"]:
                raise DomainError("orientation_needed")
            _check_payer(payer, payment.currency)
            transfer_id = await ledger_rows.insert_transfer(
                conn, community_id=payment.community.id, payer_account_id=payer["account_id"],
                payee_account_id=organisation.account_id, amount=payment.currency, kind="pay",
                memo=None, reason=None, request_id=None, reverses_id=None,
                post_id=None, created_by_person_id=actor.person.id, now=to_db(now),
                purpose="merchant")
            if not await payment_rows.mark_paid(conn, payment_id, transfer_id, to_db(now)):
                raise RuntimeError("payment changed inside its own write transaction")
            return await _load(conn, payment_id, newly=True)

    async def cancel(self, actor: Actor, payment_id: int) -> bool:
        async with self._db.write() as conn:
            await _mine(conn, actor, payment_id)
            return await payment_rows.close(conn, payment_id, "cancelled")

    async def refund(self, actor: Actor, payment_id: int) -> Payment:
        """A staff member gives a payment's currency back within REFUND_WINDOW. Like an
        event's refund it undoes what the shop took, so limits do not stop it. Not by the staff
        member who paid it (another staff member or the owner gives it back), and only to a
        member still in the community (active or suspended): one who left is refunded in
        cash."""
        now = self._clock.now()
        async with self._db.write() as conn:
            payment = await _load(conn, payment_id)
            await require_staff(conn, actor, payment.organisation)
            if payment.status == "refunded":
                return payment
            member_account = await _refund_allowed(conn, actor, payment, now)
            await require_covers(conn, payment.organisation.account_id, payment.currency)
            refund_id = await ledger_rows.insert_transfer(
                conn, community_id=payment.community.id,
                payer_account_id=payment.organisation.account_id,
                payee_account_id=member_account["account_id"], amount=payment.currency,
                kind="pay",
                memo=None, reason=None, request_id=None,
                reverses_id=None, post_id=None, created_by_person_id=actor.person.id,
                now=to_db(now), purpose="merchant_refund", refunds_id=payment.transfer_id)
            if not await payment_rows.mark_refunded(conn, payment_id, refund_id, to_db(now),
                                                    actor.person.id):
                raise RuntimeError("payment changed inside its own write transaction")
            return await _load(conn, payment_id, newly=True)

    async def refund_question(self, actor: Actor, payment_id: int) -> Payment:
        """The payment a staff member is about to be asked to refund: refused now, before the
        question, for what `refund` would refuse (a payment already refunded is returned as it
        is, to say so)."""
        async with self._db.read() as conn:
            payment = await _load(conn, payment_id)
            await require_staff(conn, actor, payment.organisation)
            if payment.status != "refunded":
                await _refund_allowed(conn, actor, payment, self._clock.now())
        return payment

    async def expire_due(self, limit: int = 500) -> int:
        """Previews left past PREVIEW_LIFETIME become 'expired' (the sweep runs this); a tap
        on one then says it expired. Nobody is told: the member walked away from it."""
        async with self._db.write() as conn:
            return await payment_rows.expire_due(conn, to_db(self._clock.now()), limit)

    async def awaiting(self, actor: Actor) -> Payment | None:
        """What a bare "yes" could answer at a shop: the actor's newest preview still open."""
        _, me = require_active_member(actor)
        async with self._db.read() as conn:
            row = await payment_rows.newest_preview(conn, me.id, to_db(self._clock.now()))
            return await _load(conn, row["id"]) if row else None

    async def payment(self, actor: Actor, payment_id: int) -> Payment:
        """A payment seen by its payer or the shop's staff."""
        async with self._db.read() as conn:
            payment = await _load(conn, payment_id)
            if payment.member.person_id != actor.person.id:
                await require_staff(conn, actor, payment.organisation)
        return payment


async def _refund_allowed(conn: Connection, actor: Actor, payment: Payment, now: datetime) -> Row:
    """The paying member's account, if this staff member may refund the payment now."""
    if payment.status == "reversed":
        raise DomainError("already_reversed", transfer_id=payment.transfer_id)
    if payment.status != "paid":
        raise DomainError("shop_payment_not_found")
    if payment.member.person_id == actor.person.id:
        raise DomainError("shop_refund_own")
    if not refundable(payment.paid_at, now):
        raise DomainError("shop_refund_too_late", days=REFUND_WINDOW.days)
    member_account = await ledger_rows.limits_and_balance(conn, payment.member.membership_id)
    if member_account is None or member_account["status"] not in ("active", "suspended"):
        raise DomainError("shop_refund_member_gone")
    return member_account


def refundable(paid_at: datetime | None, now: datetime) -> bool:
    """Whether a payment made at `paid_at` may still be refunded (REFUND_WINDOW, inclusive)."""
    return paid_at is not None and now - paid_at <= REFUND_WINDOW


def _most(organisation: Organisation, bill: int) -> int:
    return currency_part(bill, organisation.share_percent, organisation.cap,
                         organisation.rounding)


def _check_open(row) -> None:
    if row is None or row["status"] != "active":
        raise DomainError("membership_suspended", community="")
    if row["needs_orientation"]:
        raise DomainError("orientation_needed")


def _check_payer(row, amount: int) -> None:
    _check_open(row)
    if row["balance"] - amount < row["credit_floor"]:
        raise DomainError("over_floor", can_spend=max(0, row["balance"] - row["credit_floor"]))


def _require_pending(payment: Payment, expires_at: datetime, now: datetime) -> None:
    if payment.status == "expired" or (payment.status == "pending" and expires_at <= now):
        raise DomainError("shop_preview_expired", code=payment.organisation.short_code,
                          minutes=int(PREVIEW_LIFETIME.total_seconds() // 60))
    if payment.status != "pending":
        raise DomainError("shop_payment_closed")


async def _payable(conn: Connection, organisation_id: int, community_id: int) -> Organisation:
    """A shop of the payer's own community that takes payments now."""
    row = await organisation_rows.get(conn, organisation_id)
    if row is None or row["community_id"] != community_id or row["status"] in (
            "pending", "rejected"):
        raise DomainError("shop_not_found")
    organisation = Organisation.from_row(row)
    if not organisation.is_active or organisation.account_id is None:
        raise DomainError("shop_unavailable")
    return organisation


async def _mine(conn: Connection, actor: Actor, payment_id: int) -> Payment:
    payment = await _load(conn, payment_id)
    if payment.member.person_id != actor.person.id:
        raise DomainError("shop_payment_not_found")
    return payment


async def _expires(conn: Connection, payment_id: int) -> datetime:
    return from_db((await payment_rows.get(conn, payment_id))["expires_at"])


async def _load(conn: Connection, payment_id: int, *, newly: bool = False) -> Payment:
    row = await payment_rows.get(conn, payment_id)
    if row is None:
        raise DomainError("shop_payment_not_found")
    organisation = Organisation.from_row(await organisation_rows.get(conn,
                                                                     row["organisation_id"]))
    status = row["status"]
    if status == "paid" and await ledger_rows.reversal_of(conn, row["transfer_id"]):
        status = "reversed"  # a coordinator's correction gave it back
    return Payment(
        id=row["id"], organisation=organisation,
        community=await load_community(conn, row["community_id"]),
        member=await load_member(conn, row["membership_id"]), bill=row["bill"],
        currency=row["currency"], cash=row["cash"], most=_most(organisation, row["bill"]),
        status=status, paid_at=from_db(row["paid_at"]) if row["paid_at"] else None,
        transfer_id=row["transfer_id"], refund_transfer_id=row["refund_transfer_id"],
        newly_decided=newly, created_at=from_db(row["created_at"]))
