"""Surveys (설문), the coordinator's side and the background's: create one from a spec (YAML,
CSV, a template or the chat dialog), send it — at its opening date, at once, or from the
menu — through the notice outbox to every member of its audience on their channel, close it,
and remind those who have not finished, once. Members answer through `survey_answering`;
results are `survey_results`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta

from core.clock import Clock
from core.dialogs import Dialog
from core.dialogs import finish as finish_dialog
from core.errors import DomainError
from core.membership import require_active_member, require_coordinator
from core.models import Actor, Community, Member
from core.survey_models import (
    Survey,
    closes_too_soon,
    closing_moment,
    opening_moment,
    reminder_moment,
)
from core.survey_spec import SurveySpec
from core.views import load_community, load_member
from core.when import SEOUL
from storage import audit as audit_rows
from storage import communities as community_rows
from storage import events as event_rows
from storage import memberships as membership_rows
from storage import notices as notice_rows
from storage import survey_answers as answer_rows
from storage import surveys as survey_rows
from storage.db import Connection, Database
from storage.timefmt import to_db

# The invitation as every recipient gets it, rendered once (like a notice's preview): its
# text and the label of the button that starts the survey.
Render = Callable[[Survey, Community], tuple[str, str]]
LIST_SIZE = 10
CLOSE_IN_DAYS = (7, 14, 28)  # the closing days a coordinator picks from in chat
# The audiences offered in chat, as for notices (a YAML file may also name any days).
CHAT_AUDIENCES = ("all", "coordinators", "active", "inactive", "event")
AUDIENCE_DAYS = 90
OPENS_WITHIN_DAYS = 365  # an opening day typed in chat: a year on at most (a typo's guard)


@dataclass(frozen=True)
class SurveyReminder:
    member: Member
    survey: Survey


class SurveyService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def create(self, actor: Actor | None, spec: SurveySpec, *,
                     community_code: str | None = None, finishing: Dialog | None = None,
                     reuse_unsent: bool = False) -> Survey:
        """A draft (or, with an opening date, scheduled) survey in the actor's community as
        coordinator, or, from the command line (no actor), in the community with that code.
        With `finishing`, the dialog that built it ends in the same transaction. With
        `reuse_unsent`, a survey from the same template not yet sent is returned instead of
        a second one (the template's button tapped twice, or again later)."""
        now = self._clock.now()
        async with self._db.write() as conn:
            if finishing is not None and actor is not None:
                await finish_dialog(conn, actor.person.id, finishing)
            community = await self._community(conn, actor, community_code)
            if reuse_unsent and spec.template is not None:
                # Inside the write transaction: two taps at once find the one draft.
                found = await survey_rows.unsent_of_template(conn, community.id, spec.template)
                if found is not None:
                    return await load_survey(conn, found)
            opens = opening_moment(spec.opens) if spec.opens else None
            closes = closing_moment(spec.closes) if spec.closes else None
            if closes is not None and closes <= now:
                raise DomainError("survey_closes_past")
            survey_id = await survey_rows.insert_survey(conn, {
                "community_id": community.id,
                "created_by_person_id": actor.person.id if actor else None,
                "title": spec.title, "anonymous": int(spec.anonymous),
                "audience": spec.audience, "audience_days": spec.audience_days,
                "audience_event_id": spec.audience_event_id,
                "opens_at": to_db(opens) if opens else None,
                "closes_at": to_db(closes) if closes else None,
                "status": "scheduled" if opens else "draft", "template": spec.template,
                "created_at": to_db(now),
            })
            await survey_rows.insert_questions(conn, survey_id, spec.questions)
            await audit_rows.record(conn, community_id=community.id,
                                    actor_person_id=actor.person.id if actor else None,
                                    action="survey_create", target=f"survey:{survey_id}",
                                    reason=None, details={"questions": len(spec.questions)},
                                    now=to_db(now))
            return await load_survey(conn, survey_id)

    async def send(self, actor: Actor | None, survey_id: int, render: Render) -> int:
        """Open the survey now and queue its invitation; how many members it went to. A second
        Send (a double tap, another coordinator, the sweep) finds it open and sends nothing."""
        async with self._db.write() as conn:
            survey = await self._coordinated(conn, actor, survey_id)
            if survey.status in ("open", "closed"):
                raise DomainError("survey_already_sent")
            return await self._open(conn, survey, render, actor)

    async def open_due(self, render: Render) -> list[Survey]:
        """The sweep: surveys whose opening moment has come go out. One whose closing day has
        passed meanwhile (the bot was down) is not sent already closed: it goes back to the
        drafts without its opening day, and is returned too (as a draft) so that its
        coordinator is told to choose a new closing day."""
        opened = []
        async with self._db.read() as conn:
            due = await survey_rows.due_to_open(conn, to_db(self._clock.now()))
        for survey_id in due:
            async with self._db.write(records_update=False) as conn:
                survey = await load_survey(conn, survey_id)
                if survey.status != "scheduled":
                    continue
                try:
                    await self._open(conn, survey, render, None)
                except DomainError as error:
                    if error.code != "survey_closes_soon":
                        # no coordinator left to send it: it waits as a draft
                        await survey_rows.move(conn, survey_id, ("scheduled",), "draft")
                        continue
                    await survey_rows.move(conn, survey_id, ("scheduled",), "draft",
                                           opens_at=None)
                opened.append(await load_survey(conn, survey_id))
        return opened

    async def close_due(self) -> int:
        now = to_db(self._clock.now())
        async with self._db.write(records_update=False) as conn:
            closed = 0
            for survey_id in await survey_rows.due_to_close(conn, now):
                row = await survey_rows.get(conn, survey_id)
                if await survey_rows.move(conn, survey_id, ("open",), "closed",
                                          closed_at=row["closes_at"]):
                    await _forget_who_answered(conn, survey_id)
                    closed += 1
        return closed

    async def set_closing(self, actor: Actor, survey_id: int, days: int) -> Survey:
        """A survey not yet sent closes at the end of the day `days` on (Seoul) from its
        opening day, or from today when it has none: the chat's way to the closing day an
        imported survey carries, and with it the reminder."""
        if days not in CLOSE_IN_DAYS:
            raise ValueError(f"close in {days} days: not one of {CLOSE_IN_DAYS}")

        def change(survey: Survey) -> dict[str, str | int | None]:
            start = (survey.opens_at or self._clock.now()).astimezone(SEOUL).date()
            return {"closes_at": to_db(closing_moment(start + timedelta(days=days)))}

        return await self._change_unsent(actor, survey_id, change)

    async def set_opening(self, actor: Actor, survey_id: int, day: date | None) -> Survey:
        """The day a survey not yet sent goes out (at 9:00, by the sweep, as an imported
        survey's `opens`), chosen in chat; None: no day, it waits to be sent from /surveys.
        A new opening day clears the closing day, however it was set (a file's, or the
        chat's buttons, which are not told apart), to be chosen again (`choose` says so): a
        closing day is never moved, nor the time it stays open shrunk, unnoticed. The same
        day again, or no day, keeps it as it is."""
        today = self._clock.now().astimezone(SEOUL).date()
        if day is not None and not today < day <= today + timedelta(days=OPENS_WITHIN_DAYS):
            raise DomainError("survey_opens_invalid", days=OPENS_WITHIN_DAYS)

        def change(survey: Survey) -> dict[str, str | int | None]:
            if day is None:
                return {"status": "draft", "opens_at": None}
            opens = opening_moment(day)
            fields: dict[str, str | int | None] = {"status": "scheduled",
                                                   "opens_at": to_db(opens)}
            if survey.opens_at != opens:
                fields["closes_at"] = None
            return fields

        return await self._change_unsent(actor, survey_id, change)

    async def set_audience(self, actor: Actor, survey_id: int, audience: str,
                           event_id: int | None = None) -> Survey:
        """Who a survey not yet sent goes to, chosen in chat: everyone, the coordinators,
        the members who traded (or did not) in the last `AUDIENCE_DAYS` days, or those
        signed up for an event (as notices offer it)."""
        if audience not in CHAT_AUDIENCES or (audience == "event") != (event_id is not None):
            raise ValueError(f"audience {audience!r} ({event_id}): not one of {CHAT_AUDIENCES}")
        days = AUDIENCE_DAYS if audience in ("active", "inactive") else None

        async def check_event(conn: Connection, survey: Survey) -> None:
            row = await event_rows.get(conn, event_id) if event_id is not None else None
            if event_id is not None and (row is None or row["status"] != "scheduled" or (
                    row["community_id"] not in (None, survey.community_id))):
                raise DomainError("event_not_found")

        return await self._change_unsent(
            actor, survey_id, lambda survey: {"audience": audience, "audience_days": days,
                                              "audience_event_id": event_id},
            check=check_event)

    async def _change_unsent(self, actor: Actor, survey_id: int,
                             change: Callable[[Survey], dict[str, str | int | None]], *,
                             check: Callable[[Connection, Survey], Awaitable[None]] | None = None
                             ) -> Survey:
        async with self._db.write() as conn:
            survey = await self._coordinated(conn, actor, survey_id)
            if survey.status not in ("draft", "scheduled"):
                raise DomainError("survey_already_sent")
            if check is not None:
                await check(conn, survey)
            fields = change(survey)
            status = str(fields.pop("status", survey.status))
            # Only from the status just read: a survey sent meanwhile keeps what it had.
            if not await survey_rows.move(conn, survey.id, (survey.status,), status, **fields):
                raise DomainError("survey_already_sent")
            return await load_survey(conn, survey.id)

    async def close(self, actor: Actor, survey_id: int) -> Survey:
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            survey = await self._coordinated(conn, actor, survey_id)
            if not await survey_rows.move(conn, survey.id, ("open",), "closed", closed_at=now):
                raise DomainError("survey_not_open")
            await _forget_who_answered(conn, survey.id)
            await audit_rows.record(conn, community_id=survey.community_id,
                                    actor_person_id=actor.person.id, action="survey_close",
                                    target=f"survey:{survey.id}", reason=None, details=None,
                                    now=now)
            return await load_survey(conn, survey.id)

    async def take_due_reminders(self, limit: int = 100) -> list[SurveyReminder]:
        """Members to remind of a survey they have not finished. Each is marked reminded in
        the same transaction that picks it: a crash before the send loses that one reminder
        rather than sending any twice."""
        now = to_db(self._clock.now())
        reminders = []
        async with self._db.write(records_update=False) as conn:
            surveys: dict[int, Survey] = {}
            for row in await survey_rows.reminders_due(conn, now, limit):
                if not await survey_rows.mark_reminded(conn, row["survey_id"],
                                                       row["membership_id"], now):
                    continue
                member = await load_member(conn, row["membership_id"])
                if member.status != "active":
                    continue
                if row["survey_id"] not in surveys:
                    surveys[row["survey_id"]] = await load_survey(conn, row["survey_id"])
                reminders.append(SurveyReminder(member, surveys[row["survey_id"]]))
        return reminders

    async def list(self, actor: Actor) -> list[Survey]:
        community, _ = require_active_member(actor)
        async with self._db.read() as conn:
            await require_coordinator(conn, actor, community.id)
            return [await load_survey(conn, row["id"])
                    for row in await survey_rows.of_community(conn, community.id, LIST_SIZE)]

    async def get(self, actor: Actor | None, survey_id: int,
                  community_code: str | None = None) -> Survey:
        async with self._db.read() as conn:
            survey = await self._coordinated(conn, actor, survey_id)
            if community_code is not None:
                community = await self._community(conn, None, community_code)
                if community.id != survey.community_id:
                    raise DomainError("survey_not_found")
            return survey

    async def count_audience(self, survey: Survey) -> int:
        async with self._db.read() as conn:
            return len(await self._audience(conn, survey, include_muted=True))

    async def _open(self, conn: Connection, survey: Survey, render: Render,
                    actor: Actor | None) -> int:
        now = self._clock.now()
        stamp = to_db(now)
        if closes_too_soon(survey.closes_at, now):
            raise DomainError("survey_closes_soon")
        author = await self._author(conn, survey, actor)
        if not await survey_rows.move(
                conn, survey.id, ("draft", "scheduled"), "open", sent_at=stamp,
                opens_at=to_db(min(survey.opens_at or now, now)),
                remind_at=_stamp(reminder_moment(survey.closes_at, now))):
            raise DomainError("survey_already_sent")
        community = await load_community(conn, survey.community_id)
        members = await self._audience(conn, survey, include_muted=True)
        await survey_rows.add_invites(conn, survey.id, [r["membership_id"] for r in members],
                                      stamp)
        # Members who muted notices are invited (they may answer) but not messaged.
        targets = [(r["membership_id"], r["channel"], r["chat_id"])
                   for r in await self._audience(conn, survey, include_muted=False)]
        message, label = render(survey, community)
        notice_id = await notice_rows.insert_notice(conn, {
            "community_id": survey.community_id, "author_person_id": author,
            "text": survey.title, "message": message, "button_label": label,
            "button_action": f"svy:go:{survey.id}",
            "audience": survey.audience, "audience_event_id": survey.audience_event_id,
            "audience_days": survey.audience_days, "urgent": 0, "created_at": stamp})
        await notice_rows.add_outbox(conn, notice_id, targets, stamp)
        await notice_rows.complete_if_done(conn, notice_id, stamp)
        await survey_rows.move(conn, survey.id, ("open",), "open", notice_id=notice_id)
        await audit_rows.record(conn, community_id=survey.community_id,
                                actor_person_id=actor.person.id if actor else None,
                                action="survey_send", target=f"survey:{survey.id}",
                                reason=None, details={"recipients": len(members)}, now=stamp)
        return len(members)

    async def coordinator_of(self, survey: Survey) -> Member | None:
        """Whom the sweep tells about a survey: its author while a coordinator, else the
        community's first coordinator."""
        async with self._db.read() as conn:
            coordinators = await membership_rows.coordinators(conn, survey.community_id)
            if not coordinators:
                return None
            row = next((r for r in coordinators
                        if r["person_id"] == survey.created_by_person_id), coordinators[0])
            return await load_member(conn, row["membership_id"])

    async def _audience(self, conn: Connection, survey: Survey, *, include_muted: bool):
        since = None
        if survey.audience in ("active", "inactive"):
            since = to_db(self._clock.now() - timedelta(days=survey.audience_days or 90))
        return await notice_rows.recipients(
            conn, survey.community_id, survey.audience, event_id=survey.audience_event_id,
            since=since, include_muted=include_muted)

    async def _author(self, conn: Connection, survey: Survey, actor: Actor | None) -> int:
        """Who the invitation is from: the coordinator sending it, else the survey's author,
        else the community's first coordinator."""
        if actor is not None:
            return actor.person.id
        if survey.created_by_person_id is not None:
            return survey.created_by_person_id
        coordinators = await membership_rows.coordinators(conn, survey.community_id)
        if not coordinators:
            raise DomainError("survey_no_coordinator")
        return coordinators[0]["person_id"]

    async def _community(self, conn: Connection, actor: Actor | None,
                         code: str | None) -> Community:
        if actor is None:
            row = await community_rows.get_by_code(conn, code or "")
            if row is None:
                raise DomainError("community_not_found", code=code or "")
            return Community.from_row(row)
        community, _ = require_active_member(actor)
        await require_coordinator(conn, actor, community.id)
        return community

    async def _coordinated(self, conn: Connection, actor: Actor | None, survey_id: int
                           ) -> Survey:
        row = await survey_rows.get(conn, survey_id)
        if row is None:
            raise DomainError("survey_not_found")
        if actor is not None:
            community, _ = require_active_member(actor)
            if row["community_id"] != community.id:
                raise DomainError("survey_not_found")
            await require_coordinator(conn, actor, community.id)
        return await load_survey(conn, survey_id)


async def load_survey(conn: Connection, survey_id: int) -> Survey:
    row = await survey_rows.get(conn, survey_id)
    if row is None:
        raise DomainError("survey_not_found")
    return Survey.from_rows(row, await survey_rows.questions(conn, survey_id))


async def forget_traces(conn: Connection, survey: Survey, response_id: int | None,
                        person_id: int | None) -> None:
    """What could tie an anonymous response to its member once the tie is cut: its times and
    the KakaoTalk tokens of the buttons they tapped. One response of one person, or (None,
    None) every response and token of the survey, when it closes."""
    moment = to_db(survey.sent_at) if survey.sent_at is not None else None
    if moment is not None:
        await answer_rows.blur_times(conn, survey.id, moment, response_id)
    await answer_rows.forget_buttons(conn, survey.id, person_id)


async def _forget_who_answered(conn: Connection, survey_id: int) -> None:
    """A closing anonymous survey cuts the tie of unfinished responses too, with their
    traces."""
    survey = await load_survey(conn, survey_id)
    if survey.anonymous:
        await survey_rows.forget_who_answered(conn, survey_id)
        await forget_traces(conn, survey, None, None)


def _stamp(moment) -> str | None:
    return to_db(moment) if moment is not None else None
