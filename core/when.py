"""Korean date and time input: `3/14 15:00`, `3월 14일 오후 3시`, `내일 19:30`,
`다음주 화요일 오후 2시`, `화 2시`, `14일 오후 두시 반`, `2026-03-14 15:00`.

Times are Asia/Seoul wall-clock; the result is an aware datetime. What the words mean:

- A date without a year is this year's, or next year's if this year's has passed; a day of
  the month alone (`14일`) is this month's, or next month's if this month's has passed.
- 오늘, 내일 (낼), 모레 (내일모레), 글피: today and the next three days.
- Weeks run Monday to Sunday. `이번주 화요일` is the Tuesday of this week: on a Tuesday it is
  today, on a Wednesday it has passed and is refused (`when_this_week_past`) rather than
  moved. `다음주 화요일` is the Tuesday of next week and `다다음주` the week after, even
  when next week's Tuesday is only two days away (asked on a Sunday).
- A weekday alone (`화요일`, `화`, `화욜`) is the nearest one from today on: on a Tuesday it
  is today (refused if the hour has passed; write `다음주 화요일`), on a Wednesday it is
  next week's Tuesday, six days on.
- A time alone (`오후 두시`) is today, or the day already being talked about.
- A bare hour from 1 to 11 (`3시`, `3:00`, no 오전/오후 and no word like 저녁): if only one
  of morning and afternoon is still ahead, it is that one (`오늘 3시` asked at 10:00 is
  15:00). If both are ahead, 1–7 is asked about (`Ambiguous`: sessions at 3 a.m. are as
  unlikely as a misread 3 p.m. is costly), and 8–11 is the morning: 9 p.m. sessions are rare,
  and the date echoed back shows 오전. 12 is noon, 0 and 13–23 are what they say, and a
  zero-padded `03:00` is the 24-hour clock.
- 정오 is noon; 자정 and 밤 12시 are the midnight that ends the named day.

A moment that has passed is refused (`when_past`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import DomainError
from core.when_words import Clock, parse_clock, parse_duration

SEOUL = ZoneInfo("Asia/Seoul")
WEEKDAYS = "월화수목금토일"  # Monday first, as date.weekday() counts
_RELATIVE_DAYS = {"오늘": 0, "금일": 0, "내일모레": 2, "내일": 1, "낼": 1, "모레": 2, "글피": 3,
                  "어제": -1, "그저께": -2, "그제": -2}  # the past ones, to say they have passed
_WEEKS = {"이번주": 0, "금주": 0, "다음주": 1, "담주": 1, "차주": 1, "다다음주": 2}
_WEEKDAY = r"(?P<wd>[월화수목금토일])(?:요일|욜|(?![가-힣]))"
_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})"),
    re.compile(r"(?:(?P<y>\d{4})\s*년\s*)?(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일"),
    re.compile(r"(?P<m>\d{1,2})\s*/\s*(?P<d>\d{1,2})"),
    re.compile(r"(?P<d>\d{1,2})\s*일"),
)
_CHECKED_WEEKDAY = re.compile(r"\s*\(?\s*" + _WEEKDAY + r"\s*\)?")
_WEEK_DAY = re.compile(
    "(?P<week>" + "|".join(word.replace("주", r"\s*주") for word in
                           sorted(_WEEKS, key=len, reverse=True)) + r")\s*" + _WEEKDAY)
_BARE_WEEKDAY = re.compile(_WEEKDAY)
_PARTICLE = re.compile(r"\s*(?:에|,)?\s*")


@dataclass(frozen=True)
class Ambiguous:
    """A bare hour that could be morning or afternoon; both are still ahead."""

    morning: datetime
    afternoon: datetime


def clean(text: str | None) -> str:
    """NFKC (full-width digits), lower case, single spaces, no final full stop."""
    cleaned = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"\s+", " ", cleaned).strip().rstrip(".!").strip()


def read_when(text: str, now: datetime, *, day: date | None = None) -> datetime | Ambiguous:
    """A future moment, or both readings of an hour that needs 오전 or 오후; a DomainError
    saying what's wrong otherwise. `day` is the day a time alone falls on (default today)."""
    cleaned = re.sub(r"\s*(?:에|부터)$", "", clean(text))
    if not cleaned:
        raise DomainError("when_invalid", text=text)
    today = now.astimezone(SEOUL).date()
    named = _parse_date(cleaned, today, text)
    if named is None:
        on, rest = day or today, cleaned
    else:
        on, rest = named
        if not rest:
            raise DomainError("when_needs_time", text=text)
    clock = parse_clock(rest, text)
    if clock is None:
        raise DomainError("when_invalid", text=text)
    ahead = [moment for moment in moments(on, clock) if moment > now]
    if not ahead:
        raise DomainError("when_past", text=text)
    if len(ahead) == 2 and clock.hour <= 7:
        return Ambiguous(*ahead)
    return ahead[0]


def parse_when(text: str, now: datetime) -> datetime:
    """A future moment; an hour that needs 오전 or 오후 is refused (`when_ambiguous`)."""
    found = read_when(text, now)
    if isinstance(found, Ambiguous):
        raise DomainError("when_ambiguous", text=text)
    return found


def read_day(text: str, now: datetime) -> date:
    """A day alone, read as the day of a moment is (`내일`, `다음주 월요일`, `4월 1일`,
    `4/1`, `2026-04-01`, `14일`), except that a weekday alone (`월요일`) is the next one,
    today excluded; today or later. A survey's opening day, which is never today."""
    cleaned = re.sub(r"\s*(?:에|부터|이?요|으?로)$", "", clean(text))
    today = now.astimezone(SEOUL).date()
    named = _parse_date(cleaned, today, text) if cleaned else None
    if named is None or named[1]:
        raise DomainError("when_day_invalid", text=text)
    if named[0] < today:  # 어제, 그저께
        raise DomainError("when_past", text=text)
    if named[0] == today and _BARE_WEEKDAY.match(cleaned):
        return today + timedelta(weeks=1)
    return named[0]


def moments(on: date, clock: Clock) -> list[datetime]:
    """The moments a clock on a day may mean, earliest first."""
    day = on + timedelta(days=1) if clock.next_day else on
    return [datetime.combine(day, time(hour, clock.minute), tzinfo=SEOUL)
            for hour in clock.hours()]


def _parse_date(cleaned: str, today: date, original: str) -> tuple[date, str] | None:
    """The day named at the start of the text and the rest; None if no day is named."""
    for word, offset in _RELATIVE_DAYS.items():
        if cleaned.startswith(word):
            return today + timedelta(days=offset), _rest(cleaned, len(word))
    match = _WEEK_DAY.match(cleaned)
    if match:
        week = _WEEKS[re.sub(r"\s", "", match["week"])]
        monday = today - timedelta(days=today.weekday())
        on = monday + timedelta(weeks=week, days=WEEKDAYS.index(match["wd"]))
        if on < today:
            raise DomainError("when_this_week_past", text=original,
                              day=datetime.combine(on, time(12), tzinfo=SEOUL))
        return on, _rest(cleaned, match.end())
    for form in _DATE_FORMS:
        match = form.match(cleaned)
        if match is not None:
            return _numeric_date(match, today, original, cleaned)
    match = _BARE_WEEKDAY.match(cleaned)
    if match:
        ahead = (WEEKDAYS.index(match["wd"]) - today.weekday()) % 7
        return today + timedelta(days=ahead), _rest(cleaned, match.end())
    return None


def _numeric_date(match: re.Match, today: date, original: str,
                  cleaned: str) -> tuple[date, str]:
    parts = match.groupdict()
    year = int(parts["y"]) if parts.get("y") else today.year
    month = int(parts["m"]) if parts.get("m") else today.month
    try:
        on = date(year, month, int(parts["d"]))
        if on < today and not parts.get("y"):  # this year's (or month's) has passed
            on = _next_month(on) if not parts.get("m") else on.replace(year=year + 1)
    except ValueError as error:  # 2월 30일, or 2월 29일 with no leap day next year
        raise DomainError("when_impossible", text=original) from error
    end = match.end()
    checked = _CHECKED_WEEKDAY.match(cleaned, end)
    if checked:  # `3/14(토)`: a weekday written with the date must agree with it
        if WEEKDAYS.index(checked["wd"]) != on.weekday():
            raise DomainError("when_weekday_mismatch", text=original,
                              day=datetime.combine(on, time(12), tzinfo=SEOUL))
        end = checked.end()
    return on, _rest(cleaned, end)


def _next_month(on: date) -> date:
    return on.replace(year=on.year + 1, month=1) if on.month == 12 else on.replace(
        month=on.month + 1)


def _rest(cleaned: str, end: int) -> str:
    return cleaned[_PARTICLE.match(cleaned, end).end():]


def parse_end(text: str, start: datetime) -> datetime:
    """The end: a duration (`2시간`, `1시간 반`, `90분`), a time on the start's day (`17:00`,
    `오후 5시`, `4시까지`, `~16:00`: a bare hour is the first one after the start), or a date
    and time."""
    cleaned = re.sub(r"\s*까지$", "", clean(text)).lstrip("~∼〜-–— ").strip()
    duration = parse_duration(cleaned)
    clock = parse_clock(cleaned, text) if duration is None else None
    if duration is not None:
        end = start + duration
    elif clock is not None:
        after = [moment for moment in moments(start.astimezone(SEOUL).date(), clock)
                 if moment > start]
        end = after[0] if after else start
    else:
        end = parse_when(cleaned, start)
    if end <= start:
        raise DomainError("when_end_before_start", text=text)
    if end - start > timedelta(days=14):
        raise DomainError("when_too_long", text=text)
    return end
