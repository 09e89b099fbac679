"""Typed views of the domain, built from storage rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.timefmt import from_db

Row = Mapping[str, Any]


def _time(row: Row, key: str) -> datetime:
    value = from_db(row[key])
    assert value is not None
    return value


@dataclass(frozen=True)
class Community:
    id: int
    code: str
    name: str
    unit: str
    credit_floor: int
    credit_ceiling: int
    approval: str
    open_ledger: bool
    reminder_hours: tuple[int, ...] = (24, 1)
    orientation_required: bool = False

    @classmethod
    def from_row(cls, row: Row) -> Community:
        return cls(
            id=row["id"],
            code=row["code"],
            name=row["name"],
            unit=row["unit"],
            credit_floor=row["credit_floor"],
            credit_ceiling=row["credit_ceiling"],
            approval=row["approval"],
            open_ledger=bool(row["open_ledger"]),
            reminder_hours=_hours(row["reminder_hours"]) if "reminder_hours" in row.keys()
            else (24, 1),
            orientation_required=bool(row["orientation_required"])
            if "orientation_required" in row.keys() else False,
        )


def _hours(text: str | None) -> tuple[int, ...]:
    return tuple(int(part) for part in (text or "").split(",") if part.strip().isdigit())


@dataclass(frozen=True)
class Person:
    id: int
    display_name: str
    username: str | None
    locale: str | None
    current_community_id: int | None
    name_confirmed: bool = True  # False: a placeholder from a channel that gives no name

    @classmethod
    def from_row(cls, row: Row) -> Person:
        return cls(
            id=row["id"],
            display_name=row["display_name"],
            username=row["username"],
            locale=row["locale"],
            current_community_id=row["current_community_id"],
            name_confirmed=bool(row["name_confirmed"]) if "name_confirmed" in row.keys()
            else True,
        )


@dataclass(frozen=True)
class Membership:
    id: int
    community_id: int
    person_id: int
    number: int | None
    role: str
    status: str
    credit_floor: int | None
    credit_ceiling: int | None
    oriented: bool = True
    event_reminders: bool = True
    notices_muted: bool = False

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator" and self.status == "active"

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @classmethod
    def from_row(cls, row: Row) -> Membership:
        return cls(
            id=row["id"],
            community_id=row["community_id"],
            person_id=row["person_id"],
            number=row["number"],
            role=row["role"],
            status=row["status"],
            credit_floor=row["credit_floor"],
            credit_ceiling=row["credit_ceiling"],
            oriented=row["oriented_at"] is not None if "oriented_at" in row.keys() else True,
            event_reminders=bool(row["event_reminders"])
            if "event_reminders" in row.keys() else True,
            notices_muted=bool(row["notices_muted"]) if "notices_muted" in row.keys() else False,
        )


@dataclass(frozen=True)
class Member:
    """A membership with the person's name and where to reach them, for messages."""

    membership_id: int
    community_id: int
    person_id: int
    number: int | None
    display_name: str
    username: str | None
    locale: str | None
    role: str
    status: str
    addresses: dict[str, str] = field(default_factory=dict)
    # A former member whose name and channel ids were erased: shown as "former member #23".
    erased: bool = False

    @classmethod
    def from_row(cls, row: Row, addresses: dict[str, str]) -> Member:
        return cls(
            membership_id=row["membership_id"],
            community_id=row["community_id"],
            person_id=row["person_id"],
            number=row["number"],
            display_name=row["display_name"],
            username=row["username"],
            locale=row["locale"],
            role=row["role"],
            status=row["status"],
            addresses=addresses,
            erased=row["erased_at"] is not None if "erased_at" in row.keys() else False,
        )


@dataclass(frozen=True)
class Actor:
    """Who is acting, and in which community (their current one)."""

    person: Person
    community: Community | None
    membership: Membership | None
    is_admin: bool = False

    @property
    def locale(self) -> str | None:
        return self.person.locale


@dataclass(frozen=True)
class TradeRequest:
    id: int
    community_id: int
    kind: str
    payer_membership_id: int
    payee_membership_id: int
    amount: int
    memo: str | None
    post_id: int | None
    status: str
    created_at: datetime
    expires_at: datetime
    transfer_id: int | None

    @classmethod
    def from_row(cls, row: Row) -> TradeRequest:
        return cls(
            id=row["id"],
            community_id=row["community_id"],
            kind=row["kind"],
            payer_membership_id=row["payer_membership_id"],
            payee_membership_id=row["payee_membership_id"],
            amount=row["amount"],
            memo=row["memo"],
            post_id=row["post_id"],
            status=row["status"],
            created_at=_time(row, "created_at"),
            expires_at=_time(row, "expires_at"),
            transfer_id=row["transfer_id"],
        )


@dataclass(frozen=True)
class Transfer:
    id: int
    community_id: int
    payer_membership_id: int | None
    payee_membership_id: int | None
    amount: int
    kind: str
    memo: str | None
    reason: str | None
    reverses_id: int | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> Transfer:
        return cls(
            id=row["id"],
            community_id=row["community_id"],
            payer_membership_id=row["payer_membership_id"],
            payee_membership_id=row["payee_membership_id"],
            amount=row["amount"],
            kind=row["kind"],
            memo=row["memo"],
            reason=row["reason"],
            reverses_id=row["reverses_id"],
            created_at=_time(row, "created_at"),
        )


@dataclass(frozen=True)
class TradeView:
    """A trade request with both parties and their community, ready to show."""

    request: TradeRequest
    community: Community
    payer: Member
    payee: Member
    transfer: Transfer | None = None
    newly_decided: bool = True


@dataclass(frozen=True)
class PendingPage:
    """One page of a member's open requests, both ways, newest first."""

    views: list[TradeView]
    page: int
    has_more: bool


@dataclass(frozen=True)
class Reversal:
    original: Transfer
    reversal: Transfer
    community: Community
    payer: Member | None
    payee: Member | None
    # a side that is a shop's or institution's account (payer/payee then None): its name,
    # and its staff, who are told
    payer_organisation: str | None = None
    payee_organisation: str | None = None
    staff: tuple[Member, ...] = ()


@dataclass(frozen=True)
class ReversalPreview:
    """A reversal a coordinator has asked for and not yet confirmed."""

    original: Transfer
    reason: str
    community: Community
    payer: Member | None
    payee: Member | None
    payer_organisation: str | None = None
    payee_organisation: str | None = None
    staff: tuple[Member, ...] = ()  # of that shop or institution: who would be told


@dataclass(frozen=True)
class BalanceView:
    community: Community
    member: Member
    balance: int
    credit_floor: int
    credit_ceiling: int

    @property
    def can_spend(self) -> int:
        return max(0, self.balance - self.credit_floor)

    @property
    def can_receive(self) -> int:
        return max(0, self.credit_ceiling - self.balance)


@dataclass(frozen=True)
class HistoryEntry:
    transfer_id: int
    created_at: datetime
    amount: int
    kind: str
    memo: str | None
    counterparty_number: int | None
    counterparty_name: str | None
    reason: str | None = None  # a correction's reason
    reverses_id: int | None = None  # the transfer a correction undoes
    reversed_by: int | None = None  # the correction that undid this transfer
    purpose: str | None = None  # an event fee, refund or reward, or a balance settlement
    organisation: str | None = None  # the shop or institution on the other side


@dataclass(frozen=True)
class HistoryPage:
    community: Community
    balance: int
    entries: list[HistoryEntry]
    page: int
    has_more: bool
    member: Member | None = None  # set when a coordinator reads another member's statement
    # Keyset cursors (movement ids): the page after this one starts below `older`, the page
    # before it above `newer`; None where there is no such page.
    older: int | None = None
    newer: int | None = None


@dataclass(frozen=True)
class Post:
    id: int
    community_id: int
    author_membership_id: int
    kind: str
    category: str
    title: str
    description: str
    price: int | None
    photo_file_id: str | None
    status: str
    created_at: datetime
    expires_at: datetime
    author_number: int | None = None
    author_name: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> Post:
        keys = set(row.keys()) if hasattr(row, "keys") else row
        return cls(
            id=row["id"],
            community_id=row["community_id"],
            author_membership_id=row["author_membership_id"],
            kind=row["kind"],
            category=row["category"],
            title=row["title"],
            description=row["description"],
            price=row["price"],
            photo_file_id=row["photo_file_id"],
            status=row["status"],
            created_at=_time(row, "created_at"),
            expires_at=_time(row, "expires_at"),
            author_number=row["author_number"] if "author_number" in keys else None,
            author_name=row["author_name"] if "author_name" in keys else None,
        )


@dataclass(frozen=True)
class PostView:
    post: Post
    community: Community
    author: Member


@dataclass(frozen=True)
class MarketPage:
    community: Community
    posts: list[Post]
    page: int
    has_more: bool
    words: str


@dataclass(frozen=True)
class Event:
    id: int
    community_id: int | None
    kind: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place: str | None
    map_url: str | None
    capacity: int | None
    audience: str
    fee: int
    refund_cutoff_hours: int
    reward: int
    host: str | None
    is_orientation: bool
    status: str
    checkin_code: str | None
    signed_count: int = 0
    waiting_count: int = 0
    organisation_id: int | None = None  # a public programme's institution (its fees' payee)

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.signed_count)

    @classmethod
    def from_row(cls, row: Row) -> Event:
        keys = set(row.keys())  # asyncpg gives an iterator, which `in` would use up
        return cls(
            id=row["id"], community_id=row["community_id"], kind=row["kind"],
            title=row["title"], description=row["description"],
            starts_at=_time(row, "starts_at"), ends_at=_time(row, "ends_at"),
            place=row["place"], map_url=row["map_url"], capacity=row["capacity"],
            audience=row["audience"], fee=row["fee"],
            refund_cutoff_hours=row["refund_cutoff_hours"], reward=row["reward"],
            host=row["host"], is_orientation=bool(row["is_orientation"]),
            status=row["status"], checkin_code=row["checkin_code"],
            signed_count=row["signed_count"] if "signed_count" in keys else 0,
            waiting_count=row["waiting_count"] if "waiting_count" in keys else 0,
            organisation_id=row["organisation_id"] if "organisation_id" in keys else None,
        )


@dataclass(frozen=True)
class EventView:
    event: Event
    unit: str
    my_status: str | None = None  # 'signed', 'waiting' or None
    attended: bool = False
