"""Organisations (가맹점 merchants, 공공기관 institutions): what one is, how a bill splits
into currency and cash, and who may act for one. No I/O beyond the rows handed in."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from core.amounts import MAX_AMOUNT
from core.errors import DomainError
from core.models import Actor, Membership, Row
from storage import ledger as ledger_rows
from storage import memberships as membership_rows
from storage import organisations as organisation_rows
from storage.db import Connection

KINDS = ("merchant", "institution")
ROUNDINGS = (10, 100, 1000)
NAME_MIN, NAME_MAX = 2, 40
FIELD_MAX = 100
SHORT_CODE_DIGITS = 4
TOKEN_BYTES = 12  # 16 URL-safe characters: `shop_` + token fits a Telegram start payload
DEFAULT_SHARE = {"merchant": 30, "institution": 100}
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
_MAP_URL = re.compile(r"^https?://\S{3,300}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]{5,22}$")
PHOTO_REF_MAX = 300


@dataclass(frozen=True)
class Organisation:
    id: int
    community_id: int
    number: int
    kind: str
    name: str
    category: str
    address: str
    hours: str
    map_url: str | None
    phone: str | None
    share_percent: int
    cap: int | None
    rounding: int
    status: str
    token: str
    short_code: str
    account_id: int | None = None
    balance: int = 0
    role: str | None = None  # the reader's role in it, where asked (owner, staff)
    photo_file_id: str | None = None  # the channel's reference to the shop's photo

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @classmethod
    def from_row(cls, row: Row) -> Organisation:
        keys = set(row.keys())  # asyncpg gives an iterator, which `in` would use up
        return cls(
            id=row["id"], community_id=row["community_id"], number=row["number"],
            kind=row["kind"], name=row["name"], category=row["category"],
            address=row["address"], hours=row["hours"], map_url=row["map_url"],
            phone=row["phone"], share_percent=row["share_percent"], cap=row["cap"],
            rounding=row["rounding"], status=row["status"], token=row["token"],
            short_code=row["short_code"], account_id=row["account_id"],
            balance=row["balance"] or 0, role=row["role"] if "role" in keys else None,
            photo_file_id=row["photo_file_id"] if "photo_file_id" in keys else None,
        )


def currency_part(bill: int, share_percent: int, cap: int | None, rounding: int) -> int:
    """The most of a bill a shop takes in currency: its share, at most its cap, rounded
    down to its unit (19,800 at 40% by 100 → 7,900). Integer arithmetic, no floats."""
    most = bill * share_percent // 100
    if cap is not None:
        most = min(most, cap)
    return most // rounding * rounding


def clean_name(text: str) -> str:
    name = " ".join((text or "").split())
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise DomainError("shop_name_length", minimum=NAME_MIN, maximum=NAME_MAX)
    return name


def clean_field(text: str | None) -> str:
    value = " ".join((text or "").split())
    if len(value) > FIELD_MAX:
        raise DomainError("memo_too_long", maximum=FIELD_MAX)
    return value


def clean_map_url(text: str | None) -> str | None:
    value = (text or "").strip()
    if not value:
        return None
    if not _MAP_URL.match(value):
        raise DomainError("shop_map_url_invalid")
    return value


def clean_phone(text: str | None) -> str | None:
    """A phone number as people write it (02-123-4567, 010 1234 5678, +82 2 …); None if
    empty."""
    value = " ".join((text or "").split())
    if not value:
        return None
    if not _PHONE.match(value) or sum(c.isdigit() for c in value) < 7:
        raise DomainError("shop_phone_invalid")
    return value


def clean_photo(ref: str | None) -> str | None:
    value = (ref or "").strip()
    if len(value) > PHOTO_REF_MAX:
        raise DomainError("shop_photo_invalid")
    return value or None


def clean_share(text: str | int) -> int:
    digits = str(text).strip().rstrip("%％").strip()
    if not digits.isdigit() or not 1 <= int(digits) <= 100:
        raise DomainError("shop_share_invalid")
    return int(digits)


def clean_rounding(value: str | int) -> int:
    text = str(value).replace(",", "").strip()
    if not text.isdigit() or int(text) not in ROUNDINGS:
        raise DomainError("shop_rounding_invalid")
    return int(text)


def clean_cap(value: int | None) -> int | None:
    if value is not None and not 0 < value <= MAX_AMOUNT:
        raise DomainError("amount_too_large", maximum=MAX_AMOUNT)
    return value


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def looks_like_token(text: str) -> bool:
    return bool(_TOKEN.match(text or ""))


async def new_short_code(conn: Connection, community_id: int) -> str:
    """Four digits no shop of the community uses or used (a few tens of shops: retries are
    rare; a fifth digit would only make the code harder to type)."""
    for _ in range(200):
        code = f"{secrets.randbelow(9000) + 1000}"
        if not await organisation_rows.short_code_taken(conn, community_id, code):
            return code
    raise DomainError("shop_codes_exhausted")


async def active_membership(conn: Connection, actor: Actor, community_id: int) -> Membership:
    """The actor's active membership in that community (whatever their current one)."""
    row = await membership_rows.get_for(conn, community_id, actor.person.id)
    if row is None or row["status"] != "active":
        raise DomainError("shop_not_found")
    return Membership.from_row(row)


async def require_staff(conn: Connection, actor: Actor, organisation: Organisation, *,
                        owner: bool = False, coordinator_may: bool = False) -> Membership:
    """The actor works for the organisation (as its owner when `owner`); a coordinator of its
    community also may where `coordinator_may`. Others learn only that it is not theirs."""
    me = await active_membership(conn, actor, organisation.community_id)
    role = await organisation_rows.role_of(conn, organisation.id, me.id)
    if role == "owner" or (role == "staff" and not owner):
        return me
    if coordinator_may and me.is_coordinator:
        return me
    raise DomainError("shop_owner_only" if role == "staff" else "shop_not_yours")


async def works_for(conn: Connection, actor: Actor, organisation_id: int, community_id: int
                    ) -> bool:
    """Whether the actor, an active member of that community, is the organisation's owner or
    staff (an institution's staff run its programmes like a coordinator)."""
    row = await membership_rows.get_for(conn, community_id, actor.person.id)
    if row is None or row["status"] != "active":
        return False
    return await organisation_rows.role_of(conn, organisation_id, row["id"]) is not None


async def require_covers(conn: Connection, account_id: int, amount: int) -> None:
    """Before a refund, a fee given back or a correction takes `amount` out of an account: an
    organisation's account only ever gives back what it took, so it never goes below 0; if it
    would, something is wrong and nothing moves (members' and the community's accounts pass)."""
    balance = await ledger_rows.organisation_balance(conn, account_id)
    if balance is not None and balance - amount < 0:
        raise DomainError("organisation_overdrawn")


async def require_programme_host(conn: Connection, actor: Actor, community_id: int,
                                 organisation_id: int) -> None:
    """A public programme is posted by the institution's staff or a coordinator, for an
    active institution of the same community."""
    row = await organisation_rows.get(conn, organisation_id)
    if row is None or row["community_id"] != community_id:
        raise DomainError("shop_not_found")
    organisation = Organisation.from_row(row)
    if organisation.kind != "institution" or not organisation.is_active:
        raise DomainError("shop_unavailable")
    await require_staff(conn, actor, organisation, coordinator_may=True)
