"""Study sessions and meetings: /sessions, /mysessions, /calendar, sign-up buttons, .ics,
check-in (/checkin CODE or the coordinator's list)."""

from __future__ import annotations

from datetime import datetime
from html import escape

from conversation import keyboards
from conversation.i18n import TIMEZONE, Translator
from conversation.ics import event_ics
from conversation.limits import fit_lines
from conversation.render import more_text, numbered_name
from conversation.render_events import event_line, event_text, month_text
from conversation.replies import Rows, keyboard
from conversation.turn import Turn
from core.event_seats import Promotion
from core.models import EventView, Member

button = keyboards.button

LISTED_MAX = 50  # events in one list, a button each: far below Telegram's 100 buttons
CHECKIN_PAGE_SIZE = 40  # names on one page of the check-in sheet, two a row


def event_buttons(tr: Translator, view: EventView, *, coordinator: bool) -> Rows:
    event_id = view.event.id
    rows = []
    if view.event.status == "scheduled":
        if view.my_status is None:
            if view.event.seats_left == 0:
                rows.append([button(tr("⏳ Join the waiting list"), f"ev:wait:{event_id}")])
            else:
                rows.append([button(tr("✅ Sign up"), f"ev:join:{event_id}")])
        else:
            rows.append([button(tr("Cancel my sign-up"), f"ev:leave:{event_id}")])
    rows.append([button(tr("📅 Add to my calendar"), f"ev:ics:{event_id}")])
    if coordinator and view.event.status == "scheduled":
        rows.append([button(tr("🙋 Check-in"), f"ev:chk:{event_id}"),
                     button(tr("✏️ Edit"), f"ev:edit:{event_id}"),
                     button(tr("❌ Cancel event"), f"ev:cancel:{event_id}")])
        rows.append([button(tr("🔄 New check-in code"), f"ev:code:{event_id}")])
    return keyboard(rows)


def _is_coordinator(turn: Turn) -> bool:
    return bool(turn.actor.membership and turn.actor.membership.is_coordinator) or (
        turn.actor.is_admin)


async def _manages(turn: Turn, view: EventView) -> bool:
    """A coordinator runs every event; an institution's staff run its own programmes."""
    if _is_coordinator(turn):
        return True
    organisation_id = view.event.organisation_id
    return organisation_id is not None and organisation_id in {
        o.id for o in await turn.services.organisations.mine(turn.actor)}


async def sessions(turn: Turn) -> None:
    tr = turn.tr
    await _event_list(turn, await turn.services.events.upcoming(turn.actor),
                      tr("<b>Upcoming sessions and meetings</b>"),
                      tr("No upcoming sessions or meetings."))


async def my_sessions(turn: Turn) -> None:
    tr = turn.tr
    await _event_list(turn, await turn.services.events.mine(turn.actor), tr("<b>My sign-ups</b>"),
                      tr("You haven't signed up for anything yet. See /sessions."))


async def _event_list(turn: Turn, views: list[EventView], title: str, empty: str) -> None:
    """Numbered lines, and a button per number that opens the event; what does not fit in one
    message is counted at the end."""
    if not views:
        await turn.reply(empty)
        return
    lines = [event_line(turn.tr, index, view) for index, view in enumerate(views, start=1)]
    text, shown = fit_lines(title, lines, lambda count: more_text(turn.tr, count),
                            max_lines=LISTED_MAX)
    buttons = [button(str(index), f"ev:v:{view.event.id}")
               for index, view in enumerate(views[:shown], start=1)]
    rows = [buttons[i:i + 5] for i in range(0, len(buttons), 5)]
    await turn.reply(text, keyboard(rows))


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=TIMEZONE)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=TIMEZONE)
    return start, end


def _shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


async def calendar(turn: Turn, year: int | None = None, month: int | None = None) -> None:
    if year is None or month is None:
        today = turn.services.clock.now().astimezone(TIMEZONE)
        year, month = today.year, today.month
    start, end = _month_bounds(year, month)
    views = await turn.services.events.month(turn.actor, start, end)
    tr = turn.tr
    previous, following = _shift(year, month, -1), _shift(year, month, 1)
    markup = keyboard([[
        button(tr("◀ {month}", month=tr.month(previous[1])),
               f"cal:{previous[0]}-{previous[1]:02d}"),
        button(tr("{month} ▶", month=tr.month(following[1])),
               f"cal:{following[0]}-{following[1]:02d}"),
    ]])
    text = month_text(tr, year, month, views)
    if turn.event.is_action:
        await turn.edit(text, markup)
    else:
        await turn.reply(text, markup)


async def on_calendar(turn: Turn) -> None:
    value = turn.data.split(":", 1)[-1]
    parts = value.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return
    year, month = int(parts[0]), int(parts[1])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return
    await calendar(turn, year, month)


async def on_event(turn: Turn) -> None:
    data = turn.data
    parts = data.split(":")
    if len(parts) < 3 or not all(p.isdigit() and len(p) <= 12 for p in parts[2:]):
        return
    action, event_id = parts[1], int(parts[2])
    events = turn.services.events
    tr = turn.tr
    if action == "v":
        view = await events.event(turn.actor, event_id)
        await turn.reply(event_text(tr, view),
                         event_buttons(tr, view, coordinator=await _manages(turn, view)))
    elif action in ("join", "wait"):
        result = await events.sign_up(turn.actor, event_id, waitlist=action == "wait")
        message = {"signed": tr("✅ You're signed up. I'll remind you before it starts."),
                   "waiting": tr("⏳ You're on the waiting list. I'll tell you if a seat opens."),
                   "already": tr("You're already signed up.")}[result.status]
        await turn.answer(message)
        await turn.edit(event_text(tr, result.view),
                        event_buttons(tr, result.view,
                                      coordinator=await _manages(turn, result.view)))
        turn.wake("reminders")
    elif action == "leave":
        result = await events.cancel_signup(turn.actor, event_id)
        note = tr("Cancelled.")
        unit = escape(result.view.unit)
        if result.fee.refunded:
            note += " " + tr("{fee} refunded.", fee=tr.amount(result.fee.refunded, unit))
        elif result.fee.corrected:
            note += " " + tr("Your fee of {fee} was already returned by a coordinator's "
                             "correction.", fee=tr.amount(result.fee.corrected, unit))
        await turn.answer(note)
        await turn.edit(event_text(tr, result.view),
                        event_buttons(tr, result.view,
                                      coordinator=await _manages(turn, result.view)))
        await tell_promotion(turn, result.view, result.promotion)
        turn.wake("reminders")
    elif action == "ics":
        view = await events.event(turn.actor, event_id)
        await turn.file(event_ics(view), f"event-{event_id}.ics", escape(view.event.title))
    elif action == "chk":
        await _checkin_sheet(turn, event_id, opened=True)
    elif action == "code":
        view = await events.open_checkin(turn.actor, event_id, fresh=True)
        await turn.answer(tr("New check-in code: {code}. The old code no longer works.",
                             code=view.event.checkin_code))
        await _checkin_sheet(turn, event_id, opened=True)
    elif action == "chkp" and len(parts) == 4:
        await _checkin_sheet(turn, event_id, opened=False, page=int(parts[3]))
    elif action == "att" and len(parts) in (4, 5):
        result = await events.check_in_member(turn.actor, event_id, int(parts[3]))
        await turn.answer(_checkin_note(tr, result))
        await _checkin_sheet(turn, event_id, opened=False,
                             page=int(parts[4]) if len(parts) == 5 else 0)
        if result.newly and result.reward_paid:
            await turn.notify(result.member, lambda tr: _reward_text(tr, result))
    elif action == "edit":
        await events.managed(turn.actor, event_id)
        await turn.reply(tr("What do you want to change?"), keyboard([
            [button(tr("Title"), f"eve:title:{event_id}"),
             button(tr("Start"), f"eve:starts_at:{event_id}")],
            [button(tr("End"), f"eve:ends_at:{event_id}"),
             button(tr("Place"), f"eve:place:{event_id}")],
            [button(tr("Capacity"), f"eve:capacity:{event_id}")],
        ]))
    elif action == "cancel":
        view = await events.managed(turn.actor, event_id)
        await turn.reply(tr("Cancel {title}? Everyone signed up will be told and fees "
                            "refunded.", title=escape(view.event.title)),
                         keyboard([[button(tr("❌ Yes, cancel it"),
                                                       f"ev:cancelok:{event_id}")]]))
    elif action == "cancelok":
        change = await events.cancel(turn.actor, event_id)
        await turn.edit(tr("Cancelled {title}. {count} people told, {refunds} fees refunded.",
                           title=escape(change.view.event.title), count=len(change.attendees),
                           refunds=change.refunds))
        await _tell_attendees(turn, change.attendees, lambda tr: tr(
            "❌ Cancelled: {title} ({when}). Any fee you paid has been refunded.",
            title=escape(change.view.event.title), when=tr.datetime(change.view.event.starts_at)))


def _checkin_note(tr: Translator, result) -> str:
    if not result.newly:
        return tr("Already checked in.")
    withheld = result.reward_withheld
    if withheld == "over_ceiling":
        return tr("Checked in. The reward would pass their ceiling, so none was paid.")
    if withheld == "membership_suspended":
        return tr("Checked in. Their membership is suspended, so no reward was paid.")
    if withheld == "orientation_needed":
        return tr("Checked in. Their account opens only after an orientation, so no reward "
                  "was paid.")
    return tr("Checked in.")


def _reward_text(tr: Translator, result) -> str:
    return tr("🎁 Thank you for coming to {title}! You received {reward}.",
              title=escape(result.view.event.title),
              reward=tr.amount(result.reward_paid, escape(result.view.unit)))


async def _checkin_sheet(turn: Turn, event_id: int, *, opened: bool, page: int = 0) -> None:
    """The coordinator's list of names to tap, CHECKIN_PAGE_SIZE a page (`ev:chkp:EVENT:PAGE`);
    a name's button carries its page, so the sheet stays there after the tap."""
    events = turn.services.events
    view = await events.open_checkin(turn.actor, event_id) if opened else None
    event_view, rows = await events.attendance(turn.actor, event_id)
    tr = turn.tr
    pages = max(1, -(-len(rows) // CHECKIN_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    text = tr("<b>Check-in: {title}</b>\nMembers can send /checkin {code}, or tap their names.",
              title=escape(event_view.event.title), code=event_view.event.checkin_code)
    if pages > 1:
        text += "\n" + tr("Page {page} of {pages} · {count} signed up", page=page + 1,
                          pages=pages, count=len(rows))
    shown = rows[page * CHECKIN_PAGE_SIZE:(page + 1) * CHECKIN_PAGE_SIZE]
    buttons = [button(f"{'✅' if attended else '⬜'} {numbered_name(tr, number, name)}"[:60],
                      f"ev:att:{event_id}:{membership_id}:{page}")
               for membership_id, number, name, attended in shown]
    lines = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    lines.append(keyboards.pager(f"ev:chkp:{event_id}", page, page + 1 < pages, tr))
    markup = keyboard(lines)
    if opened or view is not None:
        await turn.reply(text, markup)
    else:
        await turn.edit(text, markup)


async def checkin(turn: Turn) -> None:
    tr = turn.tr
    if not turn.args:
        await turn.reply(tr("Please add the check-in code, e.g. /checkin 1234"))
        return
    result = await turn.services.events.check_in_by_code(turn.actor, turn.args[0])
    if not result.newly:
        await turn.reply(tr("You're already checked in for {title}.",
                            title=escape(result.view.event.title)))
    elif result.reward_paid:
        await turn.reply(_reward_text(tr, result))
    elif result.reward_withheld == "orientation_needed":
        await turn.reply(tr("✅ Checked in for {title}. Welcome! The attendance reward is paid "
                            "only once your account opens, after an orientation.",
                            title=escape(result.view.event.title)))
    else:
        await turn.reply(tr("✅ Checked in for {title}. Welcome!",
                            title=escape(result.view.event.title)))


async def _tell_attendees(turn: Turn, attendees: list[Member], render) -> None:
    for member in attendees:
        await turn.notify(member, render)


async def tell_about_edit(turn: Turn, change) -> None:
    title = escape(change.view.event.title)
    await _tell_attendees(turn, change.attendees, lambda tr: tr(
        "✏️ {title} has changed. Please check the details:", title=title)
        + "\n" + event_text(tr, change.view))
    await tell_promotion(turn, change.view, change.promotion)


async def tell_promotion(turn: Turn, view: EventView, promotion: Promotion) -> None:
    """Tell each member moved up from the waiting list, and each one passed over, why."""
    title = escape(view.event.title)
    for member in promotion.promoted:
        await turn.notify(member, lambda tr: tr(
            "🎉 A seat opened up: you're now signed up for {title}.", title=title))
    for passed in promotion.passed_over:
        await turn.notify(passed.member, lambda tr, reason=passed.reason: _passed_over_text(
            tr, reason, title))


def _passed_over_text(tr: Translator, reason: str, title: str) -> str:
    if reason == "membership_suspended":
        return tr("A seat opened up for {title}, but your membership is suspended, so it "
                  "went to the next person. Please contact a coordinator.", title=title)
    if reason == "event_fee_orientation_needed":
        return tr("A seat opened up for {title}, but it has a fee and your account opens only "
                  "after an orientation, so it went to the next person.", title=title)
    return tr("A seat opened up for {title}, but the fee would pass your credit floor, so "
              "it went to the next person.", title=title)
