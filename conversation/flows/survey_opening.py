"""A survey's opening day chosen in /surveys: tomorrow, next Monday, or a day written as
events take theirs (`4월 1일`, `다음주 수요일`); on that day the sweep sends it at 9:00, as it
sends an imported survey's `opens`. The dialog only waits for the written day; the buttons
are /surveys actions (`svya:od:YYYYMMDD:ID`) that work without it."""

from __future__ import annotations

from datetime import date, timedelta

from conversation.replies import Button, Rows, keyboard
from conversation.turn import Turn
from core.dialogs import Dialog
from core.errors import DomainError
from core.survey_models import Survey, opening_moment
from core.when import SEOUL, read_day

DIALOG = "survey_opens"


def day_action(day: date | None, survey_id: int) -> str:
    return f"svya:od:{day.strftime('%Y%m%d') if day else 0}:{survey_id}"


def parse_day_action(part: str) -> date | None:
    """The day of a `svya:od:` action; None for "no opening day". ValueError if forged."""
    if part == "0":
        return None
    if len(part) != 8 or not part.isdigit():
        raise ValueError(part)
    return date(int(part[:4]), int(part[4:6]), int(part[6:]))


def _rows(turn: Turn, survey_id: int, scheduled: bool) -> Rows:
    tr = turn.tr
    today = turn.services.clock.now().astimezone(SEOUL).date()
    tomorrow = today + timedelta(days=1)
    monday = today + timedelta(days=7 - today.weekday())  # next week's, as 다음주 월요일
    rows = [[Button(tr("Tomorrow · {day}", day=tr.date(opening_moment(tomorrow))),
                    day_action(tomorrow, survey_id))]]
    if monday != tomorrow:
        rows.append([Button(tr("Next Monday · {day}", day=tr.date(opening_moment(monday))),
                            day_action(monday, survey_id))])
    if scheduled:
        rows.append([Button(tr("No opening day: I'll send it myself"),
                            day_action(None, survey_id))])
    rows.append([Button(tr("Cancel"), f"svya:v:{survey_id}")])
    return keyboard(rows)


async def ask(turn: Turn, survey: Survey) -> None:
    await turn.services.dialogs.put(turn.actor.person.id,
                                    Dialog(DIALOG, "day", {"survey": survey.id}))
    await turn.edit(turn.tr("When should S{id} go out? It is sent at 9:00 in the morning of "
                            "that day. Tap a day, or write one (e.g. 4월 1일, 다음주 수요일).",
                            id=survey.id),
                    _rows(turn, survey.id, survey.opens_at is not None))


async def step_buttons(turn: Turn, dialog: Dialog) -> Rows:
    survey = await _reachable(turn, dialog)
    return _rows(turn, survey.id, survey.opens_at is not None) if survey else ()


async def _reachable(turn: Turn, dialog: Dialog) -> Survey | None:
    """The dialog's survey, if it is still the coordinator's to schedule here; None once
    they switched to a community where it is not found or they do not coordinate."""
    try:
        return await turn.services.surveys.get(turn.actor, int(dialog.data["survey"]))
    except DomainError:
        return None


async def on_text(turn: Turn, dialog: Dialog) -> bool:
    """The day written; False (the dialog ended) when the survey is no longer the
    coordinator's to schedule: it went out meanwhile (another coordinator, the sweep), or
    they switched to another community. The text was meant as something else."""
    survey = await _reachable(turn, dialog)
    if survey is None or survey.status not in ("draft", "scheduled"):
        await leave(turn)
        return False
    day = read_day(turn.message_text, turn.services.clock.now())
    await choose(turn, survey.id, day)
    return True


async def choose(turn: Turn, survey_id: int, day: date | None) -> None:
    from conversation.flows.survey_admin import view

    before = await turn.services.surveys.get(turn.actor, survey_id)
    survey = await turn.services.surveys.set_opening(turn.actor, survey_id, day)
    await leave(turn)
    cleared = before.closes_at is not None and survey.closes_at is None
    await view(turn, survey, note=turn.tr(
        "The opening day changed, so the closing day was cleared: please choose it again."
    ) if cleared else None)


async def leave(turn: Turn) -> None:
    """The dialog ends once a day is chosen, or anything else is done in /surveys."""
    dialog = await turn.services.dialogs.get(turn.actor.person.id)
    if dialog is not None and dialog.name == DIALOG:
        await turn.services.dialogs.clear(turn.actor.person.id)
