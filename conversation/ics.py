"""An event as an iCalendar (.ics) file for phone calendars, built with `icalendar`."""

from __future__ import annotations

from core.models import EventView


def event_ics(view: EventView, domain: str = "pumasi.bot") -> bytes:
    # Imported here: only a calendar file needs it, and the bot starts without it.
    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    event = view.event
    calendar = Calendar()
    calendar.add("prodid", "-//Pumasi bot//pumasi.bot//KO")
    calendar.add("version", "2.0")
    entry = IcsEvent()
    entry.add("uid", f"event-{event.id}@{domain}")
    entry.add("dtstamp", event.starts_at)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title)
    if event.place:
        entry.add("location", event.place)
    if event.description:
        entry.add("description", event.description)
    if event.map_url:
        entry.add("url", event.map_url)
    entry.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    calendar.add_component(entry)
    return calendar.to_ical()
