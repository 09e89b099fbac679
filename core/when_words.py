"""The time of day as people write it: `15:00`, `오후 3시`, `세 시`, `오후 두시 삼십분`,
`한시 반`, `2시 30`, `정오`, `자정`, `저녁 7시`; and a length of time: `2시간`, `1시간 반`,
`두 시간`, `90분`, `1.5시간`.

A clock says what was written, not yet which moment: a bare hour from 1 to 11 (`3시`, `3:00`,
`세 시`) may be morning or afternoon, and core/when.py decides with the date and the present."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from core.errors import DomainError
from core.korean_numbers import NATIVE, SINO, native_number, sino_number

MORNING = ("오전", "아침", "새벽", "am")
AFTERNOON = ("오후", "저녁", "pm")
# 낮 and 점심 are daytime: 낮 2시 is 14:00 but 낮 11시 is 11:00.
DAYTIME = ("낮", "점심")
NIGHT = ("밤",)  # 밤 9시 is 21:00, 밤 12시 is midnight, 밤 2시 the small hours after it
PERIODS = MORNING + AFTERNOON + DAYTIME + NIGHT

_PERIOD = "|".join(re.escape(word) for word in sorted(PERIODS, key=len, reverse=True))
_HOUR_WORD = f"\\d{{1,2}}|{NATIVE}|{SINO}"
_CLOCK = re.compile(
    f"(?:(?P<period>{_PERIOD})\\s*)?(?:"
    r"(?P<named>정오|자정)"
    r"|(?P<h>\d{1,2})\s*:\s*(?P<m>\d{2})"
    r"|(?P<hs>\d{1,2})(?:\s*:\s*(?P<ms>\d{2}))?\s*(?P<suffix>am|pm)"
    f"|(?P<hw>{_HOUR_WORD})\\s*시"
    f"(?:\\s*(?:(?P<md>\\d{{1,2}})\\s*분?|(?P<mw>{SINO})\\s*분|(?P<half>반)|정각))?"
    ")"
)
_DURATION = re.compile(
    f"(?:(?P<h>\\d{{1,2}}(?:\\.\\d)?|{NATIVE}|{SINO})\\s*시간\\s*(?P<half>반)?)?\\s*"
    f"(?:(?P<m>\\d{{1,3}}|{SINO})\\s*분)?(?:\\s*동안)?"
)


@dataclass(frozen=True)
class Clock:
    """A time of day as written. `bare`: the hour (1–11) may also mean `hour + 12`.
    `next_day`: it falls after the named day's midnight (`자정`, `밤 12시`, `밤 2시`)."""

    hour: int
    minute: int
    bare: bool = False
    next_day: bool = False

    def hours(self) -> tuple[int, ...]:
        """The hours it may mean, morning first."""
        return (self.hour, self.hour + 12) if self.bare else (self.hour,)


def parse_clock(text: str, original: str) -> Clock | None:
    """The clock written in `text` (the whole of it), None if it is no clock at all, or a
    DomainError when the hour or minute doesn't exist (`오후 13시`, `15:75`)."""
    match = _CLOCK.fullmatch(text)
    if match is None:
        return None
    parts = match.groupdict()
    period = parts["period"]
    if parts["suffix"]:  # `3pm`, `3:30 pm`
        if period:
            return None
        period, parts["h"], parts["m"] = parts["suffix"], parts["hs"], parts["ms"] or "00"
    if parts["named"]:
        if period:
            return None
        return Clock(0, 0, next_day=True) if parts["named"] == "자정" else Clock(12, 0)
    if parts["h"] is not None:
        written, minute = parts["h"], int(parts["m"])
    else:
        written = parts["hw"]
        minute = _minute(parts)
    hour = _hour(written)
    if minute > 59:
        raise DomainError("when_impossible", text=original)
    if period is None:
        if hour > 23:
            raise DomainError("when_impossible", text=original)
        # `03:00` and `09시` are written the 24-hour way on purpose; `3:00` and `3시` are not
        padded = written.startswith("0") and len(written) == 2
        return Clock(hour, minute, bare=1 <= hour <= 11 and not padded)
    if not 1 <= hour <= 12:
        raise DomainError("when_impossible", text=original)
    return _with_period(period, hour, minute)


def _hour(written: str) -> int:
    if written.isdigit():
        return int(written)
    native = native_number(written)
    return native if native is not None else sino_number(written) or 0


def _minute(parts: dict) -> int:
    if parts["half"]:
        return 30
    if parts["md"] is not None:
        return int(parts["md"])
    if parts["mw"] is not None:
        return sino_number(parts["mw"]) or 0
    return 0


def _with_period(period: str, hour: int, minute: int) -> Clock:
    if period in MORNING:
        return Clock(hour % 12, minute)
    if period in AFTERNOON:
        return Clock(hour % 12 + 12, minute)
    if period in DAYTIME:
        return Clock(hour + 12 if hour < 6 else hour, minute)
    if hour == 12 or hour < 5:  # 밤 12시 is midnight, 밤 2시 the night's small hours
        return Clock(hour % 12, minute, next_day=True)
    return Clock(hour + 12, minute)


def parse_duration(text: str) -> timedelta | None:
    """`2시간`, `1시간 반`, `두 시간`, `90분`, `1.5시간`, `2시간 동안`; None if it is no
    duration (a zero one is returned: the caller says the end must come after the start)."""
    match = _DURATION.fullmatch(text)
    if match is None or not (match["h"] or match["m"]):
        return None
    hours = _amount(match["h"]) if match["h"] else 0.0
    minutes = _amount(match["m"]) if match["m"] else 0.0
    return timedelta(hours=hours, minutes=minutes + (30 if match["half"] else 0))


def _amount(written: str) -> float:
    if written[0].isdigit():
        return float(written)
    native = native_number(written)
    return float(native if native is not None else sino_number(written) or 0)
