"""An event's start in the /newevent and edit dialogs: read as written, and when a bare hour
could be morning or afternoon (`3시`), asked about with two buttons (`오전 3시` / `오후 3시`)
before anything goes on; typing `오후` (or `오후 3시`, or another time) answers too."""

from __future__ import annotations

import re
from datetime import datetime

from conversation import keyboards
from conversation.i18n import Translator
from conversation.render_events import clock_text
from conversation.replies import Rows, keyboard
from conversation.turn import Turn
from core.dialogs import Dialog
from core.errors import DomainError
from core.when import Ambiguous, clean, read_when

AMPM = "ampm"  # the step that waits for 오전 or 오후
CHOICES = "ampm"  # the dialog data key holding both readings while it waits
_MORNING = ("오전", "아침", "새벽", "am", "morning")
_AFTERNOON = ("오후", "저녁", "밤", "낮", "점심", "pm", "afternoon", "evening")
_PERIOD_ANSWER = re.compile(
    "(?P<word>" + "|".join(_MORNING + _AFTERNOON) + r")\s*(?:으?로|이?요|이에요|예요|에요|입니다)?")


def ampm_keyboard(tr: Translator, dialog: Dialog) -> Rows:
    """The AMPM step's buttons, rebuilt from the dialog alone: `오전 2시` / `오후 2시`."""
    morning, afternoon = _choices(dialog)
    return keyboard([
        [keyboards.button(clock_text(tr, morning), "evd:ampm:am"),
         keyboards.button(clock_text(tr, afternoon), "evd:ampm:pm")],
        [keyboards.button(tr("Cancel"), "evd:cancel")],
    ])


def _choices(dialog: Dialog) -> tuple[datetime, datetime]:
    choices = dialog.data[CHOICES]
    return datetime.fromisoformat(choices["am"]), datetime.fromisoformat(choices["pm"])


def without_choices(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != CHOICES}


def typed_period(text: str) -> str | None:
    """`오후`, `오후요`, `저녁으로`, `pm` → "pm"; `오전`, `아침이요` → "am"; None otherwise."""
    match = _PERIOD_ANSWER.fullmatch(clean(text))
    if match is None:
        return None
    return "am" if match["word"] in _MORNING else "pm"


def chosen(dialog: Dialog, period: str, now: datetime) -> datetime:
    """The reading the coordinator picked, if it is still ahead."""
    morning, afternoon = _choices(dialog)
    moment = morning if period == "am" else afternoon
    if moment <= now:
        raise DomainError("when_past", text=period)
    return moment


async def read_start(turn: Turn, dialog: Dialog, text: str) -> datetime | None:
    """The start the answer names; None when the dialog now asks 오전 or 오후 (and waits in
    the AMPM step). In that step `오후` picks a reading and a time alone (`오후 3시`) is on
    the day being asked about."""
    now = turn.services.clock.now()
    if dialog.step == AMPM:
        period = typed_period(text)
        if period is not None:
            return chosen(dialog, period, now)
        found = read_when(text, now, day=_choices(dialog)[0].date())
    else:
        found = read_when(text, now)
    if not isinstance(found, Ambiguous):
        return found
    asking = Dialog(dialog.name, AMPM, {**dialog.data, CHOICES: {
        "am": found.morning.isoformat(), "pm": found.afternoon.isoformat()}})
    await turn.services.dialogs.put(turn.actor.person.id, asking)
    tr = turn.tr
    await turn.reply(tr("{day}: {morning} or {afternoon}? Tap one, or type AM or PM.",
                        day=tr.date(found.morning), morning=clock_text(tr, found.morning),
                        afternoon=clock_text(tr, found.afternoon)),
                     ampm_keyboard(tr, asking))
    return None
