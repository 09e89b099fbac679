"""Communities and membership: create, join by code, approve, appoint, switch."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from core.clock import Clock
from core.errors import DomainError
from core.models import Actor, Community, Member, Membership
from core.survey_newcomers import invite_newcomer
from core.views import load_community, load_member
from storage import audit as audit_rows
from storage import communities as community_rows
from storage import dialogs as dialog_rows
from storage import ledger as ledger_rows
from storage import memberships as membership_rows
from storage import people as people_rows
from storage import privacy as privacy_rows
from storage.db import Connection, Database
from storage.timefmt import from_db, to_db

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{3,32}$")
TELEGRAM_ID = re.compile(r"^\d{1,15}$")  # exactly what /whoami shows
# A new community is closed and spends no credit until someone decides otherwise: a guessed
# code (often the district's name) then gets an application, not money to spend.
DEFAULT_FLOOR = 0
DEFAULT_CEILING = 1_000_000
DEFAULT_APPROVAL = "coordinator"
# Random codes avoid letters and digits that are easily confused when read aloud or copied.
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_CODE_SUFFIX = 6


@dataclass(frozen=True)
class JoinResult:
    # 'active', 'pending' (a new application), 'waiting' (applied before), 'already', or
    # 'consent' (the privacy notice must be agreed to first; nothing was created)
    status: str
    community: Community
    member: Member | None
    coordinators: list[Member]  # to ask, only for a new application
    surveys: int = 0  # open surveys the new member was invited to (their outbox rows wait)


@dataclass(frozen=True)
class Application:
    community: Community
    member: Member


@dataclass(frozen=True)
class CodeChange:
    community: Community  # with its code as it is now
    old_code: str
    changed: bool  # False when this was already done (a double tap)
    coordinators: list[Member]


@dataclass(frozen=True)
class Decision:
    approved: bool
    newly_decided: bool
    community: Community
    member: Member
    surveys: int = 0  # open surveys the new member was invited to (their outbox rows wait)


@dataclass(frozen=True)
class DirectoryEntry:
    membership_id: int
    number: int
    display_name: str
    username: str | None
    role: str
    status: str
    balance: int
    last_active: datetime | None


@dataclass(frozen=True)
class AuditEntry:
    created_at: datetime
    action: str
    actor_name: str | None
    target: str | None
    reason: str | None
    # What the target names, when it is a member or an event.
    target_number: int | None = None
    target_name: str | None = None
    target_title: str | None = None


@dataclass(frozen=True)
class MyCommunity:
    community_id: int
    code: str
    name: str
    number: int | None
    role: str
    status: str
    is_current: bool


def _validate_community(code: str, name: str, unit: str, floor: int, ceiling: int, approval: str):
    if not CODE_PATTERN.match(code or ""):
        raise DomainError("community_code_invalid", code=code)
    if not name or len(name.strip()) > 60:
        raise DomainError("community_name_invalid")
    if not unit or len(unit.strip()) > 8:
        raise DomainError("community_unit_invalid")
    if floor > 0 or ceiling < 0:
        raise DomainError("community_limits_invalid")
    if approval not in ("auto", "coordinator"):
        raise DomainError("community_approval_invalid")


class MembershipService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def _now(self) -> str:
        return to_db(self._clock.now())

    async def create_community(
        self,
        *,
        code: str,
        name: str,
        unit: str = "문",
        credit_floor: int = DEFAULT_FLOOR,
        credit_ceiling: int = DEFAULT_CEILING,
        approval: str = DEFAULT_APPROVAL,
        actor: Actor | None = None,
        orientation_required: bool = False,
        reminder_hours: str = "24,1",
    ) -> Community:
        if actor is not None and not actor.is_admin:
            raise DomainError("not_admin")
        _validate_community(code, name, unit, credit_floor, credit_ceiling, approval)
        hours = [part.strip() for part in reminder_hours.split(",") if part.strip()]
        if not hours or not all(h.isdigit() and 0 < int(h) <= 24 * 14 for h in hours):
            raise DomainError("reminder_hours_invalid")
        now = self._now()
        async with self._db.write() as conn:
            community_id = await community_rows.insert_community(
                conn,
                code=code,
                name=name.strip(),
                unit=unit.strip(),
                credit_floor=credit_floor,
                credit_ceiling=credit_ceiling,
                approval=approval,
                now=now,
                orientation_required=orientation_required,
                reminder_hours=",".join(hours),
            )
            if community_id is None:
                raise DomainError("community_code_taken", code=code)
            await audit_rows.record(
                conn,
                community_id=community_id,
                actor_person_id=actor.person.id if actor else None,
                action="community_create",
                target=code,
                reason=None,
                details={"name": name, "unit": unit, "floor": credit_floor,
                         "ceiling": credit_ceiling, "approval": approval},
                now=now,
            )
            if actor is not None:
                await self._enrol(conn, community_id, actor.person.id, role="coordinator", now=now)
                await people_rows.set_current_community(conn, actor.person.id, community_id)
            return await load_community(conn, community_id)

    async def community_by_code(self, code: str) -> Community:
        async with self._db.read() as conn:
            row = await community_rows.get_by_code(conn, code)
        if row is None:
            raise DomainError("community_not_found", code=code)
        return Community.from_row(row)

    async def has_communities(self) -> bool:
        async with self._db.read() as conn:
            return bool(await community_rows.list_all(conn))

    async def add_coordinator(self, *, code: str, channel: str, external_id: str) -> Member:
        """Appoint someone by channel id, even before they have talked to the bot."""
        external_id = (external_id or "").strip()
        if channel == "telegram" and not TELEGRAM_ID.match(external_id):
            # A name or @username here would appoint nobody, silently.
            raise DomainError("telegram_id_invalid", text=external_id)
        now = self._now()
        async with self._db.write() as conn:
            community_row = await community_rows.get_by_code(conn, code)
            if community_row is None:
                raise DomainError("community_not_found", code=code)
            community_id = community_row["id"]
            person = await people_rows.find_by_identity(conn, channel, external_id)
            if person is None:
                person_id = await people_rows.insert_with_identity(
                    conn, channel=channel, external_id=external_id,
                    display_name=f"{channel}:{external_id}", username=None, locale=None, now=now,
                )
            else:
                person_id = person["id"]
            existing = await membership_rows.get_for(conn, community_id, person_id)
            if existing is None or existing["status"] != "active":
                membership_id = await self._enrol(
                    conn, community_id, person_id, role="coordinator", now=now
                )
                await invite_newcomer(conn, community_id, membership_id, from_db(now))
            else:
                membership_id = existing["id"]
                await membership_rows.set_role(conn, membership_id, "coordinator")
            person_row = await people_rows.get(conn, person_id)
            if person_row["current_community_id"] is None:
                await people_rows.set_current_community(conn, person_id, community_id)
            await audit_rows.record(
                conn, community_id=community_id, actor_person_id=None,
                action="coordinator_add", target=f"membership:{membership_id}", reason=None,
                details={"channel": channel}, now=now,
            )
            return await load_member(conn, membership_id)

    async def _enrol(
        self, conn: Connection, community_id: int, person_id: int, *, role: str, now: str
    ) -> int:
        """Make the person an active member with a number and an account."""
        existing = await membership_rows.get_for(conn, community_id, person_id)
        number = None
        if existing is None or existing["number"] is None:
            number = await community_rows.take_member_number(conn, community_id)
        if existing is None:
            membership_id = await membership_rows.insert(
                conn, community_id=community_id, person_id=person_id, status="active",
                role=role, number=number, now=now,
            )
        else:
            membership_id = existing["id"]
            await membership_rows.activate(
                conn, membership_id, existing["number"] or number, role, now
            )
        if await ledger_rows.account_of(conn, membership_id) is None:
            await ledger_rows.insert_account(conn, community_id, membership_id, now)
        return membership_id

    async def join(self, actor: Actor, code: str, *, consent: str | None = None,
                   consent_required: bool = False) -> JoinResult:
        """Join by code. With `consent_required`, someone not (or no longer) a member must
        have agreed to the privacy notice version `consent`: without it nothing is created
        (status 'consent'); with it the consent is recorded in this same transaction."""
        code = (code or "").strip()
        if not CODE_PATTERN.match(code):
            raise DomainError("community_code_invalid", code=code)
        now = self._now()
        async with self._db.write() as conn:
            community_row = await community_rows.get_by_code(conn, code)
            if community_row is None:
                raise DomainError("community_not_found", code=code)
            community = Community.from_row(community_row)
            existing = await membership_rows.get_for(conn, community.id, actor.person.id)
            status = existing["status"] if existing is not None else None
            surveys = 0
            if status == "suspended":
                raise DomainError("membership_suspended", community=community.name,
                                  community_id=community.id)
            if status == "active":
                membership_id = existing["id"]
                await people_rows.set_current_community(conn, actor.person.id, community.id)
                result = "already"
            elif status == "pending":
                # Applied before: the coordinators were asked then; asking again is noise.
                membership_id = existing["id"]
                await self._point_at_application(conn, actor, community.id)
                result = "waiting"
            elif consent_required and consent is None:
                # Nothing is created; committing still records the update, so a redelivered
                # /join is not answered a second time.
                return JoinResult(status="consent", community=community, member=None,
                                  coordinators=[])
            elif community.approval == "auto":
                membership_id = await self._enrol(
                    conn, community.id, actor.person.id, role="member", now=now
                )
                await people_rows.set_current_community(conn, actor.person.id, community.id)
                surveys = await invite_newcomer(conn, community.id, membership_id, from_db(now))
                result = "active"
            else:
                if existing is None:
                    membership_id = await membership_rows.insert(
                        conn, community_id=community.id, person_id=actor.person.id,
                        status="pending", role="member", number=None, now=now,
                    )
                else:
                    membership_id = existing["id"]
                    await membership_rows.reapply(conn, membership_id, now)
                await self._point_at_application(conn, actor, community.id)
                result = "pending"
            if consent is not None and result in ("active", "pending"):
                await privacy_rows.record_consent(
                    conn, person_id=actor.person.id, community_id=community.id,
                    membership_id=membership_id, version=consent, now=now)
            member = await load_member(conn, membership_id)
            coordinators = [
                await load_member(conn, row["membership_id"])
                for row in await membership_rows.coordinators(conn, community.id)
            ] if result == "pending" else []
        return JoinResult(status=result, community=community, member=member,
                          coordinators=coordinators, surveys=surveys)

    async def _point_at_application(self, conn: Connection, actor: Actor, community_id: int
                                    ) -> None:
        """Someone with nowhere active to act makes the application their current community,
        so what they try meanwhile is answered "your application is waiting"."""
        if actor.membership is None or not actor.membership.is_active:
            await people_rows.set_current_community(conn, actor.person.id, community_id)

    async def decide(self, actor: Actor, membership_id: int, approve: bool) -> Decision:
        now = self._now()
        async with self._db.write() as conn:
            row = await membership_rows.get(conn, membership_id)
            if row is None:
                raise DomainError("application_not_found")
            await require_coordinator(conn, actor, row["community_id"])
            community = await load_community(conn, row["community_id"])
            if row["status"] != "pending":
                member = await load_member(conn, membership_id)
                return Decision(approved=row["status"] == "active", newly_decided=False,
                                community=community, member=member)
            if approve:
                # One who left and applied again keeps their number and account.
                number = row["number"] or await community_rows.take_member_number(
                    conn, community.id)
                await membership_rows.decide_pending(conn, membership_id, "active", number, now)
                if await ledger_rows.account_of(conn, membership_id) is None:
                    await ledger_rows.insert_account(conn, community.id, membership_id, now)
                if not await _has_active_current(conn, row["person_id"]):
                    await people_rows.set_current_community(conn, row["person_id"], community.id)
                surveys = await invite_newcomer(conn, community.id, membership_id, from_db(now))
            else:
                surveys = 0
                await membership_rows.decide_pending(conn, membership_id, "rejected", None, now)
            await audit_rows.record(
                conn, community_id=community.id, actor_person_id=actor.person.id,
                action="application_approve" if approve else "application_reject",
                target=f"membership:{membership_id}", reason=None, details=None, now=now,
            )
            member = await load_member(conn, membership_id)
        return Decision(approved=approve, newly_decided=True, community=community, member=member,
                        surveys=surveys)

    async def set_member_limits(
        self, actor: Actor, number: int, *, credit_floor: int | None,
        credit_ceiling: int | None, reason: str,
    ) -> Member:
        """A coordinator sets one member's own limits (None = the community's). A stricter
        floor than the balance keeps the balance: they can receive but not pay."""
        community = _current_community(actor)
        reason = " ".join((reason or "").split())
        if len(reason) < 2:
            raise DomainError("reason_required")
        if (credit_floor is not None and credit_floor > 0) or (
            credit_ceiling is not None and credit_ceiling < 0
        ):
            raise DomainError("community_limits_invalid")
        now = self._now()
        async with self._db.write() as conn:
            await require_coordinator(conn, actor, community.id)
            row = await membership_rows.member_by_number(conn, community.id, number)
            if row is None:
                raise DomainError("member_not_found", ref=f"#{number}")
            await membership_rows.set_limits(
                conn, row["membership_id"], credit_floor, credit_ceiling
            )
            await audit_rows.record(
                conn, community_id=community.id, actor_person_id=actor.person.id,
                action="limit_change", target=f"membership:{row['membership_id']}",
                reason=reason, details={"floor": credit_floor, "ceiling": credit_ceiling},
                now=now,
            )
            return await load_member(conn, row["membership_id"])

    async def directory(self, actor: Actor, words: str = "", page: int = 0
                        ) -> tuple[list[DirectoryEntry], bool]:
        community = _current_community(actor)
        words = " ".join((words or "").split())[:40]
        async with self._db.read() as conn:
            await require_coordinator(conn, actor, community.id)
            rows = await membership_rows.directory(conn, community.id, words, 11, max(0, page) * 10)
        entries = [DirectoryEntry(
            membership_id=row["membership_id"], number=row["number"],
            display_name=row["display_name"], username=row["username"], role=row["role"],
            status=row["status"], balance=row["balance"], last_active=from_db(row["last_active"]),
        ) for row in rows[:10]]
        return entries, len(rows) > 10

    async def set_member_status(self, actor: Actor, number: int, status: str, reason: str
                                ) -> Member:
        """Suspend (status 'suspended') or reactivate ('active') a member, with a reason. One
        reactivated is invited to the open surveys they were not asked to (survey_newcomers)."""
        community = _current_community(actor)
        reason = " ".join((reason or "").split())
        if len(reason) < 2:
            raise DomainError("reason_required")
        now = self._now()
        async with self._db.write() as conn:
            await require_coordinator(conn, actor, community.id)
            row = await membership_rows.member_by_number(conn, community.id, number)
            if row is None or row["status"] not in ("active", "suspended"):
                raise DomainError("member_not_found", ref=f"#{number}")
            if row["person_id"] == actor.person.id:
                raise DomainError("self_trade")
            await membership_rows.set_status(conn, row["membership_id"], status, now)
            if row["status"] == "suspended" and status == "active":
                # Suspended when a survey went out, so not asked: asked now, like a newcomer.
                await invite_newcomer(conn, community.id, row["membership_id"], from_db(now))
            await audit_rows.record(
                conn, community_id=community.id, actor_person_id=actor.person.id,
                action="member_suspend" if status == "suspended" else "member_reactivate",
                target=f"membership:{row['membership_id']}", reason=reason, details=None,
                now=now)
            return await load_member(conn, row["membership_id"])

    async def promote(self, actor: Actor, number: int) -> Member:
        community = _current_community(actor)
        now = self._now()
        async with self._db.write() as conn:
            await require_coordinator(conn, actor, community.id)
            row = await membership_rows.member_by_number(conn, community.id, number)
            if row is None or row["status"] != "active":
                raise DomainError("member_not_found", ref=f"#{number}")
            await membership_rows.set_role(conn, row["membership_id"], "coordinator")
            await audit_rows.record(
                conn, community_id=community.id, actor_person_id=actor.person.id,
                action="member_promote", target=f"membership:{row['membership_id']}",
                reason=None, details=None, now=now)
            return await load_member(conn, row["membership_id"])

    async def audit_log(self, actor: Actor, limit: int = 20, offset: int = 0
                        ) -> list[AuditEntry]:
        community = _current_community(actor)
        async with self._db.read() as conn:
            await require_coordinator(conn, actor, community.id)
            rows = await audit_rows.recent_with_actor(conn, community.id, limit, max(0, offset))
        return [AuditEntry(from_db(row["created_at"]), row["action"], row["actor_name"],
                           row["target"], row["reason"], target_number=row["target_number"],
                           target_name=row["target_name"], target_title=row["target_title"])
                for row in rows]

    async def pending_applications(self, actor: Actor, limit: int = 20
                                   ) -> tuple[list[Application], int]:
        """Applications waiting in every community the actor coordinates, oldest first (at
        most `limit`), and how many wait in all."""
        async with self._db.read() as conn:
            coordinated = await membership_rows.coordinated_by(conn, actor.person.id)
            if not coordinated:
                raise DomainError("not_coordinator" if actor.community else "no_community")
            rows, total = await membership_rows.pending_in(conn, coordinated, limit)
            communities = {cid: await load_community(conn, cid) for cid in coordinated}
            applications = [
                Application(communities[row["community_id"]],
                            await load_member(conn, row["membership_id"]))
                for row in rows
            ]
        return applications, total

    async def change_code(
        self, actor: Actor | None, community_id: int, *, expected_code: str,
        new_code: str | None, reason: str | None = None,
    ) -> CodeChange:
        """Give a community a new join code (`None`: a random one); the old code and links
        stop working, memberships stay. Only if the code is still `expected_code`, so a
        double tap or two coordinators at once change it once. `actor` None is the admin's
        command line."""
        reason = " ".join((reason or "").split())[:200] or None
        if new_code is not None:
            new_code = new_code.strip()
            if not CODE_PATTERN.match(new_code):
                raise DomainError("community_code_invalid", code=new_code)
        now = self._now()
        async with self._db.write() as conn:
            if actor is not None:
                await require_coordinator(conn, actor, community_id)
            row = await community_rows.get(conn, community_id)
            if row is None:
                raise DomainError("community_not_found", code=expected_code)
            if row["code"] != expected_code:
                return CodeChange(Community.from_row(row), expected_code, False, [])
            candidates = [new_code] if new_code is not None else [
                _random_code(expected_code) for _ in range(5)
            ]
            for candidate in candidates:
                if candidate.lower() != expected_code.lower() and await community_rows.change_code(
                    conn, community_id, expected_code, candidate
                ):
                    break
            else:
                raise DomainError("community_code_taken", code=new_code or expected_code)
            await audit_rows.record(
                conn, community_id=community_id,
                actor_person_id=actor.person.id if actor else None,
                action="community_code_change", target=f"{expected_code} → {candidate}",
                reason=reason, details={"old": expected_code, "new": candidate}, now=now,
            )
            community = await load_community(conn, community_id)
            coordinators = [
                await load_member(conn, coordinator["membership_id"])
                for coordinator in await membership_rows.coordinators(conn, community_id)
            ]
        return CodeChange(community, expected_code, True, coordinators)

    async def suspension_error(self, person_id: int, community_id: int | None) -> DomainError:
        """The refusal a suspended member gets: which community, the coordinator's reason,
        and a coordinator to contact (name, number, username; never a channel id)."""
        async with self._db.read() as conn:
            if community_id is None:
                person = await people_rows.get(conn, person_id)
                community_id = person["current_community_id"] if person else None
            row = (await membership_rows.get_for(conn, community_id, person_id)
                   if community_id is not None else None)
            if row is None or row["status"] != "suspended":
                return DomainError("membership_suspended", community="")
            community = await load_community(conn, community_id)
            record = await audit_rows.latest_for(
                conn, community_id, "member_suspend", f"membership:{row['id']}")
            coordinators = await membership_rows.coordinators(conn, community_id)
        who = record["actor_person_id"] if record else None
        contact = next((c for c in coordinators if c["person_id"] == who),
                       coordinators[0] if coordinators else None)
        return DomainError(
            "membership_suspended", community=community.name,
            reason=record["reason"] if record else None,
            contact_name=contact["display_name"] if contact else None,
            contact_number=contact["number"] if contact else None,
            contact_username=contact["username"] if contact else None,
        )

    async def my_communities(self, actor: Actor) -> list[MyCommunity]:
        async with self._db.read() as conn:
            rows = await membership_rows.of_person(conn, actor.person.id)
        return [
            MyCommunity(
                community_id=row["community_id"], code=row["code"], name=row["name"],
                number=row["number"], role=row["role"], status=row["status"],
                is_current=row["community_id"] == actor.person.current_community_id,
            )
            for row in rows
        ]

    async def switch(self, actor: Actor, community_id: int) -> Switched:
        """The person trades in `community_id` from now on. A question they were answering
        (whom to pay, an amount, a bill …) belongs to the community they leave: it ends, or
        a member number typed next would name someone of the other community."""
        async with self._db.write() as conn:
            row = await membership_rows.get_for(conn, community_id, actor.person.id)
            if row is None or row["status"] != "active":
                raise DomainError("not_member")
            person = await people_rows.get(conn, actor.person.id)
            stopped = False
            if person["current_community_id"] != community_id:
                await people_rows.set_current_community(conn, actor.person.id, community_id)
                stopped = await dialog_rows.clear(conn, actor.person.id)
            return Switched(await load_community(conn, community_id), stopped)


@dataclass(frozen=True)
class Switched:
    community: Community
    stopped: bool  # a question the person was answering in the other community ended


def _random_code(old_code: str) -> str:
    """The old code's first word (readable) and a random part (not guessable)."""
    stem = re.split(r"[-_]", old_code)[0][:16].lower() or "code"
    suffix = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_SUFFIX))
    return f"{stem}-{suffix}"


async def _has_active_current(conn: Connection, person_id: int) -> bool:
    person = await people_rows.get(conn, person_id)
    if person is None or person["current_community_id"] is None:
        return False
    row = await membership_rows.get_for(conn, person["current_community_id"], person_id)
    return row is not None and row["status"] == "active"


def _current_community(actor: Actor) -> Community:
    if actor.community is None or actor.membership is None:
        raise DomainError("no_community")
    return actor.community


def require_active_member(actor: Actor) -> tuple[Community, Membership]:
    """The actor's current community and membership, or the reason they cannot act there."""
    if actor.community is None or actor.membership is None:
        raise DomainError("no_community")
    status = actor.membership.status
    if status == "pending":
        raise DomainError("membership_pending", community=actor.community.name)
    if status == "suspended":
        raise DomainError("membership_suspended", community=actor.community.name)
    if status != "active":
        raise DomainError("no_community")
    return actor.community, actor.membership


def require_member(actor: Actor) -> tuple[Community, Membership]:
    """Like require_active_member, but a suspended member passes too: for reading their own
    balance and statement, never for moving money."""
    if actor.membership is not None and actor.membership.status == "suspended":
        if actor.community is None:
            raise DomainError("no_community")
        return actor.community, actor.membership
    return require_active_member(actor)


async def require_coordinator(conn: Connection, actor: Actor, community_id: int) -> None:
    """The actor must be an active coordinator of that community (whatever their current one)."""
    row = await membership_rows.get_for(conn, community_id, actor.person.id)
    if row is None or not Membership.from_row(row).is_coordinator:
        raise DomainError("not_coordinator")
