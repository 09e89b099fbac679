"""Reading organisations: a community's list, a card, a shop opened by its QR token or short
code, the shops a member works for, their staff; and the loaders the writes share."""

from __future__ import annotations

from dataclasses import dataclass

from core.clock import Clock
from core.errors import DomainError
from core.membership import require_active_member
from core.models import Actor, Community, Member
from core.organisation_rules import Organisation, active_membership, looks_like_token
from core.views import load_community, load_member
from storage import communities as community_rows
from storage import memberships as membership_rows
from storage import organisations as organisation_rows
from storage.db import Connection, Database
from storage.port import Row

LIST_PAGE = 8
SHORT_CODE_CANDIDATES = 20


@dataclass(frozen=True)
class Found:
    """A shop opened by its QR token or short code; `changed` when the code was rotated."""

    organisation: Organisation | None
    changed: bool = False


@dataclass(frozen=True)
class Standing:
    """Where the person who opened a shop stands in its community: its name, and their
    membership there (`None`: never a member), so the shop can say what to do next."""

    community: Community
    status: str | None


class OrganisationReads:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def pending(self, actor: Actor, limit: int) -> list[tuple[Organisation, Community]]:
        """Shop applications waiting in the communities the actor coordinates."""
        async with self._db.read() as conn:
            ids = await membership_rows.coordinated_by(conn, actor.person.id)
            found = []
            for row in await organisation_rows.pending(conn, ids, limit):
                found.append((Organisation.from_row(row),
                              await load_community(conn, row["community_id"])))
            return found

    async def listed(self, actor: Actor, words: list[str], page: int
                     ) -> tuple[list[Organisation], bool]:
        community, _ = require_active_member(actor)
        async with self._db.read() as conn:
            rows = await organisation_rows.listed(conn, community.id, words[:5], LIST_PAGE + 1,
                                                  max(0, page) * LIST_PAGE)
        return [Organisation.from_row(row) for row in rows[:LIST_PAGE]], len(rows) > LIST_PAGE

    async def get(self, actor: Actor, organisation_id: int) -> Organisation:
        """A shop of the actor's community (any status: the card says if it can be paid)."""
        community, _ = require_active_member(actor)
        async with self._db.read() as conn:
            organisation = await load_organisation(conn, organisation_id)
        if organisation.community_id != community.id or organisation.status in (
                "pending", "rejected"):
            raise DomainError("shop_not_found")
        return organisation

    async def by_number(self, actor: Actor, number: int) -> Organisation:
        community, _ = require_active_member(actor)
        async with self._db.read() as conn:
            row = await organisation_rows.by_number(conn, community.id, number)
        if row is None:
            raise DomainError("shop_not_found")
        return await self.get(actor, row["id"])

    async def by_token(self, token: str, actor: Actor | None = None) -> Found:
        """The shop a QR code opens, whoever scans it; an old code says it changed. One still
        applying (or rejected) opens only for its own staff."""
        if not looks_like_token(token):
            return Found(None)
        async with self._db.read() as conn:
            row = await organisation_rows.by_token(conn, token)
            if row is None:
                return Found(None, await organisation_rows.retired_token(conn, token))
            if not await _shown_to(conn, actor, row):
                return Found(None)
        return Found(Organisation.from_row(row))

    async def by_short_code(self, actor: Actor, code: str) -> Found:
        """A typed short code, looked for from near to far:
        1. a shop of the person's current community, or that code's old shop there (it
           changed);
        2. the one shop that has the code now among the person's other communities (a code
           in use wins over an old one, and the person sees which shop before anything);
        3. an old code of a shop in a community they are in (active or suspended): it
           changed, rather than a stranger community's shop that has the number now;
        4. the one shop with that code anywhere (codes are only unique in a community: a code
           several communities use opens none of theirs).
        A shop still applying (or rejected) opens only for its own staff, and hides no
        other shop."""
        async with self._db.read() as conn:
            if actor.community is not None:
                row = await organisation_rows.by_short_code(conn, actor.community.id, code)
                if row is not None and await _shown_to(conn, actor, row):
                    return Found(Organisation.from_row(row))
                if await organisation_rows.retired_short_code(conn, actor.community.id, code):
                    return Found(None, True)
            rows = await organisation_rows.with_short_code(conn, code, SHORT_CODE_CANDIDATES)
            mine = [candidate for candidate in rows if await membership_rows.get_for(
                conn, candidate["community_id"], actor.person.id) is not None]
            if len(mine) == 1:
                return Found(Organisation.from_row(mine[0]))
            if not mine and await organisation_rows.retired_short_code_of_person(
                    conn, actor.person.id, code):
                return Found(None, True)
            row = rows[0] if len(rows) == 1 and not mine else None
        return Found(Organisation.from_row(row) if row is not None else None)

    async def standing(self, actor: Actor, organisation: Organisation) -> Standing:
        async with self._db.read() as conn:
            community = await load_community(conn, organisation.community_id)
            row = await membership_rows.get_for(conn, community.id, actor.person.id)
        return Standing(community, row["status"] if row is not None else None)

    async def opened(self, organisation_id: int) -> Organisation:
        """A shop as its QR shows it to anyone (never one still applying or rejected)."""
        async with self._db.read() as conn:
            organisation = await load_organisation(conn, organisation_id)
        if organisation.status in ("pending", "rejected"):
            raise DomainError("shop_not_found")
        return organisation

    async def for_admin(self, community_code: str, number: int) -> Organisation:
        """A shop by its community's code and number (the admin command line)."""
        async with self._db.read() as conn:
            community = await community_rows.get_by_code(conn, community_code)
            if community is None:
                raise DomainError("community_not_found", code=community_code)
            row = await organisation_rows.by_number(conn, community["id"], number)
        if row is None:
            raise DomainError("shop_not_found")
        return Organisation.from_row(row)

    async def mine(self, actor: Actor) -> list[Organisation]:
        """The shops the actor works for in their current community, with their role."""
        if actor.membership is None:
            return []
        async with self._db.read() as conn:
            rows = await organisation_rows.of_member(conn, actor.membership.id)
        return [Organisation.from_row(row) for row in rows]

    async def staff_members(self, organisation_id: int) -> list[Member]:
        async with self._db.read() as conn:
            return await staff_members_of(conn, organisation_id)

    async def staff_of(self, actor: Actor, organisation_id: int) -> Organisation:
        """The organisation, if the actor works for it (takings, refunds, QR)."""
        async with self._db.read() as conn:
            organisation = await load_organisation(conn, organisation_id)
            me = await active_membership(conn, actor, organisation.community_id)
            role = await organisation_rows.role_of(conn, organisation_id, me.id)
            if role is None and me.is_coordinator:
                role = "coordinator"  # runs it for the community (an institution's QR)
            if role is None:
                raise DomainError("shop_not_yours")
        return Organisation(**{**organisation.__dict__, "role": role})


async def _shown_to(conn: Connection, actor: Actor | None, row: Row) -> bool:
    """An approved shop (active or suspended) opens for anyone; one still applying or
    rejected only for its own staff (its card has the applicant's phone)."""
    if row["status"] in ("active", "suspended"):
        return True
    if actor is None:
        return False
    membership = await membership_rows.get_for(conn, row["community_id"], actor.person.id)
    return (membership is not None and membership["status"] in ("active", "suspended")
            and await organisation_rows.role_of(conn, row["id"], membership["id"]) is not None)


async def load_organisation(conn: Connection, organisation_id: int) -> Organisation:
    row = await organisation_rows.get(conn, organisation_id)
    if row is None:
        raise DomainError("shop_not_found")
    return Organisation.from_row(row)


async def staff_members_of(conn: Connection, organisation_id: int, *, owners_only: bool = False
                         ) -> list[Member]:
    rows = await organisation_rows.staff(conn, organisation_id)
    return [await load_member(conn, row["membership_id"]) for row in rows
            if not owners_only or row["role"] == "owner"]
