"""Privacy a Korean welfare centre must offer: the joining notice's version, leaving a
community, a coordinator settling a balance with the community account, erasing a former
member's name and channel ids, and a member's own data.

The ledger is never edited for privacy. Leaving needs a balance of 0 (a coordinator settles
any other balance first, with a transfer to or from the community account); erasing blanks
the person's name and username and deletes their channel identities, while every transfer,
movement and membership row stays, shown as "former member #23". Their survey answers stay
in the results' counts but are untied from them, and free-text answers lose their words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.clock import Clock
from core.errors import DomainError
from core.event_seats import FeeReturn, Promotion, community_of, fill_seats, give_back_fee
from core.ledger import MEMO_MAX, REASON_MIN
from core.membership import require_coordinator, require_member
from core.models import Actor, Community, Event, EventView, Member, TradeView, Transfer
from core.views import load_community, load_member, load_trade
from storage import audit as audit_rows
from storage import events as event_rows
from storage import experts as expert_rows
from storage import ledger as ledger_rows
from storage import memberships as membership_rows
from storage import people as people_rows
from storage import privacy as privacy_rows
from storage import reminders as reminder_rows
from storage.db import Connection, Database
from storage.timefmt import from_db, to_db

# The joining notice (개인정보 수집·이용 안내) in force. Change it whenever the notice's
# text changes in substance: a button of an older notice then shows the new one first.
NOTICE_VERSION = "1"
# Trades are accounting records: kept this many years after leaving (said in the notice).
LEDGER_YEARS_AFTER_LEAVING = 5
# An erasure waits this long for the coordinator's Confirm.
ERASE_CONFIRM_WINDOW = timedelta(minutes=30)
# Rows per table in a member's own data file; a longer past is cut and the file says so.
MY_DATA_ROWS = 10_000
# What stops leaving (a DomainError code each); anything else is a plain error.
LEAVE_BLOCKERS = frozenset({"leave_balance", "leave_last_coordinator"})


@dataclass(frozen=True)
class LeaveResult:
    community: Community
    member: Member
    newly: bool  # False: they had already left (a double tap)
    cancelled_requests: list[TradeView] = field(default_factory=list)
    cancelled_events: list[tuple[EventView, FeeReturn, Promotion]] = field(default_factory=list)
    posts_closed: int = 0
    coordinators: list[Member] = field(default_factory=list)

    @property
    def refunded(self) -> int:
        return sum(fee.refunded for _, fee, _ in self.cancelled_events)


@dataclass(frozen=True)
class LeavePlan:
    """What leaving would do now (`result`), or why it can't happen yet (`blocker`)."""

    community: Community
    member: Member
    result: LeaveResult | None
    blocker: DomainError | None
    coordinators: list[Member]


@dataclass(frozen=True)
class Settlement:
    community: Community
    member: Member
    transfer: Transfer
    balance_before: int


@dataclass(frozen=True)
class ErasurePreview:
    request_id: int
    community: Community
    member: Member
    reason: str


@dataclass(frozen=True)
class Erasure:
    community: Community
    number: int | None
    newly: bool  # False when it was already done (a double tap)


@dataclass(frozen=True)
class MyData:
    """A person's own rows, each table cut at MY_DATA_ROWS (`totals` says how many there
    are in all)."""

    person: dict[str, Any]
    identities: list[dict[str, Any]]
    memberships: list[dict[str, Any]]
    trades: list[dict[str, Any]]
    posts: list[dict[str, Any]]
    signups: list[dict[str, Any]]
    totals: dict[str, int]
    surveys: list[dict[str, Any]] = field(default_factory=list)  # invitations
    survey_answers: list[dict[str, Any]] = field(default_factory=list)


class _DryRun(Exception):
    """Carries what leaving would do out of a transaction that is then rolled back."""

    def __init__(self, result: LeaveResult) -> None:
        super().__init__("dry run")
        self.result = result


def clean_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN:
        raise DomainError("reason_required")
    if len(reason) > MEMO_MAX:
        raise DomainError("memo_too_long", maximum=MEMO_MAX)
    return reason


class PrivacyService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # ----- leaving ------------------------------------------------------------------------

    async def leave_plan(self, actor: Actor) -> LeavePlan:
        """Leaving the current community as it would go now: the same steps as `leave`, run
        in a write transaction that is rolled back, so the preview's refunds, cancellations
        and remaining balance are exactly what Confirm will do (if nothing changes)."""
        community, membership = require_member(actor)
        now = self._clock.now()
        result, blocker = None, None
        try:
            async with self._db.write() as conn:
                row = await membership_rows.get(conn, membership.id)
                raise _DryRun(await self._leave_in(conn, row, now))
        except _DryRun as dry_run:
            result = dry_run.result
        except DomainError as error:
            if error.code not in LEAVE_BLOCKERS:
                raise
            blocker = error
        async with self._db.read() as conn:
            member = await load_member(conn, membership.id)
            coordinators = await _coordinators(conn, community.id, but=actor.person.id)
        return LeavePlan(community, member, result, blocker, coordinators)

    async def leave(self, actor: Actor, membership_id: int) -> LeaveResult:
        """Leave the community of that membership (the actor's own), once."""
        now = self._clock.now()
        async with self._db.write() as conn:
            row = await membership_rows.get(conn, membership_id)
            if row is None or row["person_id"] != actor.person.id:
                raise DomainError("not_member")
            if row["status"] == "left":
                return LeaveResult(await load_community(conn, row["community_id"]),
                                   await load_member(conn, membership_id), newly=False)
            return await self._leave_in(conn, row, now)

    async def _leave_in(self, conn: Connection, row, now: datetime) -> LeaveResult:
        """Inside the caller's write transaction: cancel what is open, give back what the
        usual rules give back, then leave — or raise why not (and everything rolls back)."""
        membership_id, community_id = row["id"], row["community_id"]
        if row["status"] not in ("active", "suspended"):
            raise DomainError("not_member")
        if row["role"] == "coordinator" and row["status"] == "active" and (
            await privacy_rows.active_coordinator_count(conn, community_id) <= 1
        ):
            community = await load_community(conn, community_id)
            raise DomainError("leave_last_coordinator", community=community.name)
        cancelled = []
        for request in await privacy_rows.open_requests(conn, membership_id):
            if await ledger_rows.close_request(conn, request["id"], "cancelled", to_db(now)):
                await reminder_rows.drop_for_request(conn, request["id"], to_db(now))
                cancelled.append(await load_trade(conn, request["id"], newly_decided=True))
        events = []
        for signup in await privacy_rows.signups_ahead(conn, membership_id, to_db(now)):
            events.append(await _end_signup(conn, signup, membership_id, row["person_id"], now))
        account = await ledger_rows.account_of(conn, membership_id)
        balance = account["balance"] if account is not None else 0
        community = await load_community(conn, community_id)
        if balance != 0:
            raise DomainError("leave_balance", community=community.name, balance=balance,
                              unit=community.unit, number=row["number"])
        posts_closed = await privacy_rows.close_open_posts(conn, membership_id)
        if not await privacy_rows.set_left(conn, membership_id, to_db(now)):
            raise DomainError("not_member")
        await reminder_rows.drop_for_member(conn, membership_id, to_db(now))
        await expert_rows.leave_with_membership(conn, membership_id, to_db(now))
        person = await people_rows.get(conn, row["person_id"])
        if person["current_community_id"] == community_id:
            elsewhere = await privacy_rows.other_active_community(
                conn, row["person_id"], community_id)
            if elsewhere is None:
                await privacy_rows.clear_current_community(conn, row["person_id"])
            else:
                await people_rows.set_current_community(conn, row["person_id"], elsewhere)
        await audit_rows.record(
            conn, community_id=community_id, actor_person_id=row["person_id"],
            action="member_leave", target=f"membership:{membership_id}", reason=None,
            details={"requests_cancelled": len(cancelled), "signups_cancelled": len(events),
                     "posts_closed": posts_closed}, now=to_db(now))
        return LeaveResult(
            community=community, member=await load_member(conn, membership_id), newly=True,
            cancelled_requests=cancelled, cancelled_events=events, posts_closed=posts_closed,
            coordinators=await _coordinators(conn, community_id, but=row["person_id"]),
        )

    # ----- settling -----------------------------------------------------------------------

    async def settle(self, actor: Actor, number: int, reason: str) -> Settlement:
        """A coordinator brings a member's balance to 0 with one transfer to (a positive
        balance) or from (a negative one) the community account, with a reason. The member
        ends at 0, inside any limits, and the community account has none; the sum stays 0."""
        community, _ = require_member(actor)
        reason = clean_reason(reason)
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            await require_coordinator(conn, actor, community.id)
            target = await membership_rows.member_by_number(conn, community.id, number)
            if target is None or target["status"] not in ("active", "suspended", "left"):
                raise DomainError("member_not_found", ref=f"#{number}")
            if target["person_id"] == actor.person.id:
                raise DomainError("settle_self")
            account = await ledger_rows.account_of(conn, target["membership_id"])
            balance = account["balance"] if account is not None else 0
            if balance == 0:
                raise DomainError("settle_nothing", number=number)
            house = await ledger_rows.community_account(conn, community.id)
            payer, payee = (account, house) if balance > 0 else (house, account)
            transfer_id = await ledger_rows.insert_transfer(
                conn, community_id=community.id, payer_account_id=payer["id"],
                payee_account_id=payee["id"], amount=abs(balance), kind="pay", memo=None,
                reason=reason, request_id=None, reverses_id=None, post_id=None,
                created_by_person_id=actor.person.id, now=now, purpose="settlement")
            await audit_rows.record(
                conn, community_id=community.id, actor_person_id=actor.person.id,
                action="balance_settle", target=f"membership:{target['membership_id']}",
                reason=reason, details={"transfer_id": transfer_id, "balance": balance},
                now=now)
            transfer = Transfer.from_row(await ledger_rows.get_transfer(conn, transfer_id))
            member = await load_member(conn, target["membership_id"])
        return Settlement(community, member, transfer, balance)

    # ----- erasing ------------------------------------------------------------------------

    async def prepare_erasure(self, actor: Actor, number: int, reason: str) -> ErasurePreview:
        """Check that a former member may be erased and keep the request waiting for the
        coordinator's Confirm; nothing is erased yet."""
        community, _ = require_member(actor)
        reason = clean_reason(reason)
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            await require_coordinator(conn, actor, community.id)
            target = await membership_rows.member_by_number(conn, community.id, number)
            await _require_erasable(conn, target, number)
            request_id = await privacy_rows.insert_erasure(
                conn, community_id=community.id, membership_id=target["membership_id"],
                person_id=actor.person.id, reason=reason, now=now)
            member = await load_member(conn, target["membership_id"])
        return ErasurePreview(request_id, community, member, reason)

    async def confirm_erasure(self, actor: Actor, request_id: int) -> Erasure:
        """The coordinator's Confirm: erase the former member, exactly once."""
        now = self._clock.now()
        async with self._db.write() as conn:
            request = await _own_erasure(conn, actor, request_id)
            community = await load_community(conn, request["community_id"])
            target = await membership_rows.member_view(conn, request["membership_id"])
            if request["status"] == "done":
                return Erasure(community, target["number"], newly=False)
            if request["status"] != "pending" or (
                from_db(request["created_at"]) + ERASE_CONFIRM_WINDOW <= now
            ):
                raise DomainError("erasure_not_open", number=target["number"])
            await _require_erasable(conn, target, target["number"])
            person_id = target["person_id"]
            await privacy_rows.forget_addresses(conn, person_id, to_db(now))
            posts = await privacy_rows.erase_posts(conn, person_id)
            responses = await privacy_rows.erase_survey_answers(conn, person_id)
            await expert_rows.erase_person(conn, person_id, to_db(now))
            if not await privacy_rows.erase_person(conn, person_id, to_db(now)):
                raise DomainError("already_erased", number=target["number"])
            await privacy_rows.close_erasure(conn, request_id, "done", to_db(now))
            await audit_rows.record(
                conn, community_id=community.id, actor_person_id=actor.person.id,
                action="member_erase", target=f"membership:{target['membership_id']}",
                reason=request["reason"],
                details={"posts_emptied": posts, "survey_responses_untied": responses},
                now=to_db(now))
        return Erasure(community, target["number"], newly=True)

    async def cancel_erasure(self, actor: Actor, request_id: int) -> bool:
        async with self._db.write() as conn:
            await _own_erasure(conn, actor, request_id)
            return await privacy_rows.close_erasure(
                conn, request_id, "cancelled", to_db(self._clock.now()))

    # ----- a member's own data ------------------------------------------------------------

    async def my_data(self, actor: Actor) -> MyData:
        """Everything kept about the person: profile, channel ids, memberships with their
        consent, trades (both sides as their statement shows them), posts, sign-ups, survey
        invitations and the survey answers still tied to them."""
        person_id = actor.person.id
        async with self._db.snapshot() as conn:
            person = await privacy_rows.person(conn, person_id)
            found = MyData(
                person=dict(person),
                identities=[dict(r) for r in await privacy_rows.identities(conn, person_id)],
                memberships=[dict(r) for r in await privacy_rows.memberships(conn, person_id)],
                trades=[dict(r) for r in await privacy_rows.trades(
                    conn, person_id, MY_DATA_ROWS)],
                posts=[dict(r) for r in await privacy_rows.posts(conn, person_id, MY_DATA_ROWS)],
                signups=[dict(r) for r in await privacy_rows.signups(
                    conn, person_id, MY_DATA_ROWS)],
                totals={what: await privacy_rows.count_of(conn, what, person_id)
                        for what in ("trades", "posts", "signups", "surveys",
                                     "survey_answers")},
                surveys=[dict(r) for r in await privacy_rows.survey_invites(
                    conn, person_id, MY_DATA_ROWS)],
                survey_answers=[dict(r) for r in await privacy_rows.survey_answers(
                    conn, person_id, MY_DATA_ROWS)],
            )
        for rows in (found.identities, found.memberships, found.trades, found.posts,
                     found.signups, found.surveys, found.survey_answers):
            for row in rows:
                for key, value in row.items():
                    if key.endswith("_at") and isinstance(value, str):
                        row[key] = from_db(value)
        for key in ("created_at", "erased_at"):
            found.person[key] = from_db(found.person.get(key))
        return found


async def _end_signup(conn: Connection, signup, membership_id: int, person_id: int,
                      now: datetime) -> tuple[EventView, FeeReturn, Promotion]:
    """Cancel one sign-up of a member who leaves, as EventService.cancel_signup does: the
    fee comes back before the event's cut-off, and the waiting list moves up."""
    event = Event.from_row(signup)
    await event_rows.set_signup_status(conn, signup["signup_id"], "cancelled",
                                       signup["signup_status"], to_db(now))
    await reminder_rows.drop_for_signup(conn, event.id, membership_id, to_db(now))
    fee = await give_back_fee(conn, event, signup, person_id, now, refund=(
        signup["signup_status"] == "signed"
        and now < event.starts_at - timedelta(hours=event.refund_cutoff_hours)))
    promotion = await fill_seats(conn, event.id, person_id, now)
    unit = (await community_of(conn, event)).unit
    return EventView(Event.from_row(await event_rows.get(conn, event.id)), unit), fee, promotion


async def _coordinators(conn: Connection, community_id: int, *, but: int) -> list[Member]:
    return [await load_member(conn, row["membership_id"])
            for row in await membership_rows.coordinators(conn, community_id)
            if row["person_id"] != but]


async def _require_erasable(conn: Connection, target, number: int | None) -> None:
    """Only a former member (left), whose balance is 0, who belongs nowhere else any more."""
    if target is None or target["status"] in ("pending", "rejected"):
        raise DomainError("member_not_found", ref=f"#{number}")
    person = await people_rows.get(conn, target["person_id"])
    if person["erased_at"] is not None:
        raise DomainError("already_erased", number=number)
    if target["status"] != "left":
        raise DomainError("erase_not_left", number=number)
    account = await ledger_rows.account_of(conn, target["membership_id"])
    if account is not None and account["balance"] != 0:
        raise DomainError("erase_balance", number=number)
    if await privacy_rows.memberships_still_open(conn, target["person_id"]):
        raise DomainError("erase_member_elsewhere", number=number)


async def _own_erasure(conn: Connection, actor: Actor, request_id: int):
    """An erasure request this coordinator made, in a community they still coordinate;
    anyone else learns only that there is none."""
    request = await privacy_rows.get_erasure(conn, request_id)
    if request is None or request["requested_by_person_id"] != actor.person.id:
        raise DomainError("erasure_not_found")
    await require_coordinator(conn, actor, request["community_id"])
    return request
