"""A survey's results: per question the counts, the mean of a scale, the free-text answers
(with names only for a named survey). An anonymous survey never shows a breakdown of fewer
than MIN_ANONYMOUS answers: such a question shows how many answered, nothing more.
`year_results` is what the year's report reads; `year_over_year` sets the same template
questions of several years side by side."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from core.models import Community
from core.survey_models import SCALE, Question, Survey
from core.surveys import load_survey
from core.views import load_community
from core.when import SEOUL
from storage import survey_answers as answer_rows
from storage import surveys as survey_rows
from storage.db import Connection, Database
from storage.timefmt import to_db

MIN_ANONYMOUS = 5


@dataclass(frozen=True)
class QuestionSummary:
    question: Question
    answers: int  # members who answered it (not counting those who skipped it)
    skipped: int
    counts: tuple[tuple[str, int], ...]  # (scale point or option, how many); () when hidden
    mean: float | None  # scales only
    texts: tuple[tuple[str | None, str], ...]  # (who, or None when anonymous; the text)
    hidden: bool  # anonymous and fewer than MIN_ANONYMOUS answers: no breakdown


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    community: Community
    invited: int
    started: int
    finished: int
    questions: tuple[QuestionSummary, ...]


@dataclass(frozen=True)
class YearPoint:
    year: int
    answers: int
    mean: float | None  # None: no scale, no answers, or hidden by the anonymity rule
    hidden: bool


@dataclass(frozen=True)
class Trend:
    """One template question asked in several years."""

    key: str
    text: str
    kind: str
    years: tuple[YearPoint, ...]


async def results_of(conn: Connection, survey_id: int) -> SurveyResults:
    survey = await load_survey(conn, survey_id)
    rows = await answer_rows.of_survey(conn, survey_id)
    invites = await survey_rows.invite_counts(conn, survey_id)
    started, finished = await answer_rows.response_count(conn, survey_id)
    by_question: dict[int, list] = {}
    for row in rows:
        by_question.setdefault(row["question_id"], []).append(row)
    return SurveyResults(
        survey=survey, community=await load_community(conn, survey.community_id),
        invited=sum(invites.values()), started=started, finished=finished,
        questions=tuple(summarise(q, by_question.get(q.id, []), survey.anonymous)
                        for q in survey.questions))


def summarise(question: Question, rows: list, anonymous: bool) -> QuestionSummary:
    given = [row for row in rows if not row["skipped"]]
    skipped = len(rows) - len(given)
    if anonymous and len(given) < MIN_ANONYMOUS:
        return QuestionSummary(question, len(given), skipped, (), None, (), True)
    counts: tuple[tuple[str, int], ...] = ()
    mean = None
    texts: tuple[tuple[str | None, str], ...] = ()
    if question.kind == "scale":
        values = [row["value"] for row in given]
        counts = tuple((str(point), values.count(point)) for point in SCALE)
        mean = sum(values) / len(values) if values else None
    elif question.kind in ("choice", "multi"):
        tally = [0] * len(question.options)
        for row in given:
            picked = [row["value"]] if question.kind == "choice" else json.loads(row["choices"])
            for index in picked:
                if 0 <= index < len(tally):
                    tally[index] += 1
        counts = tuple(zip(question.options, tally, strict=True))
    else:
        # A former member's erased words (text NULL) still count as an answer, unlisted.
        texts = tuple((None if anonymous else _who(row), row["text"]) for row in given
                      if row["text"] is not None)
    return QuestionSummary(question, len(given), skipped, counts, mean, texts, False)


def _who(row) -> str | None:
    if row["name"] is None:
        return None
    return f"{row['name']} #{row['number']}" if row["number"] is not None else row["name"]


async def year_results(db: Database, community_id: int | None, year: int
                       ) -> list[SurveyResults]:
    """Every survey closed in `year` (Seoul), of one community or of all, with its
    per-question summaries under the anonymity rule. The year's report calls this."""
    async with db.read() as conn:
        return await year_results_on(conn, community_id, year)


async def year_results_on(conn: Connection, community_id: int | None, year: int
                          ) -> list[SurveyResults]:
    """`year_results` on a connection the caller holds (the report's snapshot)."""
    start = to_db(datetime(year, 1, 1, tzinfo=SEOUL))
    end = to_db(datetime(year + 1, 1, 1, tzinfo=SEOUL))
    rows = await survey_rows.closed_between(conn, community_id, start, end)
    return [await results_of(conn, row["id"]) for row in rows]


def year_over_year(by_year: dict[int, list[SurveyResults]]) -> list[Trend]:
    """The questions asked in more than one of the years (matched by their template key,
    else by their words), each with its answers and mean per year. A year with several
    surveys asking it pools their answers; the anonymity rule holds on the pooled count."""
    found: dict[str, dict] = {}
    for year, results in sorted(by_year.items()):
        for result in results:
            for summary in result.questions:
                question = summary.question
                key = question.key or question.text
                entry = found.setdefault(key, {"text": question.text, "kind": question.kind,
                                               "years": {}})
                point = entry["years"].setdefault(year, {"answers": 0, "total": 0.0,
                                                         "anonymous": False, "hidden": False})
                point["answers"] += summary.answers
                point["anonymous"] |= result.survey.anonymous
                point["hidden"] |= summary.hidden
                if summary.mean is not None:
                    point["total"] += summary.mean * summary.answers
    trends = []
    for key, entry in found.items():
        if len(entry["years"]) < 2:
            continue
        points = []
        for year, point in sorted(entry["years"].items()):
            hidden = point["anonymous"] and point["answers"] < MIN_ANONYMOUS
            mean = (point["total"] / point["answers"]
                    if entry["kind"] == "scale" and point["answers"] and not point["hidden"]
                    and not hidden else None)
            points.append(YearPoint(year, point["answers"], mean, hidden))
        trends.append(Trend(key, entry["text"], entry["kind"], tuple(points)))
    return trends


class SurveyResultsService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def results(self, survey: Survey) -> SurveyResults:
        """The results of a survey the caller may see (SurveyService.get checked it)."""
        async with self._db.read() as conn:
            return await results_of(conn, survey.id)

    async def years(self, community_id: int, year: int, back: int = 3) -> list[Trend]:
        """This community's template questions over the last `back` years up to `year`."""
        by_year = {y: await year_results(self._db, community_id, y)
                   for y in range(year - back + 1, year + 1)}
        return year_over_year(by_year)
