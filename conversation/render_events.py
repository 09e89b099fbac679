"""Text of events, sign-ups, reminders and the month calendar (HTML, user text escaped)."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from babel.dates import format_time

from conversation.i18n import TIMEZONE, Translator
from conversation.limits import fit_lines
from conversation.render import more_text
from core.models import EventView


def kind_name(tr: Translator, kind: str) -> str:
    return {"study": tr("Study session (품앗이 학당)"), "meeting": tr("Meeting"),
            "trip": tr("Field trip")}.get(kind, kind)


def audience_name(tr: Translator, audience: str) -> str:
    return {"community": tr("whole community"), "coordinators": tr("coordinators only"),
            "all": tr("all communities")}.get(audience, audience)


def event_status_name(tr: Translator, status: str) -> str:
    return {"scheduled": tr("Scheduled"), "cancelled": tr("Cancelled")}.get(status, status)


def when_text(tr: Translator, starts_at: datetime, ends_at: datetime) -> str:
    start_local, end_local = starts_at.astimezone(TIMEZONE), ends_at.astimezone(TIMEZONE)
    if start_local.date() == end_local.date():
        end = tr.datetime(ends_at).rsplit(" ", 2)[-2:]
        return f"{tr.datetime(starts_at)} – {' '.join(end)}"
    return f"{tr.datetime(starts_at)} – {tr.datetime(ends_at)}"


def seats_text(tr: Translator, view: EventView) -> str:
    event = view.event
    if event.capacity is None:
        return tr("{count} signed up", count=event.signed_count)
    if event.seats_left == 0:
        return tr("full ({waiting} waiting)", waiting=event.waiting_count)
    return tr("{left} of {capacity} seats left", left=event.seats_left, capacity=event.capacity)


def event_line(tr: Translator, index: int, view: EventView) -> str:
    event = view.event
    mark = {"signed": " ✅", "waiting": " ⏳"}.get(view.my_status or "", "")
    return (f"{index}. <b>{escape(event.title)}</b>{mark}\n"
            f"   {tr.datetime(event.starts_at)} · {seats_text(tr, view)}")


def event_text(tr: Translator, view: EventView) -> str:
    event = view.event
    lines = [f"<b>{escape(event.title)}</b>", kind_name(tr, event.kind)]
    lines.append("🕒 " + when_text(tr, event.starts_at, event.ends_at))
    if event.place:
        lines.append("📍 " + escape(event.place))
    if event.map_url:
        map_label = tr("Map")
        lines.append(f'<a href="{escape(event.map_url, quote=True)}">{map_label}</a>')
    if event.host:
        lines.append(tr("Host: {host}", host=escape(event.host)))
    lines.append("👥 " + seats_text(tr, view) + " · " + audience_name(tr, event.audience))
    if event.fee:
        lines.append(tr("Fee: {fee} (refunded if you cancel {hours} hours before)",
                        fee=tr.amount(event.fee, escape(view.unit)),
                        hours=event.refund_cutoff_hours))
    if event.reward:
        lines.append(tr("Attendance reward: {reward}",
                        reward=tr.amount(event.reward, escape(view.unit))))
    if event.is_orientation:
        lines.append(tr("This is an orientation for new members."))
    if event.description:
        lines.append(escape(event.description))
    if event.status == "cancelled":
        lines.append(tr("❌ This event was cancelled."))
    elif view.my_status == "signed":
        lines.append(tr("✅ You're signed up.") + (" " + tr("Attended.") if view.attended else ""))
    elif view.my_status == "waiting":
        lines.append(tr("⏳ You're on the waiting list."))
    return "\n".join(lines)


def reminder_text(tr: Translator, view: EventView, now: datetime) -> str:
    left = view.event.starts_at - now
    soon = left <= timedelta(hours=2)
    head = tr("⏰ Starting soon!") if soon else tr("⏰ Reminder: tomorrow's event.")
    return head + "\n" + event_text(tr, view)


def month_text(tr: Translator, year: int, month: int, views: list[EventView]) -> str:
    head = tr("<b>Calendar</b> · {year}-{month:02d}", year=year, month=month)
    if not views:
        return head + "\n" + tr("No events this month.")
    lines = [f"{tr.date(view.event.starts_at)} · <b>{escape(view.event.title)}</b>"
             for view in views]
    return fit_lines(head, lines, lambda count: more_text(tr, count))[0]


_CLOCK_PATTERNS = {"ko": ("aaaa h시", "aaaa h시 m분"), "en": ("h a", "h:mm a")}


def clock_text(tr: Translator, moment: datetime) -> str:
    """The time of day alone, as a button says it: `오후 2시`, `오후 2시 30분` / `2 PM`."""
    local = moment.astimezone(TIMEZONE)
    on_the_hour, with_minutes = _CLOCK_PATTERNS.get(tr.locale, _CLOCK_PATTERNS["en"])
    return format_time(local, with_minutes if local.minute else on_the_hour,
                       locale={"ko": "ko_KR"}.get(tr.locale, "en_US"))
