"""Registering shops and institutions, deciding applications, settings, staff and codes.

Each change is one write transaction; a decision moves a row out of 'pending' with a guarded
UPDATE, so two coordinators at once (or a double tap) decide it once. Every coordinator's or
owner's change is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.clock import Clock
from core.dialogs import Dialog
from core.dialogs import finish as finish_dialog
from core.errors import DomainError
from core.ledger import resolve_member_ref
from core.membership import require_active_member, require_coordinator
from core.models import Actor, Community, Member
from core.organisation_rules import (
    DEFAULT_SHARE,
    KINDS,
    Organisation,
    active_membership,
    clean_cap,
    clean_field,
    clean_map_url,
    clean_name,
    clean_rounding,
    clean_share,
    looks_like_token,
    new_short_code,
    new_token,
    require_staff,
)
from core.views import load_community, load_member, member_from_row
from storage import audit as audit_rows
from storage import communities as community_rows
from storage import memberships as membership_rows
from storage import organisations as organisation_rows
from storage.db import Connection, Database
from storage.timefmt import to_db

LIST_PAGE = 8


@dataclass(frozen=True)
class Profile:
    name: str
    category: str = ""
    address: str = ""
    hours: str = ""
    map_url: str | None = None
    phone: str | None = None
    share_percent: int | None = None
    cap: int | None = None
    rounding: int = 100


@dataclass(frozen=True)
class Decision:
    organisation: Organisation
    community: Community
    approved: bool
    newly_decided: bool
    owners: list[Member]


@dataclass(frozen=True)
class Found:
    """A shop opened by its QR token or short code; `changed` when the code was rotated."""

    organisation: Organisation | None
    changed: bool = False


class OrganisationService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def apply(self, actor: Actor, profile: Profile, *, finishing: Dialog | None = None
                    ) -> tuple[Organisation, list[Member]]:
        """A member asks to register their shop; it waits for a coordinator. With `finishing`
        the dialog that gathered it ends in the same transaction, so two taps apply once.
        Also returns the coordinators to ask."""
        community, me = require_active_member(actor)
        organisation = await self._create(actor, community.id, "merchant", profile, "pending",
                                          owner_id=me.id, finishing=finishing)
        async with self._db.read() as conn:
            rows = await membership_rows.coordinators(conn, community.id)
            coordinators = [member_from_row(row) for row in rows]
        return organisation, coordinators

    async def register_institution(self, actor: Actor, profile: Profile, *,
                                   owner_ref: str | None = None) -> Organisation:
        """A coordinator registers a public institution, active at once; `owner_ref` names
        the member who runs it in chat (optional)."""
        community, _ = require_active_member(actor)
        owner_id = None
        if owner_ref:
            async with self._db.read() as conn:
                owner_id = (await resolve_member_ref(conn, community.id, owner_ref)
                            ).membership_id
        return await self._create(actor, community.id, "institution", profile, "active",
                                  owner_id=owner_id)

    async def _create(self, actor: Actor, community_id: int, kind: str, profile: Profile,
                      status: str, *, owner_id: int | None, finishing: Dialog | None = None
                      ) -> Organisation:
        assert kind in KINDS
        values = _profile_values(profile, kind)
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            if status == "active":
                await require_coordinator(conn, actor, community_id)
            if finishing is not None:
                await finish_dialog(conn, actor.person.id, finishing)
            organisation_id = await organisation_rows.insert(conn, {
                **values, "community_id": community_id, "kind": kind, "status": status,
                "token": new_token(), "short_code": await new_short_code(conn, community_id),
                "created_by_person_id": actor.person.id, "created_at": now,
                "decided_at": now if status == "active" else None,
                "decided_by_person_id": actor.person.id if status == "active" else None,
            })
            if owner_id is not None:
                await organisation_rows.add_staff(conn, organisation_id, owner_id, "owner", now)
            if status == "active":
                await organisation_rows.insert_account(conn, community_id, organisation_id, now)
            await audit_rows.record(
                conn, community_id=community_id, actor_person_id=actor.person.id,
                action="shop_apply" if status == "pending" else "institution_register",
                target=f"shop:{organisation_id}",
                reason=None, details={"shop": organisation_id, "name": values["name"]}, now=now)
            return await _load(conn, organisation_id)

    async def decide(self, actor: Actor, organisation_id: int, approve: bool) -> Decision:
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            organisation = await _load(conn, organisation_id)
            await require_coordinator(conn, actor, organisation.community_id)
            status = "active" if approve else "rejected"
            newly = await organisation_rows.set_status(conn, organisation_id, status,
                                                       "pending", now, actor.person.id)
            if newly:
                if approve:
                    await organisation_rows.insert_account(conn, organisation.community_id,
                                                           organisation_id, now)
                await audit_rows.record(
                    conn, community_id=organisation.community_id,
                    actor_person_id=actor.person.id,
                    action="shop_approve" if approve else "shop_reject",
                    target=f"shop:{organisation_id}", reason=None,
                    details={"name": organisation.name}, now=now)
            organisation = await _load(conn, organisation_id)
            return Decision(organisation, await load_community(conn, organisation.community_id),
                            organisation.status == "active", newly,
                            await _staff_members(conn, organisation_id, owners_only=True))

    async def set_status(self, actor: Actor, organisation_id: int, active: bool,
                         reason: str) -> Organisation:
        """A coordinator suspends a shop (no one can pay it) or lets it take payments again."""
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            organisation = await _load(conn, organisation_id)
            await require_coordinator(conn, actor, organisation.community_id)
            new, old = ("active", "suspended") if active else ("suspended", "active")
            if await organisation_rows.set_status(conn, organisation_id, new, old, now,
                                                  actor.person.id):
                await audit_rows.record(
                    conn, community_id=organisation.community_id,
                    actor_person_id=actor.person.id,
                    action="shop_reactivate" if active else "shop_suspend",
                    target=f"shop:{organisation_id}", reason=reason or None,
                    details={"name": organisation.name}, now=now)
            return await _load(conn, organisation_id)

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
            organisation = await _load(conn, organisation_id)
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

    async def by_token(self, token: str) -> Found:
        """The shop a QR code opens, whoever scans it; an old code says it changed."""
        if not looks_like_token(token):
            return Found(None)
        async with self._db.read() as conn:
            row = await organisation_rows.by_token(conn, token)
            if row is None:
                return Found(None, await organisation_rows.retired_token(conn, token))
        return Found(Organisation.from_row(row))

    async def by_short_code(self, actor: Actor, code: str) -> Found:
        community, _ = require_active_member(actor)
        async with self._db.read() as conn:
            row = await organisation_rows.by_short_code(conn, community.id, code)
            if row is None:
                return Found(None, await organisation_rows.retired_short_code(
                    conn, community.id, code))
        return Found(Organisation.from_row(row))

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

    async def update(self, actor: Actor, organisation_id: int, changes: dict[str, Any]
                     ) -> Organisation:
        """The owner (or a coordinator) changes the profile or what the shop accepts."""
        values = _clean_changes(changes)
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            organisation = await _load(conn, organisation_id)
            await require_staff(conn, actor, organisation, owner=True, coordinator_may=True)
            await organisation_rows.update_fields(conn, organisation_id, values)
            await audit_rows.record(
                conn, community_id=organisation.community_id, actor_person_id=actor.person.id,
                action="shop_update", target=f"shop:{organisation_id}", reason=None,
                details=values, now=now)
            return await _load(conn, organisation_id)

    async def rotate_codes(self, actor: Actor, organisation_id: int) -> Organisation:
        """New QR token and short code; the old ones then say the code changed."""
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            organisation = await _load(conn, organisation_id)
            await require_staff(conn, actor, organisation, owner=True, coordinator_may=True)
            await organisation_rows.rotate_codes(
                conn, organisation_id, new_token(),
                await new_short_code(conn, organisation.community_id), now)
            await audit_rows.record(
                conn, community_id=organisation.community_id, actor_person_id=actor.person.id,
                action="shop_codes_rotate", target=f"shop:{organisation_id}", reason=None,
                details=None, now=now)
            return await _load(conn, organisation_id)

    async def add_staff(self, actor: Actor, organisation_id: int, member_ref: str) -> Member:
        """The owner lets another member of the community take payments and see takings."""
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            organisation = await _load(conn, organisation_id)
            await require_staff(conn, actor, organisation, owner=True, coordinator_may=True)
            member = await resolve_member_ref(conn, organisation.community_id, member_ref)
            if await organisation_rows.role_of(conn, organisation_id,
                                               member.membership_id) != "owner":
                await organisation_rows.add_staff(conn, organisation_id, member.membership_id,
                                                  "staff", now)
            await audit_rows.record(
                conn, community_id=organisation.community_id, actor_person_id=actor.person.id,
                action="shop_staff_add", target=f"shop:{organisation_id}", reason=None,
                details={"member": member.number}, now=now)
            return member

    async def staff_members(self, organisation_id: int) -> list[Member]:
        async with self._db.read() as conn:
            return await _staff_members(conn, organisation_id)

    async def staff_of(self, actor: Actor, organisation_id: int) -> Organisation:
        """The organisation, if the actor works for it (takings, refunds, QR)."""
        async with self._db.read() as conn:
            organisation = await _load(conn, organisation_id)
            me = await active_membership(conn, actor, organisation.community_id)
            role = await organisation_rows.role_of(conn, organisation_id, me.id)
            if role is None and me.is_coordinator:
                role = "coordinator"  # runs it for the community (an institution's QR)
            if role is None:
                raise DomainError("shop_not_yours")
        return Organisation(**{**organisation.__dict__, "role": role})


def _profile_values(profile: Profile, kind: str) -> dict[str, Any]:
    share = profile.share_percent if profile.share_percent is not None else DEFAULT_SHARE[kind]
    return {
        "name": clean_name(profile.name), "category": clean_field(profile.category),
        "address": clean_field(profile.address), "hours": clean_field(profile.hours),
        "map_url": clean_map_url(profile.map_url), "phone": clean_field(profile.phone) or None,
        "share_percent": clean_share(share), "cap": clean_cap(profile.cap),
        "rounding": clean_rounding(profile.rounding),
    }


def _clean_changes(changes: dict[str, Any]) -> dict[str, Any]:
    cleaners = {"name": clean_name, "category": clean_field, "address": clean_field,
                "hours": clean_field, "map_url": clean_map_url,
                "phone": lambda v: clean_field(v) or None, "share_percent": clean_share,
                "cap": clean_cap, "rounding": clean_rounding}
    values = {name: cleaners[name](value) for name, value in changes.items()
              if name in cleaners}
    if not values:
        raise DomainError("nothing_to_change")
    return values


async def _load(conn: Connection, organisation_id: int) -> Organisation:
    row = await organisation_rows.get(conn, organisation_id)
    if row is None:
        raise DomainError("shop_not_found")
    return Organisation.from_row(row)


async def _staff_members(conn: Connection, organisation_id: int, *, owners_only: bool = False
                         ) -> list[Member]:
    rows = await organisation_rows.staff(conn, organisation_id)
    return [await load_member(conn, row["membership_id"]) for row in rows
            if not owners_only or row["role"] == "owner"]
