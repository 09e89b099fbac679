"""Korean date and time input: `3/14 15:00`, `3월 14일 오후 3시`, `내일 19:30`, `2026-03-14 15:00`.

Times are Asia/Seoul wall-clock; the result is an aware datetime. A date without a year is
this year's, or next year's if this year's has passed."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import DomainError

SEOUL = ZoneInfo("Asia/Seoul")
_RELATIVE_DAYS = {"오늘": 0, "내일": 1, "모레": 2, "글피": 3}
_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})"),
    re.compile(r"(?:(?P<y>\d{4})\s*년\s*)?(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일"),
    re.compile(r"(?P<m>\d{1,2})\s*/\s*(?P<d>\d{1,2})"),
)
_TIME = re.compile(
    r"(?P<period>오전|오후|아침|저녁|밤|낮|새벽)?\s*"
    r"(?:(?P<h>\d{1,2})\s*:\s*(?P<min>\d{2})|(?P<h2>\d{1,2})\s*시(?:\s*(?P<min2>\d{1,2})\s*분|\s*(?P<half>반))?)"
)


def parse_when(text: str, now: datetime) -> datetime:
    """A future moment from Korean or numeric input, or a DomainError saying what's wrong."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    if not cleaned:
        raise DomainError("when_invalid", text=text)
    today = now.astimezone(SEOUL).date()
    day, rest, explicit_year = _parse_date(cleaned, today)
    moment_time = _parse_time(rest, text)
    moment = datetime.combine(day, moment_time, tzinfo=SEOUL)
    if not explicit_year and moment <= now and day.year == today.year and (
        day < today
    ):
        moment = _next_year(day, moment_time, text)
    if moment <= now:
        raise DomainError("when_past", text=text)
    return moment


def _parse_date(cleaned: str, today: date) -> tuple[date, str, bool]:
    for word, offset in _RELATIVE_DAYS.items():
        if cleaned.startswith(word):
            return today + timedelta(days=offset), cleaned[len(word):], True
    for form in _DATE_FORMS:
        match = form.match(cleaned)
        if match is None:
            continue
        parts = match.groupdict()
        year = int(parts["y"]) if parts.get("y") else today.year
        try:
            day = date(year, int(parts["m"]), int(parts["d"]))
        except ValueError as error:
            raise DomainError("when_impossible", text=cleaned) from error
        return day, cleaned[match.end():], bool(parts.get("y"))
    raise DomainError("when_invalid", text=cleaned)


def _parse_time(rest: str, original: str) -> time:
    rest = rest.strip().strip(",")
    if not rest:
        raise DomainError("when_needs_time", text=original)
    match = _TIME.fullmatch(rest)
    if match is None:
        raise DomainError("when_invalid", text=original)
    parts = match.groupdict()
    hour = int(parts["h"] if parts["h"] is not None else parts["h2"])
    minute = int(parts["min"] or parts["min2"] or (30 if parts["half"] else 0))
    period = parts["period"]
    if period is not None:
        if hour < 1 or hour > 12:
            raise DomainError("when_impossible", text=original)
        afternoon = period in ("오후", "저녁", "밤") or (period == "낮" and hour < 6)
        hour = hour % 12 + (12 if afternoon else 0)
    if hour > 23 or minute > 59:
        raise DomainError("when_impossible", text=original)
    return time(hour, minute)


def _next_year(day: date, moment_time: time, original: str) -> datetime:
    try:
        return datetime.combine(day.replace(year=day.year + 1), moment_time, tzinfo=SEOUL)
    except ValueError as error:  # 2월 29일 with no leap day next year
        raise DomainError("when_impossible", text=original) from error


def parse_end(text: str, start: datetime) -> datetime:
    """The end: a time on the start's day (`17:00`, `오후 5시`), a full date and time,
    or a duration (`2시간`, `90분`, `1시간 30분`)."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    duration = re.fullmatch(r"(?:(\d{1,2})\s*시간)?\s*(?:(\d{1,3})\s*분)?", cleaned)
    if duration and cleaned:
        hours, minutes = (int(x) if x else 0 for x in duration.groups())
        end = start + timedelta(hours=hours, minutes=minutes)
    elif _TIME.fullmatch(cleaned):
        end = datetime.combine(start.astimezone(SEOUL).date(), _parse_time(cleaned, text),
                               tzinfo=SEOUL)
    else:
        end = parse_when(cleaned, start)
    if end <= start:
        raise DomainError("when_end_before_start", text=text)
    if end - start > timedelta(days=14):
        raise DomainError("when_too_long", text=text)
    return end
