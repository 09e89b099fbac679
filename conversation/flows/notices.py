"""/notice (write, choose the audience, preview with the count, send), /notices (delivery
reports), /link in a group chat, and the brief answers commands get in groups."""

from __future__ import annotations

from html import escape

from conversation import keyboards
from conversation.i18n import Translator
from conversation.render import report_text
from conversation.replies import Button, Rows, keyboard
from conversation.turn import Turn
from core.dialogs import Dialog
from core.errors import DomainError
from core.membership import require_active_member
from core.models import Actor
from core.notices import NoticeDraft, validate_draft

DIALOG = "notice"
NAME_IN_HEADER = 30  # characters of a name in the header, so a caption stays within 1024
button = keyboards.button


def notice_message(tr: Translator, actor: Actor, text: str) -> str:
    """The notice as every recipient gets it (and as its preview shows it): who sends it,
    then the coordinator's words, escaped — whatever they typed arrives as typed."""
    community = actor.community.name if actor.community else ""
    header = tr("📢 {community} notice · {name}, coordinator",
                community=escape(_cut(community)), name=escape(_cut(actor.person.display_name)))
    body = escape(text.strip())
    return f"<b>{header}</b>" + (f"\n{body}" if body else "")


def _cut(name: str) -> str:
    name = " ".join(name.split())
    return name if len(name) <= NAME_IN_HEADER else name[:NAME_IN_HEADER - 1] + "…"


def _draft(data: dict) -> NoticeDraft:
    return NoticeDraft(text=data.get("text", ""), audience=data.get("audience", "all"),
                       photo_file_id=data.get("photo"), document_file_id=data.get("document"),
                       event_id=data.get("event_id"), days=data.get("days"),
                       urgent=bool(data.get("urgent")))


async def notice(turn: Turn) -> None:
    require_active_member(turn.actor)
    if not turn.actor.membership.is_coordinator:
        raise DomainError("not_coordinator")
    await turn.services.dialogs.put(turn.actor.person.id, Dialog(DIALOG, "content", {}))
    await turn.reply(turn.tr("Send the notice: text, or a photo or file with a caption. "
                             "(/cancel to stop)"))


async def on_content(turn: Turn, dialog: Dialog) -> None:
    data = {"text": turn.message_text.strip()}
    if turn.event.photo:
        data["photo"] = turn.event.photo
    elif turn.event.document:
        data["document"] = turn.event.document
    if dialog.step != "content":
        await turn.reply(turn.tr("Please use the buttons above, or /cancel."))
        return
    validate_draft(NoticeDraft(text=data["text"], audience="all",
                               photo_file_id=data.get("photo"),
                               document_file_id=data.get("document")))
    await turn.services.dialogs.put(turn.actor.person.id, Dialog(DIALOG, "audience", data))
    tr = turn.tr
    await turn.reply(tr("Who should get it?"), _audience_rows(tr))


async def step_buttons(turn: Turn, dialog: Dialog) -> Rows:
    """The buttons each step shows (a typed label works as its button)."""
    tr = turn.tr
    if dialog.step == "audience":
        return _audience_rows(tr)
    if dialog.step == "event":
        return _event_rows(await turn.services.events.upcoming(turn.actor))
    if dialog.step == "days":
        return _days_rows(tr)
    if dialog.step == "urgent":
        return _urgent_rows(tr)
    if dialog.step == "confirm":
        return _confirm_rows(tr)
    return ()


def _audience_rows(tr: Translator) -> Rows:
    return keyboard([
        [button(tr("Whole community"), "ntc:aud:all"),
         button(tr("Coordinators"), "ntc:aud:coordinators")],
        [button(tr("Signed up for an event"), "ntc:aud:event")],
        [button(tr("Active in the last N days"), "ntc:aud:active"),
         button(tr("Inactive in the last N days"), "ntc:aud:inactive")],
        [button(tr("Cancel"), "ntc:cancel")],
    ])


def _event_rows(views: list) -> Rows:
    return keyboards.event_choice(views, lambda event_id: f"ntc:ev:{event_id}")


def _days_rows(tr: Translator) -> Rows:
    return keyboard([[button(tr("{days} days", days=days), f"ntc:days:{days}")
                      for days in (30, 90, 365)]])


def _urgent_rows(tr: Translator) -> Rows:
    return keyboard([[button(tr("Normal"), "ntc:urg:0"), button(tr("Urgent"), "ntc:urg:1")]])


def _confirm_rows(tr: Translator) -> Rows:
    return keyboard([[button(tr("📣 Send"), "ntc:send:go"), button(tr("Cancel"), "ntc:cancel")]])


async def on_button(turn: Turn) -> None:
    data = turn.data
    tr = turn.tr
    dialog = await turn.dialog_for_button(DIALOG, stopped=tr("Stopped. Nothing was sent."),
                                          over=tr("This step is over."))
    if dialog is None:
        return
    values = dict(dialog.data)
    parts = data.split(":", 2)
    kind = parts[1] if len(parts) > 1 else ""
    choice = parts[2] if len(parts) > 2 else ""
    if kind == "aud" and choice in ("all", "coordinators", "event", "active", "inactive"):
        values["audience"] = choice
        if choice == "event":
            views = await turn.services.events.upcoming(turn.actor)
            if not views:
                await turn.answer(tr("No upcoming events."), alert=True)
                return
            await _save(turn, values, "event")
            await turn.edit(tr("Which event?"), _event_rows(views))
            return
        if choice in ("active", "inactive"):
            await _save(turn, values, "days")
            await turn.edit(tr("In the last how many days?"), _days_rows(tr))
            return
    elif kind == "ev" and choice.isdigit():
        values["event_id"] = int(choice)
    elif kind == "days" and choice in ("30", "90", "365"):
        values["days"] = int(choice)
    elif kind == "urg" and choice in ("0", "1"):
        values["urgent"] = choice == "1"
        await _preview(turn, values)
        return
    elif kind == "send" and dialog.step == "confirm":
        if "message" not in values:  # previewed before the message was stored: show it again
            await _preview(turn, values)
            return
        await _send(turn, dialog)
        return
    else:
        await turn.answer(tr("This step is over."))
        return
    await _save(turn, values, "urgent")
    await turn.edit(tr("Is it urgent? Urgent notices reach members who muted notices too."),
                    _urgent_rows(tr))


async def _save(turn: Turn, values: dict, step: str) -> None:
    await turn.services.dialogs.put(turn.actor.person.id, Dialog(DIALOG, step, values))


async def _preview(turn: Turn, values: dict) -> None:
    count = await turn.services.notices.count_recipients(turn.actor, _draft(values))
    tr = turn.tr
    # Rendered once, here: Send delivers this very text.
    values["message"] = notice_message(tr, turn.actor, values.get("text") or "")
    await _save(turn, values, "confirm")
    extra = tr("(with a photo)") if values.get("photo") else (
        tr("(with a file)") if values.get("document") else "")
    await turn.edit(
        tr("<b>Preview</b>") + "\n" + values["message"] + (" " + extra if extra else "")
        + "\n\n" + tr("It will go to {count} members.", count=count),
        _confirm_rows(tr))


async def _send(turn: Turn, dialog: Dialog) -> None:
    report = await turn.services.notices.send(turn.actor, _draft(dialog.data),
                                              message=dialog.data["message"], finishing=dialog)
    await turn.edit(turn.tr("📣 Sending notice N{id} to {count} recipients. I'll report when "
                            "it's done; /notices shows progress.", id=report.notice_id,
                            count=report.recipients))
    turn.wake("outbox")


async def reports(turn: Turn) -> None:
    found = await turn.services.notices.report(turn.actor)
    tr = turn.tr
    if not found:
        await turn.reply(tr("No notices yet. Write one with /notice."))
        return
    lines = [tr("<b>Recent notices</b>")]
    for report in found:
        state = tr("done") if report.done else tr("{pending} still to send",
                                                  pending=report.pending)
        lines.append(report_text(tr, report) + f" ({state})")
    await turn.reply("\n".join(lines))


async def link(turn: Turn) -> None:
    """/link CODE [posts] in a group chat: notices (and new posts) go to this group too."""
    tr = turn.tr
    if not turn.args:
        await turn.reply(tr("Please add the community code, e.g. /link mapo"))
        return
    post_market = len(turn.args) > 1 and turn.args[1].lower() in ("posts", "market", "장터")
    community = await turn.services.notices.link_group(
        turn.actor, int(turn.event.chat), turn.args[0], post_market=post_market)
    await turn.reply(tr("This group now receives {community}'s notices.",
                        community=escape(community.name))
                     + (" " + tr("New market posts will appear here too.") if post_market
                        else ""))


async def in_group(turn: Turn) -> None:
    """Private matters (balance, pay …) move to the private chat, with a deep link."""
    tr = turn.tr
    start_link = turn.event.channel.start_link
    buttons = (keyboard([[Button(tr("Open the private chat"), url=f"{start_link}from_group")]])
               if start_link else None)
    await turn.reply(tr("Let's do that in a private chat with me."), buttons)


def settings_rows(tr: Translator, muted: bool) -> list:
    if muted:
        return [[button(tr("Receive notices again"), "set:ntc:on")]]
    return [[button(tr("Mute this community's notices"), "set:ntc:off")]]
