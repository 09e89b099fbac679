"""Coordinators' member desk: /members (search), /suspend, /reactivate, /limit, /promote,
/audit. Every change is audit-logged by the core with who, when and why."""

from __future__ import annotations

from collections.abc import Awaitable
from html import escape

from conversation import keyboards, render
from conversation.error_text import contact_line
from conversation.flows.arguments import member_number, with_reason
from conversation.i18n import Translator
from conversation.limits import NAME_IN_LIST, NOTE_IN_LIST, cut
from conversation.replies import keyboard
from conversation.turn import Turn, parse_id
from core.amounts import parse_amount
from core.models import Member

button = keyboards.button





async def members(turn: Turn, page: int = 0, words: str | None = None) -> None:
    words = " ".join(turn.args) if words is None else words
    entries, more = await turn.services.membership.directory(turn.actor, words, page)
    tr = turn.tr
    unit = escape(turn.actor.community.unit)
    lines = [tr("<b>Members</b> · page {page}", page=page + 1)]
    if not entries:
        lines.append(tr("No members found."))
    for entry in entries:
        role = " ⭐" if entry.role == "coordinator" else ""
        state = " ⛔" if entry.status == "suspended" else ""
        last = tr.date(entry.last_active) if entry.last_active else tr("no trades yet")
        lines.append(f"#{entry.number} {escape(entry.display_name)}{role}{state} · "
                     f"{tr.amount(entry.balance, unit)} · {last}")
    rows = []
    nav = []
    if page > 0:
        nav.append(button(tr("◀ Previous"), keyboards.fit_callback(f"mem:{page - 1}:", words)))
    if more:
        nav.append(button(tr("Next ▶"), keyboards.fit_callback(f"mem:{page + 1}:", words)))
    if nav:
        rows.append(nav)
    markup = keyboard(rows) if rows else None
    text = "\n".join(lines) + "\n" + tr(
        "Change one: /suspend #23 reason · /reactivate #23 reason · "
        "/limit #23 -100000 500000 reason · /promote #23")
    if turn.event.is_action:
        await turn.edit(text, markup)
    else:
        await turn.reply(text, markup)


async def on_members_page(turn: Turn) -> None:
    parts = turn.data.split(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) > 5:
        return
    await members(turn, int(parts[1]), parts[2])


def _usage(tr: Translator, command: str) -> str:
    """Each command's own usage with an example (not the /reverse example of the core's
    generic reason message)."""
    return {
        "suspend": tr("Usage: /suspend #23 reason, e.g. /suspend #23 moved away"),
        "reactivate": tr("Usage: /reactivate #23 reason, e.g. /reactivate #23 back again"),
        "limit": tr("Usage: /limit #23 floor ceiling reason, e.g. /limit #23 -50000 500000 "
                    "new member (write - to keep the community's limit)"),
        "promote": tr("Usage: /promote #23, e.g. /promote #5"),
    }[command]


async def _with_reason(turn: Turn, command: str, change: Awaitable[Member]) -> Member | None:
    """The changed member; None, after showing the command's usage, if the reason is
    missing or too short."""
    return await with_reason(turn, _usage(turn.tr, command), change)


async def suspend(turn: Turn) -> None:
    await _status(turn, "suspended", "suspend")


async def reactivate(turn: Turn) -> None:
    await _status(turn, "active", "reactivate")


async def _status(turn: Turn, status: str, command: str) -> None:
    tr = turn.tr
    if not turn.args:
        await turn.reply(_usage(tr, command))
        return
    member = await _with_reason(turn, command, turn.services.membership.set_member_status(
        turn.actor, member_number(turn.args[0]), status, " ".join(turn.args[1:])))
    if member is None:
        return
    reason = " ".join(turn.args[1:])
    label = f"#{member.number} {escape(member.display_name)}"
    if status == "suspended":
        await turn.reply(tr("{member} is suspended: no trades, and their posts left the "
                            "market.", member=label))
        details = {
            "community": escape(turn.actor.community.name), "reason": escape(reason),
            "contact_name": escape(turn.actor.person.display_name),
            "contact_number": turn.actor.membership.number,
            "contact_username": escape(turn.actor.person.username or ""),
        }
        await turn.notify(member, lambda tr: "\n".join((
            tr("A coordinator has suspended your membership in {community}. Until it is "
               "active again you can't pay, be paid or post.", community=details["community"]),
            tr("Reason: {reason}", reason=details["reason"]),
            contact_line(tr, details),
        )))
    else:
        await turn.reply(tr("{member} is active again.", member=label))
        turn.wake("outbox")  # the open surveys' invitations, if any, queued with it
        await turn.notify(member, lambda tr: tr("Your membership is active again."))


async def limit(turn: Turn) -> None:
    """/limit #23 FLOOR CEILING reason — `-` keeps the community's value. The member is
    told their new limits and the reason; the coordinator sees the limits now in force."""
    tr = turn.tr
    if len(turn.args) < 3:
        await turn.reply(_usage(tr, "limit"))
        return
    unit = turn.actor.community.unit if turn.actor.community else "문"
    floor = _limit_value(turn.args[1], unit, negative=True)
    ceiling = _limit_value(turn.args[2], unit, negative=False)
    reason = " ".join(turn.args[3:])
    member = await _with_reason(turn, "limit", turn.services.membership.set_member_limits(
        turn.actor, member_number(turn.args[0]), credit_floor=floor, credit_ceiling=ceiling,
        reason=reason))
    if member is None:
        return
    # The limits in force: the member's own, or the community's where `-` was written.
    view = await turn.services.ledger.balance(turn.actor, f"#{member.number}")

    def limits(tr: Translator) -> str:
        shown = escape(view.community.unit)
        return tr("Credit floor {floor} · ceiling {ceiling}",
                  floor=tr.amount(view.credit_floor, shown),
                  ceiling=tr.amount(view.credit_ceiling, shown))

    told = await turn.notify_now(member, lambda tr: "\n".join([
        tr("A coordinator changed your credit limits."), limits(tr),
        tr("Reason: {reason}", reason=escape(" ".join(reason.split()))),
        tr("See /balance for what you can spend and receive now.")]))
    await turn.reply("\n".join([
        tr("Limits of {member} changed.",
           member=f"#{member.number} {escape(member.display_name)}"),
        limits(tr),
        tr("I've told them.") if told
        else tr("I couldn't reach them in the chat, so please tell them yourself.")]))


def _limit_value(text: str, unit: str, *, negative: bool) -> int | None:
    """`-` is the community's limit; floors are written with or without the minus sign."""
    if text == "-":
        return None
    digits = text.lstrip("-")
    if digits == "0":
        return 0
    value = parse_amount(digits, unit)
    return -value if negative else value


async def promote(turn: Turn) -> None:
    tr = turn.tr
    if not turn.args:
        await turn.reply(_usage(tr, "promote"))
        return
    member = await turn.services.membership.promote(turn.actor, member_number(turn.args[0]))
    await turn.reply(tr("{member} is now a coordinator.",
                        member=f"#{member.number} {escape(member.display_name)}"))
    await turn.notify(member, lambda tr: tr("You are now a coordinator. See /help."))


AUDIT_PAGE_SIZE = 10


async def audit(turn: Turn, page: int = 0) -> None:
    """The audit log, newest first, a page at a time (`aud:N`); long reasons are cut."""
    found = await turn.services.membership.audit_log(
        turn.actor, limit=AUDIT_PAGE_SIZE + 1, offset=page * AUDIT_PAGE_SIZE)
    entries, more = found[:AUDIT_PAGE_SIZE], len(found) > AUDIT_PAGE_SIZE
    tr = turn.tr
    if not entries and page == 0:
        await turn.reply(tr("The audit log is empty."))
        return
    lines = [tr("<b>Audit log</b> (newest first) · page {page}", page=page + 1)]
    if not entries:
        lines.append(tr("No more entries."))
    for entry in entries:
        reason = f" · {escape(cut(entry.reason, NOTE_IN_LIST))}" if entry.reason else ""
        who = escape(cut(entry.actor_name, NAME_IN_LIST) if entry.actor_name
                     else render.former_member(tr, None) if entry.actor_name == ""
                     else tr("system"))
        action = escape(render.audit_action_name(tr, entry.action))
        target = render.audit_target_label(tr, entry)
        lines.append(f"{tr.datetime(entry.created_at)} · {who} · {action}"
                     f"{' ' + target if target else ''}{reason}")
    nav = keyboards.pager("aud", page, more, tr)
    markup = keyboard([nav]) if nav else None
    if turn.event.is_action:
        await turn.edit("\n".join(lines), markup)
    else:
        await turn.reply("\n".join(lines), markup)


async def on_audit_page(turn: Turn) -> None:
    page = parse_id(turn.data)
    if page is not None and page < 100_000:
        await audit(turn, page)
