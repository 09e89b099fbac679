"""The expert pool (전문가 인력풀): advisers and committee members recommended by coordinators
and shared by every community, listed only with the person's consent. A member consents
with a button; for anyone else the coordinator records when and how they consented.
Withdrawal takes them out at once. Coordinators invite experts to host an event."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.clock import Clock
from core.errors import DomainError
from core.ledger import resolve_member_ref
from core.membership import require_active_member, require_coordinator
from core.models import Actor, Member
from core.views import load_member
from storage import audit as audit_rows
from storage import experts as expert_rows
from storage.db import Connection, Database
from storage.timefmt import to_db

PAGE = 5
INVITATION_KINDS = ("lecture", "consulting")
_MEMBER_REF = re.compile(r"^(?:#\d{1,9}|@[A-Za-z0-9_]{3,32})$")
# The longest each field may be (characters).
LIMITS = {"name": 40, "topics": 200, "organisation": 80, "contact": 100, "consent": 200,
          "note": 300}


@dataclass(frozen=True)
class Expert:
    id: int
    name: str
    topics: str
    organisation: str
    contact: str
    status: str
    membership_id: int | None
    community_id: int | None

    @classmethod
    def from_row(cls, row) -> Expert:
        return cls(row["id"], row["name"], row["topics"], row["organisation"], row["contact"],
                   row["status"], row["membership_id"], row["community_id"])


@dataclass(frozen=True)
class Recommendation:
    expert: Expert
    member: Member | None  # to ask for consent; None: recorded by the coordinator
    already: bool = False  # this member was recommended before and has not answered or left


@dataclass(frozen=True)
class ExpertPage:
    experts: list[Expert]
    total: int
    page: int


@dataclass(frozen=True)
class Invitation:
    id: int
    kind: str
    note: str
    status: str
    expert: Expert
    expert_member: Member | None
    inviter: Member
    changed: bool = True


def clean(field: str, text: str | None, *, required: bool = False) -> str:
    value = " ".join((text or "").split())
    if required and not value:
        raise DomainError("expert_field_missing", field=field)
    if len(value) > LIMITS[field]:
        raise DomainError("expert_field_too_long", field=field, maximum=LIMITS[field])
    return value


class ExpertService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def recommend(self, actor: Actor, who: str, topics: str, organisation: str = "",
                        contact: str = "", consent: str = "") -> Recommendation:
        """A member (`#23`, `@name`) is asked to consent; anyone else is listed with the
        consent the coordinator records (`consent`: when and how it was given)."""
        now = to_db(self._clock.now())
        values = {"topics": clean("topics", topics, required=True),
                  "organisation": clean("organisation", organisation),
                  "contact": clean("contact", contact), "recommended_by_person_id":
                  actor.person.id, "created_at": now, "updated_at": now}
        async with self._db.write() as conn:
            community_id = await _may_recommend(conn, actor)
            values["community_id"] = community_id
            member = None
            if _MEMBER_REF.match(who.strip()):
                if community_id is None:
                    raise DomainError("no_community")
                member = await resolve_member_ref(conn, community_id, who.strip())
                existing = await expert_rows.open_for_member(conn, member.membership_id)
                if existing is not None:
                    return Recommendation(Expert.from_row(existing), member, already=True)
                values.update(membership_id=member.membership_id, name=member.display_name,
                              status="asked")
            else:
                values.update(name=clean("name", who, required=True), status="listed",
                              consent_note=clean("consent", consent, required=True),
                              consented_at=now)
            expert_id = await expert_rows.insert(conn, values)
            await audit_rows.record(conn, community_id=community_id,
                                    actor_person_id=actor.person.id, action="expert_recommend",
                                    target=f"expert:{expert_id}", reason=values.get(
                                        "consent_note"), details={"member": member is not None},
                                    now=now)
            return Recommendation(Expert.from_row(await expert_rows.get(conn, expert_id)),
                                  member)

    async def answer_consent(self, actor: Actor, expert_id: int, consent: bool
                             ) -> tuple[Expert, bool]:
        """The asked member's Yes or No; (the expert as it is now, whether this changed it)."""
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            row = await self._own(conn, actor, expert_id)
            changed = await expert_rows.decide(conn, expert_id,
                                               "listed" if consent else "declined", now)
            return Expert.from_row(await expert_rows.get(conn, row["id"])), changed

    async def withdraw(self, actor: Actor, expert_id: int) -> tuple[Expert, bool]:
        """The expert themselves, or a coordinator of the community that recommended them (an
        admin anywhere), takes them out of the pool at once."""
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            row = await expert_rows.get(conn, expert_id)
            if row is None:
                raise DomainError("expert_not_found")
            own = await _is_own(conn, actor, row)
            if not own and not actor.is_admin:
                if row["community_id"] is None:
                    raise DomainError("not_admin")
                await require_coordinator(conn, actor, row["community_id"])
            changed = await expert_rows.withdraw(conn, expert_id, now)
            if changed:
                await expert_rows.close_invitations(conn, expert_id, now)
                if not own:
                    await audit_rows.record(conn, community_id=row["community_id"],
                                            actor_person_id=actor.person.id,
                                            action="expert_remove", target=f"expert:{expert_id}",
                                            reason=None, details=None, now=now)
            return Expert.from_row(await expert_rows.get(conn, expert_id)), changed

    async def search(self, actor: Actor, topic: str | None, page: int = 0) -> ExpertPage:
        """Consenting experts of every community, `PAGE` at a time, those whose topics, name
        or organisation hold `topic`."""
        if not actor.is_admin:
            require_active_member(actor)
        topic = " ".join((topic or "").split())[:LIMITS["topics"]] or None
        async with self._db.read() as conn:
            total = await expert_rows.count(conn, topic)
            page = max(0, min(page, (total - 1) // PAGE if total else 0))
            rows = await expert_rows.search(conn, topic, page * PAGE, PAGE)
        return ExpertPage([Expert.from_row(row) for row in rows], total, page)

    async def mine(self, actor: Actor) -> list[Expert]:
        async with self._db.read() as conn:
            return [Expert.from_row(row)
                    for row in await expert_rows.listed_for_person(conn, actor.person.id)]

    async def invite(self, actor: Actor, expert_id: int, kind: str, note: str = ""
                     ) -> Invitation:
        """A coordinator asks a listed expert to host an event in their community."""
        if kind not in INVITATION_KINDS:
            raise DomainError("expert_invitation_kind")
        note = clean("note", note)
        community, membership = require_active_member(actor)
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            await require_coordinator(conn, actor, community.id)
            row = await expert_rows.get(conn, expert_id)
            if row is None or row["status"] != "listed":
                raise DomainError("expert_not_found")
            expert = Expert.from_row(row)
            member = (await load_member(conn, expert.membership_id)
                      if expert.membership_id is not None else None)
            status = "pending" if member is not None and member.status == "active" else "offline"
            invitation_id = await expert_rows.insert_invitation(conn, {
                "expert_id": expert_id, "community_id": community.id,
                "inviter_membership_id": membership.id, "kind": kind, "note": note,
                "status": status, "created_at": now})
            await audit_rows.record(conn, community_id=community.id,
                                    actor_person_id=actor.person.id, action="expert_invite",
                                    target=f"expert:{expert_id}", reason=note or None,
                                    details={"kind": kind, "invitation": invitation_id}, now=now)
            return Invitation(invitation_id, kind, note, status, expert,
                              member if status == "pending" else None,
                              await load_member(conn, membership.id))

    async def answer_invitation(self, actor: Actor, invitation_id: int, accept: bool
                                ) -> Invitation:
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            row = await expert_rows.get_invitation(conn, invitation_id)
            if row is None:
                raise DomainError("expert_not_found")
            expert_row = await self._own(conn, actor, row["expert_id"])
            changed = await expert_rows.answer_invitation(
                conn, invitation_id, "accepted" if accept else "declined", now)
            row = await expert_rows.get_invitation(conn, invitation_id)
            expert = Expert.from_row(expert_row)
            return Invitation(invitation_id, row["kind"], row["note"], row["status"], expert,
                              await load_member(conn, expert.membership_id),
                              await load_member(conn, row["inviter_membership_id"]),
                              changed=changed)

    async def _own(self, conn: Connection, actor: Actor, expert_id: int):
        """The expert row, which must be the actor's own (their consent, their invitation)."""
        row = await expert_rows.get(conn, expert_id)
        if row is None or not await _is_own(conn, actor, row):
            raise DomainError("expert_not_found")
        return row


async def _is_own(conn: Connection, actor: Actor, row) -> bool:
    if row["membership_id"] is None:
        return False
    member = await load_member(conn, row["membership_id"])
    return member.person_id == actor.person.id


async def _may_recommend(conn: Connection, actor: Actor) -> int | None:
    """The community a recommendation is made in: the coordinator's current one; an admin's
    current one if they have one, else none."""
    community = actor.community
    if actor.is_admin:
        return community.id if community is not None else None
    community, _ = require_active_member(actor)
    await require_coordinator(conn, actor, community.id)
    return community.id
