"""Study sessions (품앗이 학당), meetings and field trips: scheduling, sign-ups with a waiting
list, fees and refunds, check-in with rewards, and the orientation policy."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.amounts import MAX_AMOUNT
from core.clock import Clock
from core.dialogs import Dialog
from core.dialogs import finish as finish_dialog
from core.errors import DomainError
from core.membership import require_active_member, require_coordinator
from core.models import Actor, Community, Event, EventView, Member, Membership
from core.views import load_community, load_member
from core.when import SEOUL
from storage import audit as audit_rows
from storage import communities as community_rows
from storage import events as event_rows
from storage import ledger as ledger_rows
from storage import memberships as membership_rows
from storage import reminders as reminder_rows
from storage.db import Connection, Database
from storage.timefmt import to_db

KINDS = ("study", "meeting", "trip")
AUDIENCES = ("community", "coordinators", "all")
TITLE_MAX = 80
UPCOMING_LIMIT = 20


@dataclass
class EventDraft:
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    place: str | None = None
    map_url: str | None = None
    capacity: int | None = None
    audience: str = "community"
    fee: int = 0
    reward: int = 0
    host: str | None = None
    is_orientation: bool = False


@dataclass(frozen=True)
class SignupResult:
    status: str  # 'signed', 'waiting' or 'already'
    view: EventView


@dataclass(frozen=True)
class CancelSignupResult:
    view: EventView
    refunded: int
    promoted: Member | None
    promotion_failed: Member | None = None


@dataclass(frozen=True)
class EventChange:
    view: EventView
    attendees: list[Member] = field(default_factory=list)
    refunds: int = 0


@dataclass(frozen=True)
class CheckinResult:
    view: EventView
    member: Member
    newly: bool
    reward_paid: int
    reward_refused: bool = False


def validate_draft(draft: EventDraft, now: datetime) -> None:
    if draft.kind not in KINDS:
        raise DomainError("event_kind_invalid")
    if not draft.title.strip() or len(draft.title) > TITLE_MAX:
        raise DomainError("post_title_invalid", minimum=1, maximum=TITLE_MAX)
    if draft.starts_at <= now:
        raise DomainError("when_past", text="")
    if draft.ends_at <= draft.starts_at:
        raise DomainError("when_end_before_start", text="")
    if draft.capacity is not None and not 0 < draft.capacity <= 10_000:
        raise DomainError("event_capacity_invalid")
    if draft.audience not in AUDIENCES:
        raise DomainError("event_audience_invalid")
    for amount in (draft.fee, draft.reward):
        if not 0 <= amount <= MAX_AMOUNT:
            raise DomainError("amount_too_large", text=str(amount), maximum=MAX_AMOUNT)
    if draft.audience == "all" and (draft.fee or draft.reward):
        raise DomainError("event_all_no_currency")


@dataclass
class ImportReport:
    imported: int = 0
    problems: list[tuple[int, str, dict]] = field(default_factory=list)  # (line, code, params)


def _row_draft(row: dict[str, str], now: datetime) -> EventDraft:
    """One CSV row (kind,title,start,end,place,capacity) as a draft, or a DomainError."""
    kind = (row.get("kind") or "").strip()
    if kind not in KINDS:
        raise DomainError("event_kind_invalid")
    try:
        starts = datetime.strptime((row.get("start") or "").strip(), "%Y-%m-%d %H:%M")
        ends = datetime.strptime((row.get("end") or "").strip(), "%Y-%m-%d %H:%M")
    except ValueError as error:
        raise DomainError("when_invalid", text="") from error
    capacity_text = (row.get("capacity") or "").strip()
    if capacity_text and not capacity_text.isdigit():
        raise DomainError("event_capacity_invalid")
    draft = EventDraft(
        kind=kind, title=(row.get("title") or "").strip(),
        starts_at=starts.replace(tzinfo=SEOUL), ends_at=ends.replace(tzinfo=SEOUL),
        place=(row.get("place") or "").strip() or None,
        capacity=int(capacity_text) if capacity_text else None,
    )
    validate_draft(draft, now)
    return draft


class EventService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # ----- coordinators ----------------------------------------------------------------

    async def create(self, actor: Actor, draft: EventDraft, *, finishing: Dialog | None = None
                     ) -> EventView:
        community, _ = require_active_member(actor)
        now = self._clock.now()
        validate_draft(draft, now)
        if draft.audience == "all" and not actor.is_admin:
            raise DomainError("not_admin")
        async with self._db.write() as conn:
            await require_coordinator(conn, actor, community.id)
            if finishing is not None:  # a second tap of Save finds it gone and saves nothing
                await finish_dialog(conn, actor.person.id, finishing)
            event_id = await event_rows.insert(conn, {
                "community_id": None if draft.audience == "all" else community.id,
                "kind": draft.kind, "title": draft.title.strip(),
                "description": draft.description.strip(), "starts_at": to_db(draft.starts_at),
                "ends_at": to_db(draft.ends_at), "place": draft.place,
                "map_url": draft.map_url, "capacity": draft.capacity,
                "audience": draft.audience, "fee": draft.fee, "reward": draft.reward,
                "host": draft.host, "is_orientation": int(draft.is_orientation),
                "created_by_person_id": actor.person.id, "created_at": to_db(now),
                "updated_at": to_db(now),
            })
            await audit_rows.record(conn, community_id=community.id,
                                    actor_person_id=actor.person.id, action="event_create",
                                    target=f"event:{event_id}", reason=None,
                                    details={"title": draft.title}, now=to_db(now))
            return await self._view(conn, event_id, None)

    async def edit(self, actor: Actor, event_id: int, changes: dict[str, Any], *,
                   finishing: Dialog | None = None) -> EventChange:
        """Change fields of a scheduled event; everyone signed up is to be told."""
        now = self._clock.now()
        async with self._db.write() as conn:
            event = await self._event_for_coordinator(conn, actor, event_id)
            if finishing is not None:
                await finish_dialog(conn, actor.person.id, finishing)
            merged = EventDraft(
                kind=event.kind, title=changes.get("title", event.title),
                starts_at=changes.get("starts_at", event.starts_at),
                ends_at=changes.get("ends_at", event.ends_at),
                description=changes.get("description", event.description),
                place=changes.get("place", event.place),
                capacity=changes.get("capacity", event.capacity), audience=event.audience,
                fee=event.fee, reward=event.reward, host=event.host,
                is_orientation=event.is_orientation,
            )
            validate_draft(merged, now)
            stored = {key: to_db(value) if isinstance(value, datetime) else value
                      for key, value in changes.items()}
            await event_rows.update_fields(conn, event_id, stored, to_db(now))
            attendees = await self._attendees(conn, event_id, ("signed", "waiting"))
            if "starts_at" in changes:
                await reminder_rows.drop_for_event(conn, event_id, to_db(now))
                community = await self._community_of(conn, event)
                for member in await self._attendees(conn, event_id, ("signed",)):
                    await _schedule(conn, event_id, member.membership_id, merged.starts_at,
                                    community, now)
            await audit_rows.record(conn, community_id=event.community_id,
                                    actor_person_id=actor.person.id, action="event_edit",
                                    target=f"event:{event_id}", reason=None,
                                    details={k: str(v) for k, v in changes.items()},
                                    now=to_db(now))
            return EventChange(await self._view(conn, event_id, None), attendees)

    async def cancel(self, actor: Actor, event_id: int) -> EventChange:
        """Cancel an event: fees are refunded, reminders dropped, everyone is to be told."""
        now = self._clock.now()
        async with self._db.write() as conn:
            event = await self._event_for_coordinator(conn, actor, event_id)
            attendees = await self._attendees(conn, event_id, ("signed", "waiting"))
            refunds = 0
            for row in await event_rows.signed_members(conn, event_id, ("signed",)):
                if await self._refund(conn, event, row, actor.person.id, now):
                    refunds += 1
            await event_rows.cancel(conn, event_id, to_db(now))
            await reminder_rows.drop_for_event(conn, event_id, to_db(now))
            await audit_rows.record(conn, community_id=event.community_id,
                                    actor_person_id=actor.person.id, action="event_cancel",
                                    target=f"event:{event_id}", reason=None, details=None,
                                    now=to_db(now))
            return EventChange(await self._view(conn, event_id, None), attendees, refunds)

    async def managed(self, actor: Actor, event_id: int) -> EventView:
        """An event the actor may edit, cancel and take attendance for."""
        async with self._db.read() as conn:
            await self._event_for_coordinator(conn, actor, event_id)
            return await self._view(conn, event_id, None)

    async def open_checkin(self, actor: Actor, event_id: int) -> EventView:
        async with self._db.write() as conn:
            event = await self._event_for_coordinator(conn, actor, event_id)
            code = event.checkin_code or f"{secrets.randbelow(9000) + 1000}"
            await event_rows.set_checkin_code(conn, event_id, code)
            return await self._view(conn, event_id, None)

    async def attendance(self, actor: Actor, event_id: int) -> tuple[EventView, list[tuple]]:
        """(member, attended) for everyone signed up, for the coordinator's check-in list."""
        async with self._db.read() as conn:
            await self._event_for_coordinator(conn, actor, event_id)
            rows = await event_rows.signed_members(conn, event_id)
            view = await self._view(conn, event_id, None)
        return view, [(row["membership_id"], row["number"], row["display_name"],
                       row["attended_at"] is not None) for row in rows]

    async def check_in_member(self, actor: Actor, event_id: int, membership_id: int
                              ) -> CheckinResult:
        now = self._clock.now()
        async with self._db.write() as conn:
            event = await self._event_for_coordinator(conn, actor, event_id)
            row = await event_rows.signup(conn, event_id, membership_id)
            if row is None or row["status"] != "signed":
                raise DomainError("member_not_signed_up")
            return await self._check_in(conn, event, row, actor.person.id, now)

    async def import_schedule(self, community_code: str, rows: list[dict[str, str]],
                              first_line: int = 2) -> ImportReport:
        """Load a year's schedule; if any row is bad, nothing is imported."""
        now = self._clock.now()
        report = ImportReport()
        drafts = []
        for line, row in enumerate(rows, start=first_line):
            try:
                drafts.append(_row_draft(row, now))
            except DomainError as error:
                report.problems.append((line, error.code, error.params))
        if report.problems:
            return report
        async with self._db.write() as conn:
            community = await community_rows.get_by_code(conn, community_code)
            if community is None:
                raise DomainError("community_not_found", code=community_code)
            coordinators = await membership_rows.coordinators(conn, community["id"])
            if not coordinators:
                raise DomainError("no_coordinator")
            for draft in drafts:
                await event_rows.insert(conn, {
                    "community_id": community["id"], "kind": draft.kind, "title": draft.title,
                    "starts_at": to_db(draft.starts_at), "ends_at": to_db(draft.ends_at),
                    "place": draft.place, "capacity": draft.capacity,
                    "created_by_person_id": coordinators[0]["person_id"],
                    "created_at": to_db(now), "updated_at": to_db(now),
                })
            await audit_rows.record(conn, community_id=community["id"], actor_person_id=None,
                                    action="event_import", target=None, reason=None,
                                    details={"events": len(drafts)}, now=to_db(now))
        report.imported = len(drafts)
        return report

    # ----- members ------------------------------------------------------------------------

    async def upcoming(self, actor: Actor) -> list[EventView]:
        community, membership = require_active_member(actor)
        now = to_db(self._clock.now())
        async with self._db.read() as conn:
            rows = await event_rows.upcoming_for(conn, community.id, membership.is_coordinator,
                                                 now, "9999", UPCOMING_LIMIT)
            return [await self._view(conn, row["id"], membership.id) for row in rows]

    async def month(self, actor: Actor, start: datetime, end: datetime) -> list[EventView]:
        community, membership = require_active_member(actor)
        async with self._db.read() as conn:
            rows = await event_rows.in_month(conn, community.id, membership.is_coordinator,
                                             to_db(start), to_db(end))
            return [EventView(Event.from_row(row), community.unit) for row in rows]

    async def mine(self, actor: Actor) -> list[EventView]:
        community, membership = require_active_member(actor)
        async with self._db.read() as conn:
            rows = await event_rows.signups_of_member(conn, membership.id,
                                                      to_db(self._clock.now()))
        return [EventView(Event.from_row(row), community.unit, row["signup_status"])
                for row in rows]

    async def event(self, actor: Actor, event_id: int) -> EventView:
        community, membership = require_active_member(actor)
        async with self._db.read() as conn:
            event = await self._visible_event(conn, actor, membership, event_id)
            return await self._view(conn, event.id, membership.id)

    async def sign_up(self, actor: Actor, event_id: int, *, waitlist: bool = False
                      ) -> SignupResult:
        community, membership = require_active_member(actor)
        now = self._clock.now()
        async with self._db.write() as conn:
            event = await self._visible_event(conn, actor, membership, event_id)
            if event.starts_at <= now:
                raise DomainError("event_started")
            existing = await event_rows.signup(conn, event_id, membership.id)
            if existing is not None and existing["status"] in ("signed", "waiting"):
                return SignupResult("already", await self._view(conn, event_id, membership.id))
            if event.seats_left == 0:
                if not waitlist:
                    raise DomainError("event_full")
                await event_rows.put_signup(conn, event_id, membership.id, "waiting", to_db(now))
                return SignupResult("waiting", await self._view(conn, event_id, membership.id))
            signup_id = await event_rows.put_signup(conn, event_id, membership.id, "signed",
                                                    to_db(now))
            await self._seat(conn, event, signup_id, membership.id, actor.person.id, now)
            return SignupResult("signed", await self._view(conn, event_id, membership.id))

    async def cancel_signup(self, actor: Actor, event_id: int) -> CancelSignupResult:
        community, membership = require_active_member(actor)
        now = self._clock.now()
        async with self._db.write() as conn:
            event = await self._visible_event(conn, actor, membership, event_id)
            row = await event_rows.signup(conn, event_id, membership.id)
            if row is None or row["status"] not in ("signed", "waiting"):
                raise DomainError("event_not_signed_up")
            await event_rows.set_signup_status(conn, row["id"], "cancelled", row["status"],
                                               to_db(now))
            await reminder_rows.drop_for_signup(conn, event_id, membership.id, to_db(now))
            refunded = 0
            if row["status"] == "signed" and now < event.starts_at - timedelta(
                    hours=event.refund_cutoff_hours):
                refunded = await self._refund(conn, event, row, actor.person.id, now)
            promoted = failed = None
            if row["status"] == "signed" and event.starts_at > now:
                promoted, failed = await self._promote(conn, event, actor.person.id, now)
            view = await self._view(conn, event_id, membership.id)
            return CancelSignupResult(view, refunded, promoted, failed)

    async def check_in_by_code(self, actor: Actor, code: str) -> CheckinResult:
        community, membership = require_active_member(actor)
        code = (code or "").strip()
        now = self._clock.now()
        async with self._db.write() as conn:
            row = await event_rows.by_checkin_code(conn, code, community.id) if (
                code.isdigit() and len(code) == 4) else None
            if row is None:
                raise DomainError("checkin_code_invalid")
            event = Event.from_row(row)
            signup = await event_rows.signup(conn, event.id, membership.id)
            if signup is None or signup["status"] != "signed":
                raise DomainError("event_not_signed_up")
            return await self._check_in(conn, event, signup, actor.person.id, now)

    async def set_reminders(self, actor: Actor, enabled: bool) -> bool:
        community, membership = require_active_member(actor)
        now = self._clock.now()
        async with self._db.write() as conn:
            await membership_rows.set_event_reminders(conn, membership.id, enabled)
            if not enabled:
                await reminder_rows.drop_for_member(conn, membership.id, to_db(now))
            else:
                for row in await event_rows.signups_of_member(conn, membership.id, to_db(now)):
                    if row["signup_status"] == "signed":
                        await reminder_rows.drop_for_signup(conn, row["id"], membership.id,
                                                            to_db(now))
                        await _schedule(conn, row["id"], membership.id,
                                        Event.from_row(row).starts_at, community, now)
        return enabled

    # ----- inside a transaction ---------------------------------------------------------

    async def _seat(self, conn: Connection, event: Event, signup_id: int, membership_id: int,
                    person_id: int, now: datetime) -> None:
        """Charge the fee (if any) and arm the reminders of a confirmed seat."""
        community = await self._community_of(conn, event)
        if event.fee:
            member = await ledger_rows.limits_and_balance(conn, membership_id)
            if member["status"] != "active":
                raise DomainError("membership_suspended", community="")
            if member["balance"] - event.fee < member["credit_floor"]:
                raise DomainError("over_floor", can_spend=max(
                    0, member["balance"] - member["credit_floor"]))
            house = await ledger_rows.community_account(conn, event.community_id)
            transfer_id = await ledger_rows.insert_transfer(
                conn, community_id=event.community_id, payer_account_id=member["account_id"],
                payee_account_id=house["id"], amount=event.fee, kind="pay", memo=event.title,
                reason=None, request_id=None, reverses_id=None, post_id=None,
                created_by_person_id=person_id, now=to_db(now), purpose="event_fee",
                event_id=event.id)
            await event_rows.set_signup_transfer(conn, signup_id, "fee_transfer_id", transfer_id)
        await _schedule(conn, event.id, membership_id, event.starts_at, community, now)

    async def _refund(self, conn: Connection, event: Event, signup, person_id: int,
                      now: datetime) -> int:
        """Give the fee back from the community account; like a reversal, limits don't apply."""
        if not signup["fee_transfer_id"] or signup["refund_transfer_id"]:
            return 0
        fee = await ledger_rows.get_transfer(conn, signup["fee_transfer_id"])
        transfer_id = await ledger_rows.insert_transfer(
            conn, community_id=fee["community_id"], payer_account_id=fee["payee_account_id"],
            payee_account_id=fee["payer_account_id"], amount=fee["amount"], kind="pay",
            memo=event.title, reason=None, request_id=None, reverses_id=None, post_id=None,
            created_by_person_id=person_id, now=to_db(now), purpose="event_refund",
            event_id=event.id)
        signup_id = signup["signup_id"] if "signup_id" in signup.keys() else signup["id"]
        await event_rows.set_signup_transfer(conn, signup_id, "refund_transfer_id", transfer_id)
        return int(fee["amount"])

    async def _promote(self, conn: Connection, event: Event, person_id: int, now: datetime
                       ) -> tuple[Member | None, Member | None]:
        """Move the first on the waiting list up; one who can't pay the fee is passed over."""
        failed = None
        while True:
            waiting = await event_rows.first_waiting(conn, event.id)
            if waiting is None:
                return None, failed
            await event_rows.set_signup_status(conn, waiting["id"], "signed", "waiting",
                                               to_db(now))
            try:
                await self._seat(conn, event, waiting["id"], waiting["membership_id"],
                                 person_id, now)
            except DomainError:
                await event_rows.set_signup_status(conn, waiting["id"], "cancelled", "signed",
                                                   to_db(now))
                failed = await load_member(conn, waiting["membership_id"])
                continue
            return await load_member(conn, waiting["membership_id"]), failed

    async def _check_in(self, conn: Connection, event: Event, signup, person_id: int,
                        now: datetime) -> CheckinResult:
        member = await load_member(conn, signup["membership_id"])
        newly = await event_rows.mark_attended(conn, signup["id"], to_db(now))
        paid, refused = 0, False
        if newly and event.is_orientation:
            await event_rows.mark_oriented(conn, signup["membership_id"], to_db(now))
        if newly and event.reward and event.community_id is not None:
            payee = await ledger_rows.limits_and_balance(conn, signup["membership_id"])
            if payee["balance"] + event.reward > payee["credit_ceiling"]:
                refused = True
            else:
                house = await ledger_rows.community_account(conn, event.community_id)
                transfer_id = await ledger_rows.insert_transfer(
                    conn, community_id=event.community_id, payer_account_id=house["id"],
                    payee_account_id=payee["account_id"], amount=event.reward, kind="pay",
                    memo=event.title, reason=None, request_id=None, reverses_id=None,
                    post_id=None, created_by_person_id=person_id, now=to_db(now),
                    purpose="event_reward", event_id=event.id)
                await event_rows.set_signup_transfer(conn, signup["id"], "reward_transfer_id",
                                                     transfer_id)
                paid = event.reward
        view = await self._view(conn, event.id, signup["membership_id"])
        return CheckinResult(view, member, newly, paid, refused)

    async def _view(self, conn: Connection, event_id: int, membership_id: int | None
                    ) -> EventView:
        row = await event_rows.get(conn, event_id)
        if row is None:
            raise DomainError("event_not_found")
        event = Event.from_row(row)
        status, attended = None, False
        if membership_id is not None:
            signup = await event_rows.signup(conn, event_id, membership_id)
            if signup is not None and signup["status"] in ("signed", "waiting"):
                status, attended = signup["status"], signup["attended_at"] is not None
        unit = (await self._community_of(conn, event)).unit
        return EventView(event, unit, status, attended)

    async def _community_of(self, conn: Connection, event: Event) -> Community:
        if event.community_id is None:
            return Community(id=0, code="", name="", unit="문", credit_floor=0,
                             credit_ceiling=0, approval="auto", open_ledger=False)
        return await load_community(conn, event.community_id)

    async def _visible_event(self, conn: Connection, actor: Actor, membership: Membership,
                             event_id: int) -> Event:
        row = await event_rows.get(conn, event_id)
        if row is None:
            raise DomainError("event_not_found")
        event = Event.from_row(row)
        visible = event.audience == "all" or (
            event.community_id == membership.community_id
            and (event.audience == "community" or membership.is_coordinator))
        if not visible:
            raise DomainError("event_not_found")
        if event.status != "scheduled":
            raise DomainError("event_cancelled")
        return event

    async def _event_for_coordinator(self, conn: Connection, actor: Actor, event_id: int
                                     ) -> Event:
        row = await event_rows.get(conn, event_id)
        if row is None:
            raise DomainError("event_not_found")
        event = Event.from_row(row)
        if event.community_id is None:
            if not actor.is_admin:
                raise DomainError("event_not_found")
        else:
            await require_coordinator(conn, actor, event.community_id)
        if event.status != "scheduled":
            raise DomainError("event_cancelled")
        return event

    async def _attendees(self, conn: Connection, event_id: int, statuses: tuple[str, ...]
                         ) -> list[Member]:
        rows = await event_rows.signed_members(conn, event_id, statuses)
        return [await load_member(conn, row["membership_id"]) for row in rows]



async def _schedule(conn: Connection, event_id: int, membership_id: int, starts_at: datetime,
                    community: Community, now: datetime) -> None:
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
