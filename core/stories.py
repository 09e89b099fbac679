"""Best-practice stories (우수사례): members and coordinators nominate a story (text, photos)
from their community; a coordinator of that community or an admin selects it, which
publishes it to the community's members as a notice, through the notices' outbox, exactly
once; selected stories go into the year's report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.clock import Clock
from core.dialogs import Dialog
from core.dialogs import finish as finish_dialog
from core.errors import DomainError
from core.membership import require_active_member, require_coordinator
from core.models import Actor, Member
from core.notices import NoticeDraft, NoticeService
from core.views import load_community, load_member
from storage import audit as audit_rows
from storage import stories as story_rows
from storage.db import Connection, Database
from storage.port import Row
from storage.timefmt import from_db, to_db

TEXT_MAX = 800  # characters: with its header it stays a Telegram caption when it has a photo
PHOTOS_MAX = 5
LIST_MAX = 10  # nominated stories shown at once


@dataclass(frozen=True)
class Story:
    id: int
    community_id: int
    community_name: str
    author_membership_id: int
    author_name: str
    text: str
    status: str
    photos: int
    first_photo: str | None
    selected_at: datetime | None
    notice_id: int | None

    @classmethod
    def from_row(cls, row) -> Story:
        return cls(row["id"], row["community_id"], row["community_name"],
                   row["author_membership_id"], row["author_name"] or "", row["text"],
                   row["status"], row["photos"], row["first_photo"],
                   from_db(row["selected_at"]) if row["selected_at"] else None,
                   row["notice_id"])


@dataclass(frozen=True)
class Selection:
    story: Story
    published: bool  # False: it had been selected before (nothing sent again)
    recipients: int
    author: Member | None


def clean_story(text: str, photos: list[str]) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError("story_empty")
    if len(text) > TEXT_MAX:
        raise DomainError("story_too_long", maximum=TEXT_MAX)
    if len(photos) > PHOTOS_MAX:
        raise DomainError("story_too_many_photos", maximum=PHOTOS_MAX)
    return text


class StoryService:
    def __init__(self, db: Database, clock: Clock, notices: NoticeService) -> None:
        self._db = db
        self._clock = clock
        self._notices = notices

    async def nominate(self, actor: Actor, text: str, photos: list[str], *,
                       finishing: Dialog | None = None) -> Story:
        """With `finishing`, the dialog ends in the same transaction: a second tap of Submit
        finds it gone and nominates nothing."""
        community, membership = require_active_member(actor)
        text = clean_story(text, photos)
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            if finishing is not None:
                await finish_dialog(conn, actor.person.id, finishing)
            story_id = await story_rows.insert(conn, community.id, membership.id, text, photos,
                                               now)
            return Story.from_row(await story_rows.get(conn, story_id))

    async def nominated(self, actor: Actor) -> tuple[list[Story], int]:
        """The current community's stories waiting for a decision (the first `LIST_MAX`),
        and how many there are; an admin of no community sees every community's."""
        community_id = None
        if not (actor.is_admin and actor.community is None):
            community_id = require_active_member(actor)[0].id
        async with self._db.read() as conn:
            if not actor.is_admin:
                await require_coordinator(conn, actor, community_id)
            rows = await story_rows.nominated(conn, community_id, LIST_MAX)
            return ([Story.from_row(row) for row in rows],
                    await story_rows.count_nominated(conn, community_id))

    async def get(self, actor: Actor, story_id: int) -> Story:
        async with self._db.read() as conn:
            return Story.from_row(await _story_for_coordinator(conn, actor, story_id))

    async def select(self, actor: Actor, story_id: int, message: str) -> Selection:
        """Select the story and queue it as a notice to its community, in one transaction;
        `message` is the notice as the flow rendered it. A second tap publishes nothing."""
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            row = await _story_for_coordinator(conn, actor, story_id)
            if not await story_rows.select(conn, story_id, actor.person.id, now):
                return Selection(Story.from_row(row), False, 0, None)
            community = await load_community(conn, row["community_id"])
            draft = NoticeDraft(text=row["text"], audience="all",
                                photo_file_id=row["first_photo"])
            notice_id = await self._notices.queue(conn, community, actor.person.id, draft,
                                                  message, now)
            await story_rows.set_notice(conn, story_id, notice_id)
            await audit_rows.record(conn, community_id=community.id,
                                    actor_person_id=actor.person.id, action="story_select",
                                    target=f"story:{story_id}", reason=None,
                                    details={"notice": notice_id}, now=now)
            story = Story.from_row(await story_rows.get(conn, story_id))
            author = await load_member(conn, story.author_membership_id)
        report = await self._notices.report_of(notice_id)
        return Selection(story, True, report.recipients, author)


async def _story_for_coordinator(conn: Connection, actor: Actor, story_id: int) -> Row:
    """The story, if the actor coordinates its community (or is an admin)."""
    row = await story_rows.get(conn, story_id)
    if row is None:
        raise DomainError("story_not_found")
    if not actor.is_admin:
        await require_coordinator(conn, actor, row["community_id"])
    return row
