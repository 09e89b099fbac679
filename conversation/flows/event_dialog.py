"""The guided /newevent dialog and the edit dialog: each answer is checked and echoed back
(dates as understood) before the event is saved."""

from __future__ import annotations

import re
from datetime import datetime
from html import escape

from conversation import keyboards
from conversation.flows.event_when import AMPM, chosen, read_start, without_choices
from conversation.flows.events import tell_about_edit
from conversation.i18n import Translator
from conversation.render_events import audience_name, kind_name, when_text
from conversation.replies import keyboard
from conversation.turn import Turn, parse_id
from core.dialogs import Dialog
from core.errors import DomainError
from core.event_numbers import parse_capacity, parse_fee
from core.events import EventDraft
from core.membership import require_active_member
from core.when import parse_end

NEW = "event"
EDIT = "event_edit"
button = keyboards.button


def _cancel_row(tr: Translator) -> list:
    return [button(tr("Cancel"), "evd:cancel")]


async def new_event(turn: Turn) -> None:
    require_active_member(turn.actor)
    if not (turn.actor.membership.is_coordinator or turn.actor.is_admin):
        raise DomainError("not_coordinator")
    await turn.services.dialogs.put(turn.actor.person.id, Dialog(NEW, "kind", {}))
    await _prompt(turn, Dialog(NEW, "kind", {}))


async def new_programme(turn: Turn, organisation_id: int, host: str) -> None:
    """An institution's public programme: the same dialog; its fees go to the institution
    (its staff or a coordinator may post it; the core checks on Save)."""
    require_active_member(turn.actor)
    dialog = Dialog(NEW, "kind", {"organisation": organisation_id, "host": host})
    await turn.services.dialogs.put(turn.actor.person.id, dialog)
    await _prompt(turn, dialog)


async def _prompt(turn: Turn, dialog: Dialog) -> None:
    tr = turn.tr
    step = dialog.step
    skip = keyboard([[button(tr("Skip"), "evd:skip"), *_cancel_row(tr)]])
    if step == "kind":
        await turn.reply(tr("What kind of event? (/cancel to stop)"), keyboard([
            [button(kind_name(tr, kind), f"evd:kind:{kind}")]
            for kind in ("study", "meeting", "trip")] + [_cancel_row(tr)]))
    elif step == "title":
        await turn.reply(tr("Title? (e.g. 품앗이 학당: 공동체 화폐 이야기)"))
    elif step == "start":
        await turn.reply(tr("When does it start? e.g. 다음주 화요일 오후 2시, 3월 14일 오후 3시, "
                            "내일 19:30"))
    elif step == "end":
        await turn.reply(tr("When does it end? A time (17:00, 4시까지), a duration (2시간, "
                            "1시간 반) or a date and time."))
    elif step == "place":
        await turn.reply(tr("Where? You can add a map link too. (or Skip)"), skip)
    elif step == "host":
        await turn.reply(tr("Who hosts or teaches it? (or Skip)"), skip)
    elif step == "capacity":
        await turn.reply(tr("How many seats? (e.g. 20명, or 없음 for no limit)"), skip)
    elif step == "fee":
        await turn.reply(tr("Fee in the community currency? (e.g. 3000원, or 무료)"), skip)
    elif step == "reward":
        await turn.reply(tr("Attendance reward paid by the community? (e.g. 5000원, or 없음)"),
                         skip)
    elif step == "orientation":
        await turn.reply(tr("Is this an orientation for new members?"), keyboard([
            [button(tr("Yes"), "evd:ori:1"), button(tr("No"), "evd:ori:0")], _cancel_row(tr)]))
    elif step == "audience":
        audiences = ["community", "coordinators"] + (["all"] if turn.actor.is_admin else [])
        await turn.reply(tr("Who is it for?"), keyboard(
            [[button(audience_name(tr, a), f"evd:aud:{a}")] for a in audiences]
            + [_cancel_row(tr)]))
    elif step == "confirm":
        await turn.reply(_summary(tr, dialog.data, _unit(turn)) + "\n\n" + tr("Save this event?"),
                         keyboard([[button(tr("✅ Save"), "evd:save"),
                                                *_cancel_row(tr)]]))


def _unit(turn: Turn) -> str:
    return turn.actor.community.unit if turn.actor.community else "문"


def _summary(tr: Translator, data: dict, unit: str) -> str:
    starts, ends = datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"])
    lines = [f"<b>{escape(data['title'])}</b>", kind_name(tr, data["kind"]),
             "🕒 " + when_text(tr, starts, ends)]
    if data.get("place"):
        lines.append("📍 " + escape(data["place"]))
    if data.get("map_url"):
        lines.append("🗺 " + escape(data["map_url"]))
    if data.get("host"):
        lines.append(tr("Host: {host}", host=escape(data["host"])))
    seats = data.get("capacity")
    lines.append(tr("Seats: {seats}", seats=tr("{count} people", count=seats) if seats
                    else tr("no limit")))
    if data.get("fee"):
        lines.append(tr("Fee: {fee}", fee=tr.amount(data["fee"], escape(unit))))
    if data.get("reward"):
        lines.append(tr("Attendance reward: {reward}",
                        reward=tr.amount(data["reward"], escape(unit))))
    if data.get("orientation"):
        lines.append(tr("This is an orientation for new members."))
    lines.append(audience_name(tr, data.get("audience", "community")))
    return "\n".join(lines)


_LINK = re.compile(r"https?://\S+")


def _split_map_link(text: str) -> tuple[str | None, str | None]:
    """`마포구청 3층 https://naver.me/x` → ("마포구청 3층", "https://naver.me/x")."""
    match = _LINK.search(text)
    link = match.group(0)[:300] if match else None
    place = _LINK.sub("", text).strip()[:200] or None
    return place, link


async def _next(turn: Turn, dialog: Dialog, step: str, **values) -> None:
    moved = Dialog(dialog.name, step, {**without_choices(dialog.data), **values})
    await turn.services.dialogs.put(turn.actor.person.id, moved)
    await _prompt(turn, moved)


async def on_text(turn: Turn, dialog: Dialog) -> None:
    if dialog.name == EDIT:
        await _edit_value(turn, dialog)
        return
    text = turn.message_text.strip()
    step, tr = dialog.step, turn.tr
    unit = _unit(turn)
    if step == "title":
        if not 1 <= len(text) <= 80:
            raise DomainError("post_title_invalid", minimum=1, maximum=80)
        await _next(turn, dialog, "start", title=text)
    elif step in ("start", AMPM):
        starts = await read_start(turn, dialog, text)
        if starts is not None:
            await _started(turn, dialog, starts)
    elif step == "end":
        ends = parse_end(text, datetime.fromisoformat(dialog.data["start"]))
        await turn.reply(tr("Understood: ends {when}", when=tr.datetime(ends)))
        await _next(turn, dialog, "place", end=ends.isoformat())
    elif step == "place":
        place, map_url = _split_map_link(text)
        await _next(turn, dialog, "host", place=place, map_url=map_url)
    elif step == "host":
        await _next(turn, dialog, "capacity", host=text[:100])
    elif step == "capacity":
        await _next(turn, dialog, "fee", capacity=parse_capacity(text))
    elif step == "fee":
        await _next(turn, dialog, "reward", fee=parse_fee(text, unit))
    elif step == "reward":
        await _next(turn, dialog, "orientation", reward=parse_fee(text, unit))
    else:
        await _prompt(turn, dialog)


async def _started(turn: Turn, dialog: Dialog, starts: datetime) -> None:
    """The start is known (typed, or picked between 오전 and 오후): echo it and go on."""
    understood = turn.tr("Understood: {when}", when=turn.tr.datetime(starts))
    if dialog.name == EDIT:
        await _apply_edit(turn, dialog, await _new_start(turn, dialog, starts), echo=understood)
    else:
        await turn.reply(understood)
        await _next(turn, dialog, "end", start=starts.isoformat())


async def _on_ampm(turn: Turn) -> None:
    """`evd:ampm:am|pm`, in the /newevent dialog or the edit dialog, whichever is waiting."""
    dialog = await turn.services.dialogs.get(turn.actor.person.id)
    if dialog is None or dialog.name not in (NEW, EDIT) or dialog.step != AMPM:
        await turn.answer(turn.tr("This step is over."), alert=True)
        await turn.drop_buttons()
        return
    starts = chosen(dialog, "am" if turn.data.endswith(":am") else "pm",
                    turn.services.clock.now())
    await turn.drop_buttons()
    await _started(turn, dialog, starts)


async def on_button(turn: Turn) -> None:
    data = turn.data
    tr = turn.tr
    if data.startswith("evd:ampm:"):
        await _on_ampm(turn)
        return
    dialog = await turn.dialog_for_button(NEW, stopped=tr("Stopped. Nothing was saved."),
                                          over=tr("This step is over."))
    if dialog is None:
        return
    await turn.drop_buttons()
    value = data.split(":", 2)[-1]
    skips = {"place": ("host", None), "host": ("capacity", None), "capacity": ("fee", None),
             "fee": ("reward", 0),
             "reward": ("orientation", 0)}  # step → (next step, value when skipped)
    if data.startswith("evd:kind:") and dialog.step == "kind" and value in (
            "study", "meeting", "trip"):
        await _next(turn, dialog, "title", kind=value)
    elif data == "evd:skip" and dialog.step in skips:
        following, skipped = skips[dialog.step]
        await _next(turn, dialog, following, **{dialog.step: skipped})
    elif data.startswith("evd:ori:") and dialog.step == "orientation":
        free = {}
        if value == "1" and dialog.data.get("fee"):
            # new members' accounts are closed until they attend, so they couldn't pay
            await turn.reply(tr("An orientation is free: new members can't pay before it, "
                                "so I removed the fee."))
            free = {"fee": 0}
        await _next(turn, dialog, "audience", orientation=value == "1", **free)
    elif data.startswith("evd:aud:") and dialog.step == "audience" and value in (
            "community", "coordinators", "all"):
        await _next(turn, dialog, "confirm", audience=value)
    elif data == "evd:save" and dialog.step == "confirm":
        await _save(turn, dialog)
    else:
        await turn.answer(tr("This step is over."))


async def _save(turn: Turn, dialog: Dialog) -> None:
    data = dialog.data
    draft = EventDraft(
        kind=data["kind"], title=data["title"],
        starts_at=datetime.fromisoformat(data["start"]),
        ends_at=datetime.fromisoformat(data["end"]), place=data.get("place"),
        map_url=data.get("map_url"), host=data.get("host"),
        capacity=data.get("capacity"), fee=data.get("fee") or 0,
        reward=data.get("reward") or 0, audience=data.get("audience", "community"),
        is_orientation=bool(data.get("orientation")),
        organisation_id=data.get("organisation"),
    )
    await turn.services.events.create(turn.actor, draft, finishing=dialog)
    await turn.reply(turn.tr("✅ Saved. Members can sign up in /sessions.") + "\n"
                     + _summary(turn.tr, data, _unit(turn)))


async def start_edit(turn: Turn) -> None:
    data = turn.data
    parts = data.split(":")
    event_id = parse_id(data)
    if len(parts) != 3 or event_id is None or parts[1] not in (
            "title", "starts_at", "ends_at", "place", "capacity"):
        return
    await turn.services.events.managed(turn.actor, event_id)
    await turn.services.dialogs.put(
        turn.actor.person.id, Dialog(EDIT, "value", {"event_id": event_id, "field": parts[1]}))
    await turn.reply(turn.tr("Send the new value. (/cancel to stop)"))


async def _edit_value(turn: Turn, dialog: Dialog) -> None:
    field, event_id = dialog.data["field"], int(dialog.data["event_id"])
    text = turn.message_text.strip()
    if field in ("title", "place"):
        if not 1 <= len(text) <= 200:
            raise DomainError("post_title_invalid", minimum=1, maximum=200)
        change: dict = {field: text}
    elif field == "starts_at":
        starts = await read_start(turn, dialog, text)
        if starts is not None:  # else it asked 오전 or 오후 and the answer comes to _started
            await _started(turn, dialog, starts)
        return
    elif field == "ends_at":
        current = (await turn.services.events.event(turn.actor, event_id)).event
        change = {field: parse_end(text, current.starts_at)}
    else:
        change = {field: parse_capacity(text)}
    await _apply_edit(turn, dialog, change)


async def _new_start(turn: Turn, dialog: Dialog, starts: datetime) -> dict:
    """A new start keeps the event's length."""
    current = (await turn.services.events.event(turn.actor, int(dialog.data["event_id"]))).event
    return {"starts_at": starts, "ends_at": starts + (current.ends_at - current.starts_at)}


async def _apply_edit(turn: Turn, dialog: Dialog, change: dict, *, echo: str = "") -> None:
    """Save the change (and end the dialog); `echo` says how the answer was read, once the
    change is made, so a second tap that changes nothing says nothing of it."""
    event_id = int(dialog.data["event_id"])
    result = await turn.services.events.edit(turn.actor, event_id, change, finishing=dialog)
    if echo:
        await turn.reply(echo)
    reply = turn.tr("✅ Changed. {count} people were told.", count=len(result.attendees))
    if result.promotion.promoted:
        reply += " " + turn.tr("{count} moved up from the waiting list.",
                               count=len(result.promotion.promoted))
    await turn.reply(reply)
    await tell_about_edit(turn, result)
    turn.wake("reminders")
