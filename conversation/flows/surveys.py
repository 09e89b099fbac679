"""Answering a survey (/survey, or “설문”): one question at a time with buttons — a scale of
1 to 5, one choice, several choices then Done, or typed text. “Later” stops; /survey resumes
at the first question not yet answered. Each button carries its question, so a tap on a
question already answered records nothing and shows where the member is."""

from __future__ import annotations

from conversation.limits import cut
from conversation.replies import Button, Rows, keyboard
from conversation.survey_text import finished_text, question_buttons, question_text
from conversation.turn import Turn
from core.dialogs import Dialog
from core.errors import DomainError
from core.survey_models import Progress

DIALOG = "survey"
PHRASES = frozenset({"설문", "설문조사", "설문 조사", "survey"})


async def survey(turn: Turn) -> None:
    """/survey [N]: start or resume the open survey waiting for the member (or choose)."""
    tr = turn.tr
    waiting = await turn.services.survey_answers.waiting(turn.actor)
    wanted = int(turn.args[0]) if turn.args and turn.args[0].isdigit() else None
    chosen = [s for s in waiting if wanted is None or s.id == wanted]
    if not chosen:
        await turn.reply(tr("No survey is waiting for your answers right now. Thank you!"))
        return
    if len(chosen) > 1:
        await turn.reply(tr("Which survey would you like to answer?"), keyboard(
            [[Button(cut(s.title, 40), f"svy:go:{s.id}")] for s in chosen[:10]]))
        return
    await _show(turn, await turn.services.survey_answers.begin(turn.actor, chosen[0].id))


async def on_phrase(turn: Turn) -> bool:
    """`설문` typed anywhere (the invitation says so) works as /survey."""
    if turn.message_text.strip().lower() not in PHRASES:
        return False
    await survey(turn)
    return True


async def on_button(turn: Turn) -> None:
    parts = turn.data.split(":")
    numbers = [int(p) for p in parts[2:] if p.isdigit() and len(p) <= 12]
    if len(numbers) != len(parts) - 2 or not numbers:
        await turn.answer(turn.tr("This step is over."))
        return
    answers = turn.services.survey_answers
    actor = turn.actor
    kind, survey_id = parts[1], numbers[0]
    if kind == "go":
        progress = await answers.begin(actor, survey_id)
    elif kind == "x":
        await _leave(turn)
        await turn.edit(turn.tr("Saved so far. Send /survey when you want to go on."))
        return
    elif kind == "v" and len(numbers) == 3:
        progress = await answers.answer(actor, survey_id, numbers[1], value=numbers[2])
    elif kind == "p" and len(numbers) == 4 and numbers[3] in (0, 1):
        progress = await answers.pick(actor, survey_id, numbers[1], numbers[2],
                                      numbers[3] == 1)
    elif kind == "d" and len(numbers) == 2:
        progress = await answers.answer(actor, survey_id, numbers[1], done=True)
    elif kind == "s" and len(numbers) == 2:
        progress = await answers.answer(actor, survey_id, numbers[1], skip=True)
    else:
        await turn.answer(turn.tr("This step is over."))
        return
    await _show(turn, progress)


async def on_text(turn: Turn, dialog: Dialog) -> None:
    """A typed answer goes to the question the member was shown (so a second message meant
    for it is not taken as the answer to the next one)."""
    survey_id, question_id = int(dialog.data["survey"]), int(dialog.data["question"])
    answers = turn.services.survey_answers
    progress = await answers.where(turn.actor, survey_id)
    question = progress.survey.question(question_id)
    if question is None or question.kind != "text":
        await turn.reply(turn.tr("Please answer with the buttons, or tap Later to stop."),
                         question_buttons(turn.tr, progress) if progress.question else None)
        return
    await _show(turn, await answers.answer(turn.actor, survey_id, question_id,
                                           text=turn.message_text))


async def step_buttons(turn: Turn, dialog: Dialog) -> Rows:
    """The buttons of the question shown, so a typed label (`3`, `건너뛰기`) works as a tap."""
    try:
        progress = await turn.services.survey_answers.where(turn.actor,
                                                            int(dialog.data["survey"]))
    except DomainError:
        return ()
    return question_buttons(turn.tr, progress) if progress.question else ()


async def _show(turn: Turn, progress: Progress) -> None:
    tr = turn.tr
    if not progress.recorded:
        await turn.answer(tr("That question was already answered; here is where you are."))
    if progress.finished:
        await _leave(turn)
        await turn.edit(finished_text(tr, progress.survey))
        return
    question = progress.question
    assert question is not None
    await turn.services.dialogs.put(turn.actor.person.id, Dialog(
        DIALOG, "answer", {"survey": progress.survey.id, "question": question.id}))
    await turn.edit(question_text(tr, progress), question_buttons(tr, progress))


async def _leave(turn: Turn) -> None:
    dialog = await turn.services.dialogs.get(turn.actor.person.id)
    if dialog is not None and dialog.name == DIALOG:
        await turn.services.dialogs.clear(turn.actor.person.id)
