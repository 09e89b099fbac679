"""The guided /newevent dialog and the edit dialog: each answer is checked and echoed back
(dates as understood) before the event is saved."""

from __future__ import annotations

import re
from datetime import datetime
from html import escape

from conversation import keyboards
from conversation.flows.events import tell_about_edit
from conversation.i18n import Translator
from conversation.render_events import audience_name, kind_name, when_text
from conversation.replies import keyboard
from conversation.turn import Turn, parse_id
from core.amounts import parse_amount
from core.dialogs import Dialog
from core.errors import DomainError
from core.events import EventDraft
from core.membership import require_active_member
from core.when import parse_end, parse_when

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
        await turn.reply(tr("When does it start? e.g. 3/14 15:00, 3월 14일 오후 3시, 내일 19:30"))
    elif step == "end":
        await turn.reply(tr("When does it end? A time (17:00), a duration (2시간) or a date and "
                            "time."))
    elif step == "place":
        await turn.reply(tr("Where? You can add a map link too. (or Skip)"), skip)
    elif step == "host":
        await turn.reply(tr("Who hosts or teaches it? (or Skip)"), skip)
    elif step == "capacity":
        await turn.reply(tr("How many seats? (a number, or Skip for no limit)"), skip)
    elif step == "fee":
        await turn.reply(tr("Fee in the community currency? (e.g. 3000, or Skip for free)"),
                         skip)
    elif step == "reward":
        await turn.reply(tr("Attendance reward paid by the community? (e.g. 5000, or Skip)"),
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
        await turn.reply(_summary(tr, dialog.data) + "\n\n" + tr("Save this event?"),
                         keyboard([[button(tr("✅ Save"), "evd:save"),
                                                *_cancel_row(tr)]]))


def _summary(tr: Translator, data: dict) -> str:
    starts, ends = datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"])
    lines = [f"<b>{escape(data['title'])}</b>", kind_name(tr, data["kind"]),
             "🕒 " + when_text(tr, starts, ends)]
    if data.get("place"):
        lines.append("📍 " + escape(data["place"]))
    if data.get("map_url"):
        lines.append("🗺 " + escape(data["map_url"]))
    if data.get("host"):
        lines.append(tr("Host: {host}", host=escape(data["host"])))
    lines.append(tr("Seats: {seats}", seats=data.get("capacity") or tr("no limit")))
    if data.get("fee"):
        lines.append(tr("Fee: {fee}", fee=tr.number(data["fee"])))
    if data.get("reward"):
        lines.append(tr("Attendance reward: {reward}", reward=tr.number(data["reward"])))
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
    moved = Dialog(dialog.name, step, {**dialog.data, **values})
    await turn.services.dialogs.put(turn.actor.person.id, moved)
    await _prompt(turn, moved)


async def on_text(turn: Turn, dialog: Dialog) -> None:
    if dialog.name == EDIT:
        await _edit_value(turn, dialog)
        return
    text = turn.message_text.strip()
    now = turn.services.clock.now()
    step, tr = dialog.step, turn.tr
    unit = turn.actor.community.unit if turn.actor.community else "문"
    if step == "title":
        if not 1 <= len(text) <= 80:
            raise DomainError("post_title_invalid", minimum=1, maximum=80)
        await _next(turn, dialog, "start", title=text)
    elif step == "start":
        starts = parse_when(text, now)
        await turn.reply(tr("Understood: {when}", when=tr.datetime(starts)))
        await _next(turn, dialog, "end", start=starts.isoformat())
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
        if not text.isdigit() or not 0 < int(text) <= 10_000:
            raise DomainError("event_capacity_invalid")
        await _next(turn, dialog, "fee", capacity=int(text))
    elif step == "fee":
        await _next(turn, dialog, "reward", fee=parse_amount(text, unit))
    elif step == "reward":
        await _next(turn, dialog, "orientation", reward=parse_amount(text, unit))
    else:
        await _prompt(turn, dialog)


async def on_button(turn: Turn) -> None:
    data = turn.data
    tr = turn.tr
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
    )
    await turn.services.events.create(turn.actor, draft, finishing=dialog)
    await turn.reply(turn.tr("✅ Saved. Members can sign up in /sessions.") + "\n"
                     + _summary(turn.tr, data))


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
    now = turn.services.clock.now()
    current = (await turn.services.events.event(turn.actor, event_id)).event
    if field in ("title", "place"):
        if not 1 <= len(text) <= 200:
            raise DomainError("post_title_invalid", minimum=1, maximum=200)
        value = text
    elif field == "starts_at":
        value = parse_when(text, now)
        duration = current.ends_at - current.starts_at
        change = {"starts_at": value, "ends_at": value + duration}
    elif field == "ends_at":
        value = parse_end(text, current.starts_at)
    else:
        if not text.isdigit() or not 0 < int(text) <= 10_000:
            raise DomainError("event_capacity_invalid")
        value = int(text)
    if field != "starts_at":
        change = {field: value}
    result = await turn.services.events.edit(turn.actor, event_id, change, finishing=dialog)
    reply = turn.tr("✅ Changed. {count} people were told.", count=len(result.attendees))
    if result.promotion.promoted:
        reply += " " + turn.tr("{count} moved up from the waiting list.",
                               count=len(result.promotion.promoted))
    await turn.reply(reply)
    await tell_about_edit(turn, result)
    turn.wake("reminders")
