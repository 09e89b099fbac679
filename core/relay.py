"""연락하기: the bot carries a message from one member to another and the answer back, so
neither learns the other's messenger id or username (names and member numbers only, which
members of one community see anyway).

A relay starts with a button (a post, a directory entry, or the Reply under a relayed message)
that opens a short dialog; the member's next text is relayed in one write transaction that
ends the dialog, checks both members and the flood guard, and stores the message for a
coordinator who has to look into abuse. The update's key is recorded in that same
transaction, so a redelivered message is relayed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from core.clock import Clock
from core.dialogs import Dialog
from core.dialogs import finish as finish_dialog
from core.errors import DomainError
from core.models import Actor, Member
from core.views import load_member, member_from_row
from storage import dialogs as dialog_rows
from storage import memberships as membership_rows
from storage import posts as post_rows
from storage import profiles as profile_rows
from storage import relays as relay_rows
from storage.db import Connection, Database
from storage.timefmt import from_db, to_db

RELAY_DIALOG = "relay"
RELAY_TEXT_MAX = 1000
PER_HOUR = 10  # messages one member may have relayed in any hour
PER_PAIR_PER_DAY = 20  # messages from one member to one other in any 24 hours
DIALOG_LIFETIME = timedelta(minutes=30)  # a forgotten 연락하기 does not catch a later text

Refusal = Literal["self", "declines", "unavailable", "sender_off", "stale"]


@dataclass(frozen=True)
class RelayStart:
    """`ok` (the dialog is open), or why not: `self`, `declines` (the recipient takes no
    messages), `unavailable` (not an active member of the community), `sender_off` (the
    sender takes none, so could get no answer), `stale` (not theirs to answer)."""

    status: Literal["ok"] | Refusal
    recipient: Member | None = None
    post_title: str | None = None
    is_reply: bool = False


@dataclass(frozen=True)
class Relay:
    id: int
    sender: Member
    recipient: Member
    post_title: str | None
    text: str
    is_reply: bool


@dataclass(frozen=True)
class RelayResult:
    """`sent`, or why not: the limits (`hour_limit`, `pair_limit`), the text (`empty`,
    `too_long`: nothing is written and the dialog stays), `expired`, `suspended` (the
    sender), or a refusal as for RelayStart."""

    status: Literal["sent", "hour_limit", "pair_limit", "empty", "too_long", "expired",
                    "suspended"] | Refusal
    relay: Relay | None = None
    recipient: Member | None = None
    community_id: int | None = None


def clean_relay_text(text: str) -> str:
    return (text or "").strip()


class RelayService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def begin(self, actor: Actor, *, post_id: int | None = None,
                    membership_id: int | None = None, reply_to: int | None = None) -> RelayStart:
        """Open the dialog for a message to a post's author, a member, or the sender of a
        relayed message (exactly one of the three)."""
        now = self._clock.now()
        async with self._db.write() as conn:
            found = await _target(conn, actor, post_id, membership_id, reply_to)
            if isinstance(found, RelayStart):
                return found
            community_id, sender_id, recipient_id, post_id = found
            start = await _check(conn, actor, community_id, sender_id, recipient_id)
            if start.status != "ok":
                return start
            title = await _post_title(conn, post_id)
            # The dialog opens in the same transaction that checked who may be written to.
            await dialog_rows.put(conn, actor.person.id, RELAY_DIALOG, "text", {
                "from": sender_id, "to": recipient_id, "post": post_id, "reply": reply_to,
                "until": to_db(now + DIALOG_LIFETIME),
            }, to_db(now))
        return RelayStart("ok", start.recipient, title, is_reply=reply_to is not None)

    async def accepts_messages(self, membership_id: int) -> bool:
        async with self._db.read() as conn:
            return bool((await profile_rows.get(conn, membership_id))["accepts_messages"])

    async def send(self, actor: Actor, dialog: Dialog, text: str) -> RelayResult:
        text = clean_relay_text(text)
        if not text:
            return RelayResult("empty")
        if len(text) > RELAY_TEXT_MAX:
            return RelayResult("too_long")
        now = self._clock.now()
        data = dialog.data
        async with self._db.write() as conn:
            # Ended first: whatever happens next, this text is the dialog's one answer.
            await finish_dialog(conn, actor.person.id, dialog)
            until = from_db(data.get("until"))
            if until is None or until < now:
                return RelayResult("expired")
            sender = await membership_rows.get(conn, data["from"])
            if sender is None or sender["person_id"] != actor.person.id:
                return RelayResult("stale")
            if sender["status"] == "suspended":
                return RelayResult("suspended", community_id=sender["community_id"])
            start = await _check(conn, actor, sender["community_id"], sender["id"], data["to"])
            if start.status != "ok":
                return RelayResult(start.status, recipient=start.recipient)
            recipient = start.recipient
            assert recipient is not None
            hour_ago, day_ago = to_db(now - timedelta(hours=1)), to_db(now - timedelta(days=1))
            if await relay_rows.sent_since(conn, sender["id"], hour_ago) >= PER_HOUR:
                return RelayResult("hour_limit", recipient=recipient)
            if await relay_rows.sent_to_since(conn, sender["id"], recipient.membership_id,
                                              day_ago) >= PER_PAIR_PER_DAY:
                return RelayResult("pair_limit", recipient=recipient)
            relay_id = await relay_rows.insert(
                conn, community_id=sender["community_id"], sender_membership_id=sender["id"],
                recipient_membership_id=recipient.membership_id, post_id=data.get("post"),
                reply_to_id=data.get("reply"), text=text, now=to_db(now),
            )
            relay = Relay(relay_id, await load_member(conn, sender["id"]), recipient,
                          await _post_title(conn, data.get("post")), text,
                          is_reply=data.get("reply") is not None)
        return RelayResult("sent", relay, recipient)


async def _target(conn: Connection, actor: Actor, post_id: int | None,
                  membership_id: int | None, reply_to: int | None
                  ) -> tuple[int, int, int, int | None] | RelayStart:
    """(community, sender membership, recipient membership, post) of the button tapped."""
    if post_id is not None:
        post = await post_rows.get(conn, post_id)
        if post is None:
            raise DomainError("post_not_found")
        sender = await membership_rows.get_for(conn, post["community_id"], actor.person.id)
        if sender is None or sender["status"] not in ("active", "suspended"):
            raise DomainError("post_not_found")
        if post["status"] != "open":
            raise DomainError("post_closed")
        return post["community_id"], sender["id"], post["author_membership_id"], post_id
    if membership_id is not None:
        recipient = await membership_rows.get(conn, membership_id)
        if recipient is None:
            return RelayStart("unavailable")
        sender = await membership_rows.get_for(conn, recipient["community_id"], actor.person.id)
        if sender is None:
            return RelayStart("unavailable")
        return recipient["community_id"], sender["id"], membership_id, None
    relay = await relay_rows.get(conn, reply_to) if reply_to is not None else None
    if relay is None:
        return RelayStart("stale")
    me = await membership_rows.get(conn, relay["recipient_membership_id"])
    if me is None or me["person_id"] != actor.person.id:
        return RelayStart("stale")  # only the one it was sent to answers it
    return relay["community_id"], me["id"], relay["sender_membership_id"], relay["post_id"]


async def _check(conn: Connection, actor: Actor, community_id: int, sender_id: int,
                 recipient_id: int) -> RelayStart:
    """Both members active in the community, both taking messages; a suspended sender is
    refused with the reason for their suspension."""
    sender = await membership_rows.get(conn, sender_id)
    if sender is None or sender["community_id"] != community_id:
        return RelayStart("stale")
    if sender["status"] == "suspended":
        raise DomainError("membership_suspended", community_id=community_id)
    if sender["status"] != "active":
        return RelayStart("unavailable")
    row = await membership_rows.member_view(conn, recipient_id)
    if row is None or row["community_id"] != community_id:
        return RelayStart("unavailable")
    member = member_from_row(row)
    if member.person_id == actor.person.id:
        return RelayStart("self", member)
    if member.status != "active" or member.number is None:
        return RelayStart("unavailable", member)
    if not (await profile_rows.get(conn, recipient_id))["accepts_messages"]:
        return RelayStart("declines", member)
    if not (await profile_rows.get(conn, sender_id))["accepts_messages"]:
        return RelayStart("sender_off", member)
    return RelayStart("ok", member)


async def _post_title(conn: Connection, post_id: int | None) -> str | None:
    if post_id is None:
        return None
    post = await post_rows.get(conn, post_id)
    return post["title"] if post else None
