"""The mutual-credit ledger: pay, charge, accept, decline, expire, reverse; balance and history.

Every state change runs in one write transaction (BEGIN IMMEDIATE) and moves a request
out of 'pending' with a guarded UPDATE, so a double tap, a duplicated update or two
coordinators at once commit a transfer at most once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from core.amounts import parse_amount
from core.clock import Clock
from core.dialogs import Dialog
from core.dialogs import finish as finish_dialog
from core.directory import (
    MemberChoice,
    MemberChoices,
    community_candidates,
    match_member_for,
    resolve_member_name,
)
from core.errors import DomainError
from core.membership import require_active_member, require_member
from core.models import (
    Actor,
    BalanceView,
    HistoryEntry,
    HistoryPage,
    Member,
    Membership,
    PendingPage,
    Reversal,
    ReversalPreview,
    Row,
    TradeRequest,
    TradeView,
    Transfer,
)
from core.organisation_rules import require_covers
from core.views import load_community, load_member, load_trade, member_from_row
from storage import audit as audit_rows
from storage import dialogs as dialog_rows
from storage import ledger as ledger_rows
from storage import memberships as membership_rows
from storage import organisations as organisation_rows
from storage import posts as post_rows
from storage import reminders as reminder_rows
from storage.db import Connection, Database
from storage.timefmt import from_db, to_db

CHARGE_LIFETIME = timedelta(days=7)
CHARGE_REMINDER_BEFORE = timedelta(days=1)
# A preview shows a payment about to happen; minutes, so an old one cannot pay much later.
PAY_PREVIEW_LIFETIME = timedelta(minutes=10)
HISTORY_PAGE_SIZE = 10
PENDING_PAGE_SIZE = 10  # two buttons each: a page stays far below Telegram's 100
MEMO_MAX = 200
REASON_MIN = 2
# A coordinator's reversal waits in their dialog slot until they tap Confirm or Cancel.
REVERSE_DIALOG = "reverse"
CHOICES_MAX = 8  # members offered to pick from by name; more means "write it more exactly"

_MEMBER_REF = re.compile(r"^(?:#?(\d{1,9})|@([A-Za-z0-9_]{3,32}))$")


def clean_memo(memo: str | None) -> str | None:
    memo = " ".join((memo or "").split())
    if not memo:
        return None
    if len(memo) > MEMO_MAX:
        raise DomainError("memo_too_long", maximum=MEMO_MAX)
    return memo


async def resolve_member_ref(
    conn: Connection, community_id: int, ref: str, exclude_number: int | None = None
) -> Member:
    """`#23`, `23`, `@username` or a name, within one community only; a name's lists of
    choices never offer the member numbered `exclude_number` (the one asking)."""
    match = _MEMBER_REF.match((ref or "").strip())
    if match is None:  # a name (`김영희님`), or `23번`: matched among active members
        return await resolve_member_name(conn, community_id, ref, exclude_number)
    number, username = match.groups()
    if number is not None:
        row = await membership_rows.member_by_number(conn, community_id, int(number))
        if row is None:
            raise DomainError("member_not_found", ref=ref)
        return member_from_row(row)
    rows = await membership_rows.members_by_username(conn, community_id, username)
    if not rows:
        raise DomainError("member_not_found", ref=ref)
    return member_from_row(rows[0])


@dataclass(frozen=True)
class Awaiting:
    """The actor's newest pay preview still open (None if none), and charges waiting for
    them (at most two: enough to tell "exactly one" from "several")."""

    preview: TradeView | None
    charges: list[TradeView]


class LedgerService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # ----- starting a trade -------------------------------------------------------------

    async def start_trade(
        self,
        actor: Actor,
        *,
        kind: str,
        counterparty: str,
        amount: str | int,
        memo: str | None,
        request_key: str,
        post_id: int | None = None,
        finishing: Dialog | None = None,
    ) -> TradeView:
        """Create a pay preview or a charge; the same request_key returns the first one. With
        `finishing` the dialog that gathered it (a name picked from a list) ends in the same
        transaction, so two taps open one request."""
        community, me = require_active_member(actor)
        value = amount if isinstance(amount, int) else parse_amount(amount, community.unit)
        if value <= 0:
            raise DomainError("amount_zero", text=str(amount))
        memo = clean_memo(memo)
        now = self._clock.now()
        lifetime = PAY_PREVIEW_LIFETIME if kind == "pay" else CHARGE_LIFETIME

        async def work(conn: Connection) -> TradeView:
            other = await resolve_member_ref(conn, community.id, counterparty, me.number)
            if finishing is not None:
                await finish_dialog(conn, actor.person.id, finishing)
            return await self._open_request(
                conn, actor, me, other, kind=kind, amount=value, memo=memo,
                request_key=request_key, post_id=post_id, now=now, lifetime=lifetime,
            )

        return await self._db.transact(work, locks_rows=True)

    async def start_post_trade(
        self, actor: Actor, *, post_id: int, amount: str | int | None, request_key: str,
        finishing: Dialog | None = None,
    ) -> TradeView:
        """Pay for an offer (드려요) or charge the author of a request (구해요); with
        `finishing` the actor's amount dialog ends in the same transaction (once)."""
        community, me = require_active_member(actor)
        now = self._clock.now()

        async def work(conn: Connection) -> TradeView:
            row = await post_rows.get(conn, post_id)
            if row is None or row["community_id"] != community.id:
                raise DomainError("post_not_found")
            if row["status"] != "open":
                raise DomainError("post_closed")
            if amount is None:
                if row["price"] is None:
                    raise DomainError("amount_needed")
                value = int(row["price"])
            else:
                value = amount if isinstance(amount, int) else parse_amount(amount, community.unit)
            other = await load_member(conn, row["author_membership_id"])
            if finishing is not None:
                await finish_dialog(conn, actor.person.id, finishing)
            kind = "pay" if row["kind"] == "offer" else "charge"
            lifetime = PAY_PREVIEW_LIFETIME if kind == "pay" else CHARGE_LIFETIME
            return await self._open_request(
                conn, actor, me, other, kind=kind, amount=value, memo=row["title"],
                request_key=request_key, post_id=post_id, now=now, lifetime=lifetime,
            )

        return await self._db.transact(work, locks_rows=True)

    async def _open_request(
        self, conn: Connection, actor: Actor, me: Membership, other: Member, *, kind: str,
        amount: int, memo: str | None, request_key: str, post_id: int | None, now, lifetime,
    ) -> TradeView:
        if other.membership_id == me.id:
            raise DomainError("self_trade")
        if kind == "pay":
            await ledger_rows.lock_previews_of(conn, me.id)
        mine = await ledger_rows.limits_and_balance(conn, me.id)
        theirs = await ledger_rows.limits_and_balance(conn, other.membership_id)
        _check_can_trade(mine, theirs)
        if kind == "pay":
            # The payee's ceiling is checked only at commit: refusing a preview would let the
            # payer find the payee's private balance by trying amounts.
            payer, payee = me.id, other.membership_id
            _check_payer(mine, amount)
        elif kind == "charge":
            payer, payee = other.membership_id, me.id
            _check_payee(mine, amount, own=True)
        else:
            raise ValueError(kind)
        expires_at = now + lifetime
        remind_at = expires_at - CHARGE_REMINDER_BEFORE if kind == "charge" else None
        request_id, created = await ledger_rows.insert_request(
            conn, request_key=request_key, community_id=actor.community.id, kind=kind,
            payer_membership_id=payer, payee_membership_id=payee, amount=amount, memo=memo,
            post_id=post_id, created_by_person_id=actor.person.id, now=to_db(now),
            expires_at=to_db(expires_at), remind_at=to_db(remind_at) if remind_at else None,
        )
        if created and remind_at is not None:
            await reminder_rows.add(conn, kind="charge", request_id=request_id,
                                    membership_id=payer, due_at=to_db(remind_at), now=to_db(now))
        if created and kind == "pay":
            await ledger_rows.retire_previews(conn, payer, payee, request_id, to_db(now))
        return await load_trade(conn, request_id, newly_decided=created)

    # ----- deciding a trade -------------------------------------------------------------

    async def confirm_pay(self, actor: Actor, request_id: int) -> TradeView:
        return await self._settle(actor, request_id, kind="pay")

    async def accept_charge(self, actor: Actor, request_id: int) -> TradeView:
        return await self._settle(actor, request_id, kind="charge")

    async def _settle(self, actor: Actor, request_id: int, *, kind: str) -> TradeView:
        now = self._clock.now()

        async def work(conn: Connection) -> TradeView:
            # Rows decided on are locked first, request then accounts (storage/port.py).
            request = await self._request_for_payer(conn, actor, request_id, kind, lock=True)
            if request.status == "committed":
                return await load_trade(conn, request_id, newly_decided=False)
            _require_pending(request, now)
            await ledger_rows.lock_accounts_of(
                conn, [request.payer_membership_id, request.payee_membership_id])
            payer = await ledger_rows.limits_and_balance(conn, request.payer_membership_id)
            payee = await ledger_rows.limits_and_balance(conn, request.payee_membership_id)
            _check_can_trade(payer, payee)
            _check_payer(payer, request.amount)
            _check_payee(payee, request.amount, own=False)
            transfer_id = await ledger_rows.insert_transfer(
                conn, community_id=request.community_id, payer_account_id=payer["account_id"],
                payee_account_id=payee["account_id"], amount=request.amount, kind=kind,
                memo=request.memo, reason=None, request_id=request.id, reverses_id=None,
                post_id=request.post_id, created_by_person_id=actor.person.id, now=to_db(now),
            )
            if not await ledger_rows.close_request(
                conn, request.id, "committed", to_db(now), transfer_id
            ):
                raise RuntimeError("request changed inside its own write transaction")
            await reminder_rows.drop_for_request(conn, request.id, to_db(now))
            return await load_trade(conn, request_id, newly_decided=True)

        return await self._db.transact(work, locks_rows=True)

    async def decline_charge(self, actor: Actor, request_id: int) -> TradeView:
        return await self._close(actor, request_id, kind="charge", by="payer", status="declined")

    async def cancel(self, actor: Actor, request_id: int) -> TradeView:
        """The one who started a request withdraws it (pay preview or charge)."""
        now = self._clock.now()
        async with self._db.write() as conn:
            row = await ledger_rows.get_request(conn, request_id)
            if row is None:
                raise DomainError("request_not_found")
            request = TradeRequest.from_row(row)
            starter = request.payer_membership_id if request.kind == "pay" else (
                request.payee_membership_id
            )
            await self._require_member_is_actor(conn, actor, starter)
            return await self._close_in(conn, request, "cancelled", now)

    async def _close(
        self, actor: Actor, request_id: int, *, kind: str, by: str, status: str
    ) -> TradeView:
        now = self._clock.now()
        async with self._db.write() as conn:
            request = await self._request_for_payer(conn, actor, request_id, kind)
            return await self._close_in(conn, request, status, now)

    async def _close_in(self, conn: Connection, request: TradeRequest, status: str, now):
        if request.status == status:
            return await load_trade(conn, request.id, newly_decided=False)
        _require_pending(request, now)
        await ledger_rows.close_request(conn, request.id, status, to_db(now))
        await reminder_rows.drop_for_request(conn, request.id, to_db(now))
        return await load_trade(conn, request.id, newly_decided=True)

    async def _request_for_payer(
        self, conn: Connection, actor: Actor, request_id: int, kind: str, *, lock: bool = False
    ) -> TradeRequest:
        row = await ledger_rows.get_request(conn, request_id, lock=lock)
        if row is None or row["kind"] != kind:
            raise DomainError("request_not_found")
        request = TradeRequest.from_row(row)
        await self._require_member_is_actor(conn, actor, request.payer_membership_id)
        return request

    async def _require_member_is_actor(
        self, conn: Connection, actor: Actor, membership_id: int
    ) -> None:
        row = await membership_rows.get(conn, membership_id)
        if row is None or row["person_id"] != actor.person.id:
            raise DomainError("request_not_yours")

    # ----- time passing ---------------------------------------------------------------

    async def expire_due(self, limit: int = 200) -> list[TradeView]:
        """Expire pending requests whose time is up; each is reported once."""
        now = self._clock.now()
        expired = []
        async with self._db.write() as conn:
            for row in await ledger_rows.due_expiries(conn, to_db(now), limit):
                if await ledger_rows.close_request(conn, row["id"], "expired", to_db(now)):
                    await reminder_rows.drop_for_request(conn, row["id"], to_db(now))
                    expired.append(await load_trade(conn, row["id"], newly_decided=True))
        return expired

    # ----- corrections ---------------------------------------------------------------------

    async def prepare_reversal(
        self, actor: Actor, transfer_id: int, reason: str
    ) -> ReversalPreview:
        """Check a coordinator's reversal and keep it waiting for their Confirm; nothing moves.
        One write transaction, so a redelivered command is recognised."""
        async with self._db.write() as conn:
            row, reason = await _reversible(conn, actor, transfer_id, reason)
            original = Transfer.from_row(row)
            await dialog_rows.put(
                conn, actor.person.id, REVERSE_DIALOG, "confirm",
                {"transfer_id": original.id, "reason": reason}, to_db(self._clock.now()),
            )
            return ReversalPreview(
                original=original, reason=reason,
                community=await load_community(conn, original.community_id),
                payer=await _member_or_none(conn, original.payer_membership_id),
                payee=await _member_or_none(conn, original.payee_membership_id),
                payer_organisation=await _organisation_name(conn, row["payer_account_id"]),
                payee_organisation=await _organisation_name(conn, row["payee_account_id"]),
                staff=tuple(await _staff_of_accounts(
                    conn, (row["payer_account_id"], row["payee_account_id"]))),
            )

    async def confirm_reversal(self, actor: Actor, transfer_id: int) -> Reversal:
        """The coordinator's Confirm: the reversal they prepared, exactly once."""
        now = self._clock.now()
        async with self._db.write() as conn:
            reason = await _waiting_reason(conn, actor, transfer_id)
            if reason is None:
                raise DomainError("reversal_not_open", transfer_id=transfer_id)
            await dialog_rows.clear(conn, actor.person.id)
            return await _reverse_in(conn, actor, transfer_id, reason, now)

    async def drop_reversal(self, actor: Actor, transfer_id: int) -> bool:
        """Cancel the actor's waiting reversal of that transfer, if it waits; any other dialog
        (or a newer reversal) is left alone."""
        async with self._db.write() as conn:
            if await _waiting_reason(conn, actor, transfer_id) is None:
                return False
            return await dialog_rows.clear(conn, actor.person.id)

    async def reverse(self, actor: Actor, transfer_id: int, reason: str) -> Reversal:
        """A coordinator undoes a transfer at once (scripts and tests; chat confirms first)."""
        now = self._clock.now()
        async with self._db.write() as conn:
            return await _reverse_in(conn, actor, transfer_id, reason, now)

    # ----- reading -----------------------------------------------------------------------

    async def balance(self, actor: Actor, member_ref: str | None = None) -> BalanceView:
        community, me = require_member(actor)  # a suspended member may still read their own
        async with self._db.read() as conn:
            membership_id = me.id
            if member_ref:
                if not ((community.open_ledger and me.is_active) or me.is_coordinator):
                    raise DomainError("balance_private")
                other = await resolve_member_ref(conn, community.id, member_ref)
                membership_id = other.membership_id
            row = await ledger_rows.balance_view(conn, membership_id)
        return BalanceView(
            community=community, member=Member.from_row(row, {}), balance=row["balance"],
            credit_floor=row["credit_floor"], credit_ceiling=row["credit_ceiling"],
        )

    async def history(
        self, actor: Actor, page: int = 0, member_ref: str | None = None, *,
        older_than: int | None = None, newer_than: int | None = None,
    ) -> HistoryPage:
        """The actor's statement, or (coordinators only) another member's, newest first.
        Without a cursor, the newest page; `older_than` / `newer_than` (a page's cursor) the
        page after or before it, read from the index whatever the page number: `page` only
        numbers the page for the text."""
        community, me = require_member(actor)  # a suspended member may still read their own
        async with self._db.read() as conn:
            membership_id, member = me.id, None
            if member_ref:
                other = await resolve_member_ref(conn, community.id, member_ref)
                if other.membership_id != me.id:
                    if not me.is_coordinator:
                        raise DomainError("history_private")
                    membership_id, member = other.membership_id, other
            rows, page, has_newer, has_older = await _statement_page(
                conn, membership_id, max(0, page), older_than, newer_than)
            if rows:
                balance = rows[0]["balance"]
            else:
                balance = (await ledger_rows.account_of(conn, membership_id))["balance"]
        entries = [
            HistoryEntry(
                transfer_id=row["transfer_id"], created_at=from_db(row["created_at"]),
                amount=row["amount"], kind=row["kind"], memo=row["memo"],
                counterparty_number=row["counterparty_number"],
                counterparty_name=row["counterparty_name"], reason=row["reason"],
                reverses_id=row["reverses_id"], reversed_by=row["reversed_by"],
                purpose=row["purpose"], organisation=row["counterparty_organisation"],
            )
            for row in rows
        ]
        return HistoryPage(
            community=community, balance=balance, entries=entries, page=page,
            has_more=has_older, member=member,
            older=rows[-1]["movement_id"] if rows and has_older else None,
            newer=rows[0]["movement_id"] if rows and has_newer else None,
        )

    async def pending(self, actor: Actor, page: int = 0) -> PendingPage:
        _, me = require_active_member(actor)
        page = max(0, page)
        async with self._db.read() as conn:
            rows = await ledger_rows.open_requests_of(
                conn, me.id, PENDING_PAGE_SIZE + 1, page * PENDING_PAGE_SIZE)
            views = [await load_trade(conn, row["id"], newly_decided=False)
                     for row in rows[:PENDING_PAGE_SIZE]]
        return PendingPage(views=views, page=page, has_more=len(rows) > PENDING_PAGE_SIZE)

    async def find_counterparty(self, actor: Actor, text: str) -> MemberChoices:
        """The members of the actor's community the text may name, the actor never among
        them, each with what they offer: for picking whom to pay or charge."""
        community, me = require_active_member(actor)
        async with self._db.read() as conn:
            match = match_member_for(text, await community_candidates(conn, community.id),
                                     me.number)
            found = match.members[:CHOICES_MAX]
            offers = await post_rows.newest_open_offers(conn, community.id,
                                                        [c.number for c in found])
        return MemberChoices(
            match.kind, tuple(MemberChoice(c.number, c.name, offers.get(c.number))
                              for c in found), more=len(match.members) - len(found))

    async def awaiting_answer(self, actor: Actor) -> Awaiting:
        """What a bare "yes" from the actor could answer: their newest pay preview still
        open, and the charges waiting for them to pay (newest first, a few)."""
        _, me = require_active_member(actor)
        now = to_db(self._clock.now())
        async with self._db.read() as conn:
            row = await ledger_rows.newest_preview(conn, me.id, now)
            preview = await load_trade(conn, row["id"], newly_decided=False) if row else None
            charges = [await load_trade(conn, charge["id"], newly_decided=False)
                       for charge in await ledger_rows.charges_awaiting(conn, me.id, now, 2)]
        return Awaiting(preview, charges)

    async def trade(self, actor: Actor, request_id: int) -> TradeView:
        """A request seen by one of its two parties."""
        async with self._db.read() as conn:
            view = await load_trade(conn, request_id, newly_decided=False)
        if actor.person.id not in (view.payer.person_id, view.payee.person_id):
            raise DomainError("request_not_found")
        return view


async def _statement_page(
    conn: Connection, membership_id: int, page: int, older_than: int | None,
    newer_than: int | None,
) -> tuple[list[Row], int, bool, bool]:
    """One page of a statement: its rows newest first, its number, and whether newer and
    older rows exist. One row more than a page tells whether the next page exists."""
    size = HISTORY_PAGE_SIZE
    if newer_than is not None:
        rows = await ledger_rows.history(conn, membership_id, size + 1, after=newer_than)
        if len(rows) >= size:  # a full page: the newer ones nearest the cursor
            has_newer = len(rows) > size
            # the first page has no newer rows; a page with newer rows is not the first
            page = max(1, page) if has_newer else 0
            return list(reversed(rows[:size])), page, has_newer, True
        older_than = None  # fewer than a page is newer: the newest page, full
    if older_than is not None:
        rows = await ledger_rows.history(conn, membership_id, size + 1, before=older_than)
        return rows[:size], max(1, page), True, len(rows) > size
    rows = await ledger_rows.history(conn, membership_id, size + 1)
    return rows[:size], 0, False, len(rows) > size


async def _waiting_reason(conn: Connection, actor: Actor, transfer_id: int) -> str | None:
    """The reason of the actor's reversal of that transfer waiting for Confirm, if any."""
    waiting = await dialog_rows.get(conn, actor.person.id)
    if waiting is None or waiting[0] != REVERSE_DIALOG:
        return None
    data = waiting[2]
    return data.get("reason") if data.get("transfer_id") == transfer_id else None


async def _reversible(
    conn: Connection, actor: Actor, transfer_id: int, reason: str
) -> tuple[Row, str]:
    """The transfer (row) a coordinator of its community may reverse, and the cleaned reason.
    Who may act is checked before the reason, so others learn nothing but 'not found'."""
    row = await ledger_rows.get_transfer(conn, transfer_id)
    if row is None:
        raise DomainError("transfer_not_found", transfer_id=transfer_id)
    coordinator = await membership_rows.get_for(conn, row["community_id"], actor.person.id)
    if coordinator is None or not Membership.from_row(coordinator).is_coordinator:
        raise DomainError("transfer_not_found", transfer_id=transfer_id)
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN:
        raise DomainError("reversal_reason_short", minimum=REASON_MIN)
    if len(reason) > MEMO_MAX:
        raise DomainError("memo_too_long", maximum=MEMO_MAX)
    if row["kind"] == "reversal":
        raise DomainError("cannot_reverse_reversal", transfer_id=transfer_id)
    if row["purpose"] in ("merchant_refund", "event_refund"):
        # A refund is a correction itself; undoing it would leave the payment or sign-up
        # marked refunded, and the takings and statistics wrong.
        raise DomainError("cannot_reverse_refund", transfer_id=transfer_id)
    if await ledger_rows.reversal_of(conn, transfer_id) is not None:
        raise DomainError("already_reversed", transfer_id=transfer_id)
    if row["purpose"] == "merchant" and await ledger_rows.refund_of(conn, transfer_id):
        # The shop gave this payment back already; reversing it too would pay it twice.
        raise DomainError("fee_already_refunded", transfer_id=transfer_id)
    if row["purpose"] == "event_fee" and await ledger_rows.event_fee_refunded(conn, row):
        # The event flow gave this fee back already; reversing it too would pay it twice.
        raise DomainError("fee_already_refunded", transfer_id=transfer_id)
    return row, reason


async def _reverse_in(
    conn: Connection, actor: Actor, transfer_id: int, reason: str, now
) -> Reversal:
    """Undo a transfer inside the caller's write transaction; limits do not apply because it
    fixes an error. The checks run again here, so two coordinators at once reverse it once."""
    row, reason = await _reversible(conn, actor, transfer_id, reason)
    original = Transfer.from_row(row)
    # limits do not stop a correction, but a shop's account never goes below 0
    await require_covers(conn, row["payee_account_id"], original.amount)
    reversal_id = await ledger_rows.insert_transfer(
        conn, community_id=original.community_id,
        payer_account_id=row["payee_account_id"], payee_account_id=row["payer_account_id"],
        amount=original.amount, kind="reversal", memo=original.memo, reason=reason,
        request_id=None, reverses_id=original.id, post_id=None,
        created_by_person_id=actor.person.id, now=to_db(now),
    )
    await audit_rows.record(
        conn, community_id=original.community_id, actor_person_id=actor.person.id,
        action="transfer_reverse", target=f"transfer:{original.id}", reason=reason,
        details={"reversal_id": reversal_id, "amount": original.amount}, now=to_db(now),
    )
    reversal = Transfer.from_row(await ledger_rows.get_transfer(conn, reversal_id))
    return Reversal(
        original=original,
        reversal=reversal,
        community=await load_community(conn, original.community_id),
        payer=await _member_or_none(conn, original.payer_membership_id),
        payee=await _member_or_none(conn, original.payee_membership_id),
        payer_organisation=await _organisation_name(conn, row["payer_account_id"]),
        payee_organisation=await _organisation_name(conn, row["payee_account_id"]),
        staff=tuple(await _staff_of_accounts(
            conn, (row["payer_account_id"], row["payee_account_id"]))),
    )


async def _member_or_none(conn: Connection, membership_id: int | None) -> Member | None:
    """None stands for an account of no member: the community's, or an organisation's (whose
    name `_organisation_name` gives)."""
    return None if membership_id is None else await load_member(conn, membership_id)


async def _organisation_name(conn: Connection, account_id: int) -> str | None:
    row = await ledger_rows.organisation_of_account(conn, account_id)
    return None if row is None else row["name"]


async def _staff_of_accounts(conn: Connection, account_ids) -> list[Member]:
    """The staff of the organisations holding these accounts: told of a correction."""
    staff = []
    for account_id in account_ids:
        row = await ledger_rows.organisation_of_account(conn, account_id)
        if row is not None:
            for member_row in await organisation_rows.staff(conn, row["id"]):
                staff.append(await load_member(conn, member_row["membership_id"]))
    return staff


def _require_pending(request: TradeRequest, now) -> None:
    if request.status == "expired" or (request.status == "pending" and request.expires_at <= now):
        # A pay preview also expires when a newer one to the same payee replaces it.
        raise DomainError("preview_expired" if request.kind == "pay" else "request_expired")
    if request.status != "pending":
        raise DomainError("request_closed", status=request.status)


def _check_can_trade(payer_or_me, other) -> None:
    """Both sides active, and past orientation where the community requires it."""
    if payer_or_me is None or payer_or_me["status"] != "active":
        raise DomainError("membership_suspended", community="")
    if payer_or_me["needs_orientation"]:
        raise DomainError("orientation_needed")
    if other is None or other["status"] != "active" or other["needs_orientation"]:
        raise DomainError("member_unavailable", number=None)


def _check_payer(row, amount: int) -> None:
    """Inclusive floor: ending exactly at the floor is allowed, one unit more is not."""
    if row["balance"] - amount < row["credit_floor"]:
        raise DomainError("over_floor", can_spend=max(0, row["balance"] - row["credit_floor"]))


def _check_payee(row, amount: int, *, own: bool) -> None:
    if row["balance"] + amount > row["credit_ceiling"]:
        if own:
            raise DomainError(
                "over_own_ceiling", can_receive=max(0, row["credit_ceiling"] - row["balance"])
            )
        raise DomainError("over_ceiling")
