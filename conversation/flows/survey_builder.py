"""A new survey built in chat: the title, anonymous or with names, then question after
question (how it is answered, its words, its options), then Done saves it as a draft that
/surveys sends. Written answers are optional; every other question must be answered."""

from __future__ import annotations

from html import escape

from conversation.replies import Button, Rows, keyboard
from conversation.turn import Turn
from core.dialogs import Dialog
from core.survey_spec import QUESTIONS_MAX, build, question

DIALOG = "survey_new"


def _kind_rows(tr, has_questions: bool) -> Rows:
    rows = [[Button(tr("1–5 scale"), "svyb:k:scale"), Button(tr("One choice"), "svyb:k:choice")],
            [Button(tr("Several choices"), "svyb:k:multi"),
             Button(tr("Written answer"), "svyb:k:text")]]
    if has_questions:
        rows.append([Button(tr("✅ Done, save the survey"), "svyb:fin")])
    rows.append([Button(tr("Cancel"), "svyb:cancel")])
    return keyboard(rows)


def _anon_rows(tr) -> Rows:
    return keyboard([[Button(tr("Anonymous"), "svyb:an:1"), Button(tr("With names"), "svyb:an:0")],
                     [Button(tr("Cancel"), "svyb:cancel")]])


async def begin(turn: Turn) -> None:
    await turn.services.dialogs.put(turn.actor.person.id, Dialog(DIALOG, "title", {}))
    await turn.edit(turn.tr("What is the survey's title? (/cancel to stop)"))


async def step_buttons(turn: Turn, dialog: Dialog) -> Rows:
    if dialog.step == "anon":
        return _anon_rows(turn.tr)
    if dialog.step == "kind":
        return _kind_rows(turn.tr, bool(dialog.data.get("questions")))
    return ()


async def on_text(turn: Turn, dialog: Dialog) -> None:
    tr = turn.tr
    text = " ".join(turn.message_text.split())
    data = dict(dialog.data)
    if dialog.step == "title" and text:
        build({"title": text}, [question(1, "text", "?", None, None)])  # checks the title
        data.update(title=text, questions=[])
        await _save(turn, data, "anon")
        await turn.reply(tr("Should the answers be anonymous?"), _anon_rows(tr))
    elif dialog.step == "text" and text:
        data["text"] = text
        if data["kind"] in ("choice", "multi"):
            await _save(turn, data, "options")
            await turn.reply(tr("Send the options separated by commas, e.g. 없음, 1–2명, "
                                "3명 이상 (2 to 10 options)."))
            return
        await _add(turn, data, ())
    elif dialog.step == "options" and text:
        await _add(turn, data, [o for o in text.replace("|", ",").split(",")])
    else:
        await turn.reply(tr("Please use the buttons above, or /cancel."),
                         await step_buttons(turn, dialog))


async def on_button(turn: Turn) -> None:
    tr = turn.tr
    dialog = await turn.dialog_for_button(DIALOG, stopped=tr("Stopped. Nothing was saved."),
                                          over=tr("This step is over."))
    if dialog is None:
        return
    data = dict(dialog.data)
    parts = turn.data.split(":")
    if parts[1] == "an" and dialog.step == "anon" and len(parts) == 3:
        data["anonymous"] = parts[2] == "1"
        await _save(turn, data, "kind")
        await turn.edit(_ask_kind(turn, data), _kind_rows(tr, False))
    elif parts[1] == "k" and dialog.step == "kind" and len(parts) == 3 and parts[2] in (
            "scale", "choice", "multi", "text"):
        data["kind"] = parts[2]
        await _save(turn, data, "text")
        await turn.edit(tr("Question {number}: please write it.",
                           number=len(data["questions"]) + 1))
    elif parts[1] == "fin" and dialog.step == "kind" and data.get("questions"):
        spec = build({"title": data["title"], "anonymous": data["anonymous"]},
                     [question(n, q["kind"], q["text"], q["options"], q["optional"])
                      for n, q in enumerate(data["questions"], start=1)])
        survey = await turn.services.surveys.create(turn.actor, spec, finishing=dialog)
        from conversation.flows.survey_admin import view

        await view(turn, survey)
    else:
        await turn.answer(tr("This step is over."))


async def _add(turn: Turn, data: dict, options) -> None:
    tr = turn.tr
    number = len(data["questions"]) + 1
    checked = question(number, data["kind"], data["text"], list(options),
                       data["kind"] == "text")
    data["questions"] = data["questions"] + [{
        "kind": checked.kind, "text": checked.text, "options": list(checked.options),
        "optional": checked.optional}]
    data.pop("kind"), data.pop("text")
    await _save(turn, data, "kind")
    if len(data["questions"]) >= QUESTIONS_MAX:
        await turn.reply(tr("That is the most questions a survey can have."),
                         keyboard([[Button(tr("✅ Done, save the survey"), "svyb:fin")]]))
        return
    await turn.reply(tr("Added: {text}", text=escape(checked.text)) + "\n"
                     + _ask_kind(turn, data), _kind_rows(tr, True))


def _ask_kind(turn: Turn, data: dict) -> str:
    return turn.tr("Question {number}: how is it answered?", number=len(data["questions"]) + 1)


async def _save(turn: Turn, data: dict, step: str) -> None:
    await turn.services.dialogs.put(turn.actor.person.id, Dialog(DIALOG, step, data))
