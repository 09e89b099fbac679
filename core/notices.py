"""Notices (공지): a coordinator's broadcast, queued in a durable outbox — one row per
recipient — that a sender drains. The message is rendered once, by the channel, when it is
previewed, and stored: every recipient gets exactly what the coordinator saw. Each row is
claimed just before it is sent, so after a crash only the sends in flight are uncertain, a
restart resumes with everyone never tried, and nobody gets the notice twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.clock import Clock
from core.dialogs import Dialog
from core.dialogs import finish as finish_dialog
from core.errors import DomainError
from core.membership import require_active_member, require_coordinator
from core.models import Actor, Community, Member
from core.views import load_community, load_member
from storage import audit as audit_rows
from storage import communities as community_rows
from storage import memberships as membership_rows
from storage import notices as notice_rows
from storage.db import Connection, Database
from storage.timefmt import to_db

AUDIENCES = ("all", "coordinators", "event", "active", "inactive")
TEXT_MAX = 3500
# Telegram takes captions of up to 1024 characters; the rest is for the header.
CAPTION_MAX = 900


@dataclass(frozen=True)
class NoticeDraft:
    text: str
    audience: str
    photo_file_id: str | None = None
    document_file_id: str | None = None
    event_id: int | None = None
    days: int | None = None
    urgent: bool = False


@dataclass(frozen=True)
class Delivery:
    outbox_id: int
    notice_id: int
    address: str  # the recipient on `channel`: a Telegram chat id, a Kakao user key, a name
    text: str
    photo_file_id: str | None
    document_file_id: str | None
    attempts: int
    to_group: bool = False
    channel: str = "telegram"
    button: tuple[str, str] | None = None  # (label, action) shown under the text

    @property
    def chat_id(self) -> int:
        """The Telegram chat (Telegram deliveries only)."""
        return int(self.address)


@dataclass(frozen=True)
class NoticeReport:
    notice_id: int
    community: Community
    author_person_id: int
    recipients: int
    sent: int
    unreachable: int
    failed: int
    pending: int
    done: bool
    uncertain: int = 0  # in flight when the bot stopped: may or may not have arrived


class NoticeService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def count_recipients(self, actor: Actor, draft: NoticeDraft) -> int:
        community = await self._coordinator_community(actor)
        async with self._db.read() as conn:
            return len(await self._recipients(conn, community, draft))

    async def send(self, actor: Actor, draft: NoticeDraft, *, message: str,
                   finishing: Dialog | None = None) -> NoticeReport:
        """Queue the notice for every recipient (and linked group chats) in one transaction.
        `message` is the notice as the channel rendered it for the preview; it is what is
        delivered. With `finishing`, the dialog ends in the same transaction: a second tap of
        Send finds it gone and queues nothing."""
        community = await self._coordinator_community(actor)
        validate_draft(draft)
        if not message.strip():
            raise ValueError("a notice is sent as it was rendered for the preview")
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            if finishing is not None:
                await finish_dialog(conn, actor.person.id, finishing)
            notice_id = await self.queue(conn, community, actor.person.id, draft, message, now)
            return await self._report(conn, notice_id)

    async def queue(self, conn: Connection, community: Community, author_person_id: int,
                    draft: NoticeDraft, message: str, now: str) -> int:
        """The notice and its outbox rows, inside the caller's write transaction (a notice,
        or a story being published); the caller has checked who may send it."""
        rows = await self._recipients(conn, community, draft)
        notice_id = await notice_rows.insert_notice(conn, {
            "community_id": community.id, "author_person_id": author_person_id,
            "text": draft.text, "message": message, "photo_file_id": draft.photo_file_id,
            "document_file_id": draft.document_file_id, "audience": draft.audience,
            "audience_event_id": draft.event_id, "audience_days": draft.days,
            "urgent": int(draft.urgent), "created_at": now,
        })
        targets = [(row["membership_id"], row["channel"], row["chat_id"]) for row in rows]
        if draft.audience == "all":  # linked group chats are Telegram's
            targets += [(None, "telegram", g["chat_id"]) for g in
                        await notice_rows.groups_of(conn, community.id)]
        await notice_rows.add_outbox(conn, notice_id, targets, now)
        await notice_rows.complete_if_done(conn, notice_id, now)
        await audit_rows.record(conn, community_id=community.id,
                                actor_person_id=author_person_id, action="notice_send",
                                target=f"notice:{notice_id}", reason=None,
                                details={"audience": draft.audience,
                                         "recipients": len(targets)}, now=now)
        return notice_id

    async def report_of(self, notice_id: int) -> NoticeReport:
        async with self._db.read() as conn:
            return await self._report(conn, notice_id)

    async def claim(self, limit: int = 1, channel: str = "telegram") -> list[Delivery]:
        """Mark rows as being sent. Claim only what is sent right now: a row claimed and
        never sent is reported uncertain after a crash, like one whose send was cut off."""
        now = to_db(self._clock.now())
        async with self._db.write(records_update=False) as conn:
            rows = await notice_rows.claim(conn, limit, now, channel)
            notices = {}
            deliveries = []
            for row in rows:
                if row["notice_id"] not in notices:
                    notices[row["notice_id"]] = await notice_rows.get_notice(conn,
                                                                             row["notice_id"])
                notice = notices[row["notice_id"]]
                deliveries.append(Delivery(row["id"], row["notice_id"], row["chat_id"],
                                           notice["message"], notice["photo_file_id"],
                                           notice["document_file_id"], row["attempts"],
                                           to_group=row["membership_id"] is None,
                                           channel=row["channel"],
                                           button=_button(notice)))
        return deliveries

    async def finish_many(self, outcomes: list[tuple[Delivery, str, str | None]]
                          ) -> list[NoticeReport]:
        """Record a batch of outcomes in one transaction; reports of notices just finished."""
        now = to_db(self._clock.now())
        finished = []
        async with self._db.write(records_update=False) as conn:
            for delivery, state, error in outcomes:
                await notice_rows.finish(conn, delivery.outbox_id, state, error, now)
            for notice_id in sorted({delivery.notice_id for delivery, _, _ in outcomes}):
                if await notice_rows.complete_if_done(conn, notice_id, now):
                    finished.append(await self._report(conn, notice_id))
        return finished

    async def retry_later(self, delivery: Delivery, error: str) -> None:
        async with self._db.write(records_update=False) as conn:
            await notice_rows.finish(conn, delivery.outbox_id, "pending", error,
                                     to_db(self._clock.now()))

    async def recover(self) -> list[NoticeReport]:
        """At start-up: rows left 'sending' by a stopped process (their send was cut off, so
        they may or may not have arrived) become 'uncertain' and are not sent again; every
        row never tried is still 'pending'. Returns the notices this leaves finished."""
        now = to_db(self._clock.now())
        finished = []
        async with self._db.write(records_update=False) as conn:
            for notice_id in await notice_rows.interrupted(conn, now):
                if await notice_rows.complete_if_done(conn, notice_id, now):
                    finished.append(await self._report(conn, notice_id))
        return finished

    async def drop_group(self, chat_id: int, reason: str) -> bool:
        """Unlink a group chat the bot can no longer post to (removed from it, or it is
        gone), so nothing is tried there again; True if it was linked."""
        now = to_db(self._clock.now())
        async with self._db.write(records_update=False) as conn:
            community_id = await notice_rows.unlink_group(conn, str(chat_id))
            if community_id is None:
                return False
            await audit_rows.record(conn, community_id=community_id, actor_person_id=None,
                                    action="group_unlink", target=f"chat:{chat_id}",
                                    reason=reason, details=None, now=now)
        return True

    async def move_group(self, chat_id: int, new_chat_id: int) -> bool:
        """A group became a supergroup (a new chat id): its link follows it."""
        async with self._db.write(records_update=False) as conn:
            return await notice_rows.move_group(conn, str(chat_id), str(new_chat_id))

    async def resend_to(self, delivery: Delivery, chat_id: int) -> None:
        """Queue the same notice for a group chat's new id."""
        async with self._db.write(records_update=False) as conn:
            await notice_rows.add_outbox(conn, delivery.notice_id,
                                         [(None, "telegram", str(chat_id))],
                                         to_db(self._clock.now()))

    async def report(self, actor: Actor, notice_id: int | None = None) -> list[NoticeReport]:
        community = await self._coordinator_community(actor)
        async with self._db.read() as conn:
            if notice_id is not None:
                row = await notice_rows.get_notice(conn, notice_id)
                if row is None or row["community_id"] != community.id:
                    raise DomainError("notice_not_found")
                return [await self._report(conn, notice_id)]
            rows = await notice_rows.recent_notices(conn, community.id, 5)
            return [await self._report(conn, row["id"]) for row in rows]

    async def set_muted(self, actor: Actor, muted: bool) -> bool:
        _, membership = require_active_member(actor)
        async with self._db.write() as conn:
            await notice_rows.set_muted(conn, membership.id, muted)
        return muted

    async def market_groups(self, community_id: int) -> list[int]:
        async with self._db.read() as conn:
            return [int(chat) for chat in await notice_rows.market_groups(conn, community_id)]

    async def link_group(self, actor: Actor, chat_id: int, code: str, *,
                         post_market: bool = False) -> Community:
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            row = await community_rows.get_by_code(conn, code)
            if row is None:
                raise DomainError("community_not_found", code=code)
            await require_coordinator(conn, actor, row["id"])
            await notice_rows.link_group(conn, str(chat_id), row["id"], actor.person.id,
                                         post_market, now)
            await audit_rows.record(conn, community_id=row["id"], actor_person_id=actor.person.id,
                                    action="group_link", target=f"chat:{chat_id}", reason=None,
                                    details=None, now=now)
            return Community.from_row(row)

    async def _coordinator_community(self, actor: Actor) -> Community:
        community, _ = require_active_member(actor)
        async with self._db.read() as conn:
            await require_coordinator(conn, actor, community.id)
        return community

    async def _recipients(self, conn: Connection, community: Community, draft: NoticeDraft):
        if draft.audience not in AUDIENCES:
            raise DomainError("notice_audience_invalid")
        since = None
        if draft.audience in ("active", "inactive"):
            if not draft.days or not 0 < draft.days <= 3650:
                raise DomainError("notice_days_invalid")
            since = to_db(self._clock.now() - timedelta(days=draft.days))
        return await notice_rows.recipients(
            conn, community.id, draft.audience, event_id=draft.event_id, since=since,
            include_muted=draft.urgent)

    async def author_of(self, report: NoticeReport) -> Member | None:
        """The coordinator who sent a notice, to tell them how it went."""
        async with self._db.read() as conn:
            row = await membership_rows.get_for(conn, report.community.id,
                                                report.author_person_id)
            return await load_member(conn, row["id"]) if row is not None else None

    async def _report(self, conn: Connection, notice_id: int) -> NoticeReport:
        notice = await notice_rows.get_notice(conn, notice_id)
        counts = await notice_rows.counts(conn, notice_id)
        return NoticeReport(
            notice_id=notice_id, community=await load_community(conn, notice["community_id"]),
            author_person_id=notice["author_person_id"], recipients=sum(counts.values()),
            sent=counts.get("sent", 0), unreachable=counts.get("unreachable", 0),
            failed=counts.get("failed", 0), uncertain=counts.get("uncertain", 0),
            pending=counts.get("pending", 0) + counts.get("sending", 0),
            done=notice["status"] == "done")


def validate_draft(draft: NoticeDraft) -> None:
    """What the coordinator wrote fits what Telegram takes (a text or a caption), counted as
    Telegram counts (UTF-16 units: an emoji is 2), so the preview around it fits too."""
    if not draft.text.strip() and not (draft.photo_file_id or draft.document_file_id):
        raise DomainError("notice_empty")
    length = len(draft.text.encode("utf-16-le", "surrogatepass")) // 2
    if (draft.photo_file_id or draft.document_file_id) and length > CAPTION_MAX:
        raise DomainError("notice_caption_too_long", maximum=CAPTION_MAX)
    if length > TEXT_MAX:
        raise DomainError("memo_too_long", maximum=TEXT_MAX)


def _button(notice) -> tuple[str, str] | None:
    if notice["button_action"] is None:
        return None
    return notice["button_label"], notice["button_action"]
