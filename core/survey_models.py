"""Surveys as the domain sees them: questions, the survey, and a member's progress."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from sqlite3 import Row

from core.when import SEOUL
from storage.timefmt import from_db

SCALE = (1, 2, 3, 4, 5)
OPENS_AT = time(9, 0)  # a survey goes out at nine in the morning of its opening day, Seoul
REMIND_BEFORE = timedelta(hours=14)  # ten in the morning of the closing day
OPEN_AT_LEAST = timedelta(hours=1)  # a survey is not sent closer to its closing than this


@dataclass(frozen=True)
class Question:
    id: int
    position: int
    kind: str
    text: str
    options: tuple[str, ...]
    optional: bool
    key: str | None

    @classmethod
    def from_row(cls, row: Row) -> Question:
        return cls(row["id"], row["position"], row["kind"], row["text"],
                   tuple(json.loads(row["options"])), bool(row["optional"]), row["key"])

    def label(self, value: int) -> str:
        """The answer `value` as shown: a scale point, or the option's text."""
        if self.kind == "scale":
            return str(value)
        return self.options[value] if 0 <= value < len(self.options) else "?"


@dataclass(frozen=True)
class Survey:
    id: int
    community_id: int
    title: str
    anonymous: bool
    audience: str
    status: str
    questions: tuple[Question, ...]
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    sent_at: datetime | None = None
    closed_at: datetime | None = None
    created_by_person_id: int | None = None
    audience_days: int | None = None
    audience_event_id: int | None = None
    template: str | None = None

    @classmethod
    def from_rows(cls, row: Row, questions: list[Row]) -> Survey:
        return cls(
            id=row["id"], community_id=row["community_id"], title=row["title"],
            anonymous=bool(row["anonymous"]), audience=row["audience"], status=row["status"],
            questions=tuple(Question.from_row(q) for q in questions),
            opens_at=from_db(row["opens_at"]), closes_at=from_db(row["closes_at"]),
            sent_at=from_db(row["sent_at"]), closed_at=from_db(row["closed_at"]),
            created_by_person_id=row["created_by_person_id"],
            audience_days=row["audience_days"], audience_event_id=row["audience_event_id"],
            template=row["template"])

    def question(self, question_id: int) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Progress:
    """Where a member is in a survey: the next question to answer, or finished."""

    survey: Survey
    response_id: int
    question: Question | None
    answered: int
    picks: tuple[int, ...] = ()
    recorded: bool = True  # False: this tap or message had already been answered

    @property
    def finished(self) -> bool:
        return self.question is None

    @property
    def total(self) -> int:
        return len(self.survey.questions)


def opening_moment(day: date) -> datetime:
    return datetime.combine(day, OPENS_AT, SEOUL)


def closing_moment(day: date) -> datetime:
    """A survey closes at the end of its closing day (midnight after it), Seoul."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), SEOUL)


def closes_too_soon(closes_at: datetime | None, now: datetime) -> bool:
    """Its closing day has passed, or is less than `OPEN_AT_LEAST` away: sent now, it would
    reach members already closed (a closing day chosen long before sending)."""
    return closes_at is not None and closes_at - now < OPEN_AT_LEAST


def reminder_moment(closes_at: datetime | None, now: datetime) -> datetime | None:
    """When members who have not finished are reminded, once; None when it closes too soon
    after opening for a reminder to help."""
    if closes_at is None:
        return None
    moment = closes_at - REMIND_BEFORE
    return moment if moment > now + timedelta(hours=12) else None
