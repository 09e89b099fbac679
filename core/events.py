"""Study sessions (품앗이 학당), meetings and field trips: scheduling, sign-ups with a waiting
list, fees and refunds, check-in with rewards, and the orientation policy. The money and
seats of a sign-up are in core.event_seats, the check-in rules in core.checkin."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core import checkin
from core.amounts import MAX_AMOUNT
from core.checkin import CheckinResult
from core.clock import Clock
from core.dialogs import Dialog
from core.dialogs import finish as finish_dialog
from core.errors import DomainError
from core.event_seats import (
    FeeReturn,
    Promotion,
    community_of,
    fill_seats,
    give_back_fee,
    require_may_pay_fee,
    schedule_reminders,
    take_seat,
)
from core.membership import require_active_member, require_coordinator
from core.models import Actor, Event, EventView, Member, Membership
from core.organisation_rules import require_programme_host, works_for
from core.views import load_member
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
    organisation_id: int | None = None  # a public programme of this institution


@dataclass(frozen=True)
class SignupResult:
    status: str  # 'signed', 'waiting' or 'already'
    view: EventView


@dataclass(frozen=True)
class CancelSignupResult:
    view: EventView
    fee: FeeReturn
    promotion: Promotion


@dataclass(frozen=True)
class EventChange:
    view: EventView
    attendees: list[Member] = field(default_factory=list)
    refunds: int = 0
    promotion: Promotion = field(default_factory=Promotion)


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
    if draft.is_orientation and draft.fee:
        # it is for members whose account is not open yet, who can't pay
        raise DomainError("event_orientation_fee")


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
            if draft.organisation_id is None:
                await require_coordinator(conn, actor, community.id)
            else:  # a coordinator, or the institution's own staff, posts its programme
                await require_programme_host(conn, actor, community.id, draft.organisation_id)
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
                "organisation_id": draft.organisation_id,
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
                community = await community_of(conn, event)
                for member in await self._attendees(conn, event_id, ("signed",)):
                    await schedule_reminders(conn, event_id, member.membership_id,
                                             merged.starts_at, community, now)
            promotion = await fill_seats(conn, event_id, actor.person.id, now)
            await audit_rows.record(conn, community_id=event.community_id,
                                    actor_person_id=actor.person.id, action="event_edit",
                                    target=f"event:{event_id}", reason=None,
                                    details={k: str(v) for k, v in changes.items()},
                                    now=to_db(now))
            return EventChange(await self._view(conn, event_id, None), attendees,
                               promotion=promotion)

    async def cancel(self, actor: Actor, event_id: int) -> EventChange:
        """Cancel an event: fees are refunded (a fee a coordinator already reversed counts as
        refunded and is not given back twice), reminders dropped, everyone is to be told."""
        now = self._clock.now()
        async with self._db.write() as conn:
            event = await self._event_for_coordinator(conn, actor, event_id)
            attendees = await self._attendees(conn, event_id, ("signed", "waiting"))
            refunds = 0
            for row in await event_rows.signed_members(conn, event_id, ("signed",)):
                returned = await give_back_fee(conn, event, row, actor.person.id, now,
                                               refund=True)
                if returned.refunded:
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

    async def open_checkin(self, actor: Actor, event_id: int, *, fresh: bool = False
                           ) -> EventView:
        """The event with its check-in code, made now if it has none; `fresh` replaces the
        code so the old one stops working."""
        async with self._db.write() as conn:
            event = await self._event_for_coordinator(conn, actor, event_id)
            code = event.checkin_code
            if fresh or code is None:
                used = await event_rows.codes_in_use(conn, event.community_id)
                code = checkin.new_code(used, event.checkin_code)
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
            checkin.require_coordinator_window(event, now)
            return await self._check_in(conn, event, row["id"], membership_id,
                                        actor.person.id, now)

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

    async def programmes_of(self, actor: Actor, organisation_id: int) -> list[Event]:
        """An institution's public programmes still to come (a few, for its card)."""
        require_active_member(actor)
        async with self._db.read() as conn:
            rows = await event_rows.programmes_of(conn, organisation_id,
                                                  to_db(self._clock.now()), 5)
        return [Event.from_row(row) for row in rows]

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
            if event.fee:
                require_may_pay_fee(await ledger_rows.limits_and_balance(conn, membership.id))
            if event.seats_left == 0:
                if not waitlist:
                    raise DomainError("event_full")
                await event_rows.put_signup(conn, event_id, membership.id, "waiting", to_db(now))
                return SignupResult("waiting", await self._view(conn, event_id, membership.id))
            signup_id = await event_rows.put_signup(conn, event_id, membership.id, "signed",
                                                    to_db(now))
            await take_seat(conn, event, signup_id, membership.id, actor.person.id, now)
            return SignupResult("signed", await self._view(conn, event_id, membership.id))

    async def cancel_signup(self, actor: Actor, event_id: int) -> CancelSignupResult:
        """Leave an event: the fee comes back before the cut-off (once: a fee a coordinator
        already reversed is not refunded again), and the waiting list moves up."""
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
            fee = await give_back_fee(conn, event, row, actor.person.id, now, refund=(
                row["status"] == "signed"
                and now < event.starts_at - timedelta(hours=event.refund_cutoff_hours)))
            promotion = await fill_seats(conn, event_id, actor.person.id, now)
            view = await self._view(conn, event_id, membership.id)
            return CancelSignupResult(view, fee, promotion)

    async def check_in_by_code(self, actor: Actor, code: str) -> CheckinResult:
        """Check in with the code the coordinator shows, inside the event's check-in window;
        wrong codes are counted and limited (see core.checkin)."""
        _, membership = require_active_member(actor)
        now = self._clock.now()
        async with self._db.write() as conn:
            row, refusal = await checkin.match_code(conn, membership.id, code, now)
            if row is not None:
                return await self._check_in(conn, Event.from_row(row), row["signup_id"],
                                            membership.id, actor.person.id, now)
        raise refusal

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
                        await schedule_reminders(conn, row["id"], membership.id,
                                                 Event.from_row(row).starts_at, community, now)
        return enabled

    # ----- inside a transaction ---------------------------------------------------------

    async def _check_in(self, conn: Connection, event: Event, signup_id: int,
                        membership_id: int, person_id: int, now: datetime) -> CheckinResult:
        done = await checkin.record_attendance(conn, event, signup_id, membership_id,
                                               person_id, now)
        view = await self._view(conn, event.id, membership_id)
        return CheckinResult(view, done.member, done.newly, done.reward_paid,
                             done.reward_withheld)

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
        unit = (await community_of(conn, event)).unit
        return EventView(event, unit, status, attended)

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
        """An event the actor runs: as a coordinator of its community, or (a public
        programme) as the owner or staff of the institution that holds it."""
        row = await event_rows.get(conn, event_id)
        if row is None:
            raise DomainError("event_not_found")
        event = Event.from_row(row)
        if event.community_id is None:
            if not actor.is_admin:
                raise DomainError("event_not_found")
        elif event.organisation_id is None or not await works_for(
                conn, actor, event.organisation_id, event.community_id):
            await require_coordinator(conn, actor, event.community_id)
        if event.status != "scheduled":
            raise DomainError("event_cancelled")
        return event

    async def _attendees(self, conn: Connection, event_id: int, statuses: tuple[str, ...]
                         ) -> list[Member]:
        rows = await event_rows.signed_members(conn, event_id, statuses)
        return [await load_member(conn, row["membership_id"]) for row in rows]
