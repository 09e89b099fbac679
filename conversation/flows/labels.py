"""Inside a dialog, typing a button's label (`취소`, `먹거리`, `건너뛰기`, `협의`, `네`) works as
tapping it: the step's buttons are built by the dialog's own code, the typed text is matched
against their labels, and the action goes to the same flow as a tap."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import replace

from conversation.flows import (
    event_dialog,
    market,
    notices,
    stories,
    survey_builder,
    survey_opening,
    surveys,
    trade,
)
from conversation.keyboards import reversal_confirm
from conversation.phrases import PHRASES
from conversation.replies import Button, Edit, Outcome, Photo, Rows, Say
from conversation.turn import Turn
from conversation.utterances import parse_utterance
from core.dialogs import Dialog
from core.ledger import REVERSE_DIALOG

StepButtons = Callable[[Turn, Dialog], Awaitable[Rows]]

# A "no" answers a step's No button; other cancel words (취소, 그만, stop) leave any dialog.
NO_WORDS = frozenset({"아니", "아니요", "아니오", "아뇨", "싫어", "ㄴㄴ", "no", "n", "nope"})
_WORD = re.compile(r"[^\W_]+")


def _shown_by(prompt: Callable[[Turn, Dialog], Awaitable[None]]) -> StepButtons:
    """The buttons a dialog's prompt shows for a step, found by running the prompt aside
    (it only answers, it changes nothing), so they are always the ones the person saw."""

    async def buttons(turn: Turn, dialog: Dialog) -> Rows:
        aside = replace(turn, outcome=Outcome())
        await prompt(aside, dialog)
        shown: Rows = ()
        for reply in aside.outcome.replies:
            if isinstance(reply, Say | Edit | Photo) and reply.buttons:
                shown = reply.buttons
        return shown

    return buttons


async def _trade_buttons(turn: Turn, dialog: Dialog) -> Rows:
    return trade.step_rows(turn.tr, dialog)


async def _reversal_buttons(turn: Turn, dialog: Dialog) -> Rows:
    return reversal_confirm(turn.tr, int(dialog.data["transfer_id"]))


STEP_BUTTONS: dict[str, StepButtons] = {
    # The post and event dialogs build their buttons inside their prompts.
    market.POST_DIALOG: _shown_by(market._prompt),
    event_dialog.NEW: _shown_by(event_dialog._prompt),
    notices.DIALOG: notices.step_buttons,
    stories.DIALOG: stories.step_buttons,
    trade.DIALOG: _trade_buttons,
    REVERSE_DIALOG: _reversal_buttons,
    surveys.DIALOG: surveys.step_buttons,
    survey_builder.DIALOG: survey_builder.step_buttons,
    survey_opening.DIALOG: survey_opening.step_buttons,
}


async def typed_button(turn: Turn, dialog: Dialog) -> str | None:
    """The action of the button on this step whose label the person typed, if any."""
    step_buttons = STEP_BUTTONS.get(dialog.name)
    if step_buttons is None:
        return None
    buttons = [b for row in await step_buttons(turn, dialog) for b in row if b.action]
    return label_action(turn.message_text, buttons)


def label_action(text: str, buttons: list[Button]) -> str | None:
    """Match in order: the whole label (emoji, spaces and case ignored: `올리기` for
    `✅ 올리기`); one word of exactly one label (`협의` for `가격 협의`); a yes for the one
    ✅ or Yes button; a no for the one No button."""
    key = label_key(text)
    if not key:
        return None
    for candidate in buttons:
        if label_key(candidate.label) == key:
            return candidate.action
    if len(key) >= 2:
        having = [b for b in buttons if key in (label_key(w) for w in _WORD.findall(b.label))]
        if len(having) == 1:
            return having[0].action
    intent = parse_utterance(text)
    if intent.name == "confirm":
        yes = [b for b in buttons
               if b.label.startswith("✅") or label_key(b.label) in PHRASES["confirm"]]
        if len(yes) == 1:
            return yes[0].action
    if intent.name == "cancel" and intent.number is None and key in NO_WORDS:
        no = [b for b in buttons if label_key(b.label) in NO_WORDS]
        if len(no) == 1:
            return no[0].action
    return None


def is_stop(text: str) -> bool:
    """`취소`, `그만`, `cancel`: leave the dialog (a bare "no" may be an answer, so it is not)."""
    intent = parse_utterance(text)
    return intent.name == "cancel" and intent.number is None and label_key(text) not in NO_WORDS


def label_key(text: str) -> str:
    """Text without emoji, punctuation, spaces and case: `✅ 올리기` → `올리기`."""
    return "".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))
