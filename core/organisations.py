"""Registering shops and institutions, deciding applications, settings, staff and codes.

Each change is one write transaction; a decision moves a row out of 'pending' with a guarded
UPDATE, so two coordinators at once (or a double tap) decide it once. Every coordinator's or
owner's change is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.dialogs import Dialog
from core.dialogs import finish as finish_dialog
from core.errors import DomainError
from core.ledger import resolve_member_ref
from core.membership import require_active_member, require_coordinator
from core.models import Actor, Community, Member
from core.organisation_reads import OrganisationReads, load_organisation, staff_members_of
from core.organisation_rules import (
    DEFAULT_SHARE,
    KINDS,
    Organisation,
    clean_cap,
    clean_field,
    clean_map_url,
    clean_name,
    clean_phone,
    clean_photo,
    clean_rounding,
    clean_share,
    new_short_code,
    new_token,
    require_staff,
)
from core.views import load_community, load_member, member_from_row
from storage import audit as audit_rows
from storage import memberships as membership_rows
from storage import organisations as organisation_rows
from storage.timefmt import to_db

STAFF_LISTED = 30  # a shop has a handful of staff; the list stops here


@dataclass(frozen=True)
class Profile:
    name: str
    category: str = ""
    address: str = ""
    hours: str = ""
    map_url: str | None = None
    phone: str | None = None
    photo_file_id: str | None = None
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


class OrganisationService(OrganisationReads):
    """Changes; the reads come from OrganisationReads."""

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
            return await load_organisation(conn, organisation_id)

    async def decide(self, actor: Actor, organisation_id: int, approve: bool) -> Decision:
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            organisation = await load_organisation(conn, organisation_id)
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
            organisation = await load_organisation(conn, organisation_id)
            return Decision(organisation, await load_community(conn, organisation.community_id),
                            organisation.status == "active", newly,
                            await staff_members_of(conn, organisation_id, owners_only=True))

    async def set_status(self, actor: Actor, organisation_id: int, active: bool,
                         reason: str) -> Organisation:
        """A coordinator suspends a shop (no one can pay it) or lets it take payments again."""
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            organisation = await load_organisation(conn, organisation_id)
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
            return await load_organisation(conn, organisation_id)

    async def update(self, actor: Actor, organisation_id: int, changes: dict[str, Any]
                     ) -> Organisation:
        """The owner (or a coordinator) changes the profile or what the shop accepts."""
        values = _clean_changes(changes)
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            organisation = await load_organisation(conn, organisation_id)
            await require_staff(conn, actor, organisation, owner=True, coordinator_may=True)
            await organisation_rows.update_fields(conn, organisation_id, values)
            await audit_rows.record(
                conn, community_id=organisation.community_id, actor_person_id=actor.person.id,
                action="shop_update", target=f"shop:{organisation_id}", reason=None,
                details=values, now=now)
            return await load_organisation(conn, organisation_id)

    async def rotate_codes(self, actor: Actor, organisation_id: int, *,
                           expected_token: str | None = None) -> Organisation:
        """New QR token and short code; the old ones then say the code changed. With
        `expected_token` (the code the owner saw when asked) only if the codes are still
        those: a second tap returns the codes the first one made, unchanged."""
        return (await self.rotate_codes_once(actor, organisation_id,
                                             expected_token=expected_token))[0]

    async def rotate_codes_once(self, actor: Actor, organisation_id: int, *,
                                expected_token: str | None = None
                                ) -> tuple[Organisation, bool]:
        """`rotate_codes`, and whether this call changed them."""
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            organisation = await load_organisation(conn, organisation_id)
            await require_staff(conn, actor, organisation, owner=True, coordinator_may=True)
            if not await organisation_rows.rotate_codes(
                    conn, organisation_id, expected_token or organisation.token, new_token(),
                    await new_short_code(conn, organisation.community_id), now):
                return organisation, False
            await audit_rows.record(
                conn, community_id=organisation.community_id, actor_person_id=actor.person.id,
                action="shop_codes_rotate", target=f"shop:{organisation_id}", reason=None,
                details=None, now=now)
            return await load_organisation(conn, organisation_id), True

    async def add_staff(self, actor: Actor, organisation_id: int, member_ref: str) -> Member:
        """The owner lets another member of the community take payments and see takings."""
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            organisation = await load_organisation(conn, organisation_id)
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

    async def staff_list(self, actor: Actor, organisation_id: int
                         ) -> tuple[Organisation, list[tuple[Member, str]]]:
        """The owner's (or a coordinator's) view of who works there: (member, role)."""
        async with self._db.read() as conn:
            organisation = await load_organisation(conn, organisation_id)
            await require_staff(conn, actor, organisation, owner=True, coordinator_may=True)
            rows = await organisation_rows.staff_all(conn, organisation_id, STAFF_LISTED)
            return organisation, [(await load_member(conn, row["membership_id"]), row["role"])
                                  for row in rows]

    async def remove_staff(self, actor: Actor, organisation_id: int, membership_id: int
                           ) -> tuple[Organisation, Member | None, bool]:
        """The owner (or a coordinator) takes a member off the staff: from the next tap they
        neither take payments nor see takings nor refund. The last owner stays. Returns the
        shop, the member (None if not on the staff) and whether this call removed them."""
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            organisation = await load_organisation(conn, organisation_id)
            await require_staff(conn, actor, organisation, owner=True, coordinator_may=True)
            role = await organisation_rows.role_of(conn, organisation_id, membership_id)
            if role is None:
                return organisation, None, False
            member = await load_member(conn, membership_id)
            if not await organisation_rows.remove_staff(conn, organisation_id, membership_id):
                raise DomainError("shop_last_owner")
            await audit_rows.record(
                conn, community_id=organisation.community_id, actor_person_id=actor.person.id,
                action="shop_staff_remove", target=f"shop:{organisation_id}", reason=None,
                details={"member": member.number, "role": role}, now=now)
            return organisation, member, True


def _profile_values(profile: Profile, kind: str) -> dict[str, Any]:
    share = profile.share_percent if profile.share_percent is not None else DEFAULT_SHARE[kind]
    return {
        "name": clean_name(profile.name), "category": clean_field(profile.category),
        "address": clean_field(profile.address), "hours": clean_field(profile.hours),
        "map_url": clean_map_url(profile.map_url), "phone": clean_phone(profile.phone),
        "photo_file_id": clean_photo(profile.photo_file_id),
        "share_percent": clean_share(share), "cap": clean_cap(profile.cap),
        "rounding": clean_rounding(profile.rounding),
    }


def _clean_changes(changes: dict[str, Any]) -> dict[str, Any]:
    cleaners = {"name": clean_name, "category": clean_field, "address": clean_field,
                "hours": clean_field, "map_url": clean_map_url,
                "phone": clean_phone, "photo_file_id": clean_photo, "share_percent": clean_share,
                "cap": clean_cap, "rounding": clean_rounding}
    values = {name: cleaners[name](value) for name, value in changes.items()
              if name in cleaners}
    if not values:
        raise DomainError("nothing_to_change")
    return values
