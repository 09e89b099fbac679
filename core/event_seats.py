"""Seats at an event and the money that comes with them: who may pay a fee or be paid a
reward, taking a seat (fee charged, reminders armed), giving a fee back, and moving the
waiting list up when seats open.

The ledger's rules hold here as for any payment: a suspended member neither pays nor is
paid, and an account that waits for an orientation stays closed until the member attends
one. So a fee event refuses both, and a waiting member who can't take a seat is passed over.

A public programme's fee goes to its institution, which must be active with an account at
that moment (a suspended one takes no fee: no sign-up, and the waiting list waits).

A refund gives back what the event took, like a correction, so limits don't stop it; an
institution's account still never goes below 0.
A fee that a coordinator already reversed by hand counts as refunded: cancelling the
sign-up or the event gives nothing more back for it, and the sign-up's refund link then
points at that reversal (the fee was returned by correction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.errors import DomainError
from core.models import Community, Event, Member
from core.organisation_rules import require_covers
from core.views import load_community, load_member
from storage import events as event_rows
from storage import ledger as ledger_rows
from storage import memberships as membership_rows
from storage import organisations as organisation_rows
from storage import reminders as reminder_rows
from storage.db import Connection
from storage.timefmt import to_db


@dataclass(frozen=True)
class PassedOver:
    member: Member
    reason: str  # why, as an error code: membership_suspended, event_fee_orientation_needed,
    #               over_floor


@dataclass(frozen=True)
class Promotion:
    promoted: list[Member] = field(default_factory=list)
    passed_over: list[PassedOver] = field(default_factory=list)


@dataclass(frozen=True)
class FeeReturn:
    refunded: int = 0  # given back now by the event
    corrected: int = 0  # given back earlier by a coordinator's reversal


def account_closed(row) -> str | None:
    """Why this account can neither pay nor be paid now (an error code), or None."""
    if row is None or row["status"] != "active":
        return "membership_suspended"
    if row["needs_orientation"]:
        return "orientation_needed"
    return None


def require_may_pay_fee(row) -> None:
    """Refuse a fee from an account that can't pay now (limits aside)."""
    reason = account_closed(row)
    if reason == "membership_suspended":
        raise DomainError("membership_suspended", community="")
    if reason == "orientation_needed":
        raise DomainError("event_fee_orientation_needed")


async def take_seat(conn: Connection, event: Event, signup_id: int, membership_id: int,
                    person_id: int, now: datetime) -> None:
    """Charge the fee (if any) and arm the reminders of a confirmed seat; a suspended
    member takes no seat, free or not."""
    payer = await ledger_rows.limits_and_balance(conn, membership_id)
    if account_closed(payer) == "membership_suspended":
        raise DomainError("membership_suspended", community="")
    if event.fee:
        require_may_pay_fee(payer)
        if payer["balance"] - event.fee < payer["credit_floor"]:
            raise DomainError("over_floor", can_spend=max(
                0, payer["balance"] - payer["credit_floor"]))
        # A public programme's fee goes to its institution, any other event's to the community.
        house = (await institution_account(conn, event.organisation_id)
                 if event.organisation_id else
                 await ledger_rows.community_account(conn, event.community_id))
        transfer_id = await ledger_rows.insert_transfer(
            conn, community_id=event.community_id, payer_account_id=payer["account_id"],
            payee_account_id=house["id"], amount=event.fee, kind="pay", memo=event.title,
            reason=None, request_id=None, reverses_id=None, post_id=None,
            created_by_person_id=person_id, now=to_db(now), purpose="event_fee",
            event_id=event.id)
        await event_rows.set_signup_transfer(conn, signup_id, "fee_transfer_id", transfer_id)
    await schedule_reminders(conn, event.id, membership_id, event.starts_at,
                             await community_of(conn, event), now)


async def give_back_fee(conn: Connection, event: Event, signup, person_id: int,
                        now: datetime, *, refund: bool) -> FeeReturn:
    """Settle the fee of a sign-up that ends: refund it when `refund`, unless a coordinator's
    reversal already gave it back, which is then recorded as the sign-up's refund."""
    if not signup["fee_transfer_id"] or signup["refund_transfer_id"]:
        return FeeReturn()
    signup_id = signup["signup_id"] if "signup_id" in signup.keys() else signup["id"]
    fee = await ledger_rows.get_transfer(conn, signup["fee_transfer_id"])
    reversal = await ledger_rows.reversal_of(conn, fee["id"])
    if reversal is not None:
        await event_rows.set_signup_transfer(conn, signup_id, "refund_transfer_id",
                                             reversal["id"])
        return FeeReturn(corrected=int(fee["amount"]))
    if not refund:
        return FeeReturn()
    await require_covers(conn, fee["payee_account_id"], int(fee["amount"]))
    transfer_id = await ledger_rows.insert_transfer(
        conn, community_id=fee["community_id"], payer_account_id=fee["payee_account_id"],
        payee_account_id=fee["payer_account_id"], amount=fee["amount"], kind="pay",
        memo=event.title, reason=None, request_id=None, reverses_id=None, post_id=None,
        created_by_person_id=person_id, now=to_db(now), purpose="event_refund",
        event_id=event.id, refunds_id=fee["id"])
    await event_rows.set_signup_transfer(conn, signup_id, "refund_transfer_id", transfer_id)
    return FeeReturn(refunded=int(fee["amount"]))


async def fill_seats(conn: Connection, event_id: int, person_id: int, now: datetime
                     ) -> Promotion:
    """Move the waiting list up, first come first served, while seats are free and the event
    has not started; one who can't take a seat (or pay its fee) is passed over and leaves
    the list."""
    promotion = Promotion()
    while True:
        event = Event.from_row(await event_rows.get(conn, event_id))
        if event.status != "scheduled" or event.starts_at <= now or event.seats_left == 0:
            return promotion
        if event.fee and event.organisation_id and not await _takes_fees(
                conn, event.organisation_id):
            return promotion  # the institution is suspended: the list waits, nobody pays
        waiting = await event_rows.first_waiting(conn, event_id)
        if waiting is None:
            return promotion
        await event_rows.set_signup_status(conn, waiting["id"], "signed", "waiting",
                                           to_db(now))
        try:
            await take_seat(conn, event, waiting["id"], waiting["membership_id"], person_id,
                            now)
        except DomainError as error:
            await event_rows.set_signup_status(conn, waiting["id"], "cancelled", "signed",
                                               to_db(now))
            promotion.passed_over.append(
                PassedOver(await load_member(conn, waiting["membership_id"]), error.code))
            continue
        promotion.promoted.append(await load_member(conn, waiting["membership_id"]))


async def _takes_fees(conn: Connection, organisation_id: int) -> bool:
    row = await organisation_rows.get(conn, organisation_id)
    return row is not None and row["status"] == "active" and row["account_id"] is not None


async def institution_account(conn: Connection, organisation_id: int):
    """The account a programme's fee goes to, read in the fee's own transaction: only an
    active institution with an account takes one."""
    if not await _takes_fees(conn, organisation_id):
        raise DomainError("shop_unavailable")
    return await ledger_rows.organisation_account(conn, organisation_id)


async def community_of(conn: Connection, event: Event) -> Community:
    if event.community_id is None:
        return Community(id=0, code="", name="", unit="문", credit_floor=0,
                         credit_ceiling=0, approval="auto", open_ledger=False)
    return await load_community(conn, event.community_id)


async def schedule_reminders(conn: Connection, event_id: int, membership_id: int,
                             starts_at: datetime, community: Community, now: datetime) -> None:
    """A reminder at each of the community's lead times still ahead (24 h and 1 h by default),
    unless the member turned event reminders off."""
    row = await membership_rows.get(conn, membership_id)
    if row is not None and not row["event_reminders"]:
        return
    for hours in community.reminder_hours or (24, 1):
        due = starts_at - timedelta(hours=hours)
        if due > now:
            await reminder_rows.add(conn, kind="event", event_id=event_id,
                                    membership_id=membership_id, due_at=to_db(due),
                                    now=to_db(now))
