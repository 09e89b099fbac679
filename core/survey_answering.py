"""A member answering a survey, one question at a time. Every answer is one write
transaction that records it only if its question is still unanswered (the answers' primary
key), so a double tap or a replayed update records nothing twice; the member may stop at any
point and resumes at the first question not yet answered."""

from __future__ import annotations

import json

from core.clock import Clock
from core.errors import DomainError
from core.models import Actor
from core.survey_models import SCALE, Progress, Question, Survey
from core.surveys import forget_traces, load_survey
from storage import memberships as membership_rows
from storage import survey_answers as answer_rows
from storage import surveys as survey_rows
from storage.db import Connection, Database
from storage.timefmt import to_db

ANSWER_MAX = 1000


class SurveyAnswers:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def waiting(self, actor: Actor) -> list[Survey]:
        """Open surveys the actor was invited to and has not finished, in any community."""
        async with self._db.read() as conn:
            return [await load_survey(conn, survey_id)
                    for survey_id in await survey_rows.open_for_person(conn, actor.person.id)]

    async def begin(self, actor: Actor, survey_id: int) -> Progress:
        """Start the survey, or resume it where the member left it."""
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            survey, membership_id, invite = await self._invited(conn, actor, survey_id)
            response_id = invite["response_id"]
            if invite["state"] == "invited":
                response_id = await answer_rows.start(conn, survey.id, now)
                if not await survey_rows.attach_response(conn, survey.id, membership_id,
                                                         response_id):
                    raise DomainError("survey_answered")
            return await _progress(conn, survey, response_id)

    async def where(self, actor: Actor, survey_id: int) -> Progress:
        """Where the member is, changing nothing (for the buttons a step shows)."""
        async with self._db.read() as conn:
            survey, _, invite = await self._invited(conn, actor, survey_id)
            if invite["response_id"] is None:
                raise DomainError("survey_step_over")
            return await _progress(conn, survey, invite["response_id"])

    async def answer(self, actor: Actor, survey_id: int, question_id: int, *,
                     value: int | None = None, text: str | None = None,
                     skip: bool = False, done: bool = False) -> Progress:
        """Record the answer to one question (`done`: the multiple choice picked so far)."""
        now = to_db(self._clock.now())
        async with self._db.write() as conn:
            survey, membership_id, invite = await self._invited(conn, actor, survey_id)
            response_id = invite["response_id"]
            question = survey.question(question_id)
            if invite["state"] != "started" or question is None:
                raise DomainError("survey_step_over")
            picks = await _picks(conn, response_id, question_id)
            if skip and not question.optional:
                raise DomainError("survey_answer_needed")
            values = _checked(question, value=value, text=text, picks=picks, skip=skip,
                              done=done)
            recorded = await answer_rows.add(conn, response_id, question_id, skipped=skip,
                                             now=now, **values)
            progress = await _progress(conn, survey, response_id, recorded=recorded)
            if progress.finished and await answer_rows.finish(conn, response_id, now):
                await survey_rows.finish_invite(conn, survey.id, membership_id, response_id,
                                                keep_link=not survey.anonymous)
                if survey.anonymous:
                    await forget_traces(conn, survey, response_id, actor.person.id)
            return progress

    async def pick(self, actor: Actor, survey_id: int, question_id: int, option: int,
                   chosen: bool) -> Progress:
        """Tick (or untick) an option of a multiple-choice question; a tick tapped twice is
        ticked once."""
        async with self._db.write() as conn:
            survey, _, invite = await self._invited(conn, actor, survey_id)
            question = survey.question(question_id)
            if (invite["state"] != "started" or question is None or question.kind != "multi"
                    or not 0 <= option < len(question.options)):
                raise DomainError("survey_step_over")
            response_id = invite["response_id"]
            if question_id in await answer_rows.answered(conn, response_id):
                return await _progress(conn, survey, response_id, recorded=False)
            picks = set(await _picks(conn, response_id, question_id))
            (picks.add if chosen else picks.discard)(option)
            await answer_rows.set_picks(conn, response_id, question_id, sorted(picks))
            return await _progress(conn, survey, response_id)

    async def _invited(self, conn: Connection, actor: Actor, survey_id: int):
        row = await survey_rows.get(conn, survey_id)
        if row is None:
            raise DomainError("survey_not_found")
        membership = await membership_rows.get_for(conn, row["community_id"], actor.person.id)
        invite = (await survey_rows.invite(conn, survey_id, membership["id"])
                  if membership is not None else None)
        if invite is None or membership["status"] != "active":
            raise DomainError("survey_not_invited")
        if invite["state"] == "finished":
            raise DomainError("survey_answered")
        if row["status"] != "open":
            raise DomainError("survey_closed")
        return await load_survey(conn, survey_id), membership["id"], invite


async def _picks(conn: Connection, response_id: int, question_id: int) -> list[int]:
    row = await answer_rows.get(conn, response_id)
    if row is None or row["picks_question_id"] != question_id:
        return []
    return list(json.loads(row["picks"]))


async def _progress(conn: Connection, survey: Survey, response_id: int, *,
                    recorded: bool = True) -> Progress:
    done = await answer_rows.answered(conn, response_id)
    following = next((q for q in survey.questions if q.id not in done), None)
    picks = tuple(await _picks(conn, response_id, following.id)) if following else ()
    return Progress(survey, response_id, following, len(done), picks, recorded)


def _checked(question: Question, *, value: int | None, text: str | None, picks: list[int],
             skip: bool, done: bool) -> dict:
    """The answer's columns, or the reason it does not fit the question."""
    if skip:
        return {}
    if question.kind == "scale":
        if value not in SCALE:
            raise DomainError("survey_step_over")
        return {"value": value}
    if question.kind == "choice":
        if value is None or not 0 <= value < len(question.options):
            raise DomainError("survey_step_over")
        return {"value": value}
    if question.kind == "multi":
        if not done:
            raise DomainError("survey_step_over")
        if not picks:
            raise DomainError("survey_pick_one")
        return {"choices": sorted(picks)}
    cleaned = (text or "").strip()
    if not cleaned:
        raise DomainError("survey_answer_needed")
    if len(cleaned) > ANSWER_MAX:
        raise DomainError("memo_too_long", maximum=ANSWER_MAX)
    return {"text": cleaned}
