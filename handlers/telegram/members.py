"""Coordinators' member desk: /members (search), /suspend, /reactivate, /limit, /promote,
/audit. Every change is audit-logged by the core with who, when and why."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup

from core.amounts import parse_amount
from core.errors import DomainError
from handlers.error_text import contact_line
from handlers.telegram import keyboards
from handlers.telegram.common import Turn

button = keyboards.button


def _number(text: str) -> int:
    value = (text or "").lstrip("#")
    if not value.isdigit() or len(value) > 9:
        raise DomainError("member_ref_invalid", ref=text)
    return int(value)


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
    markup = InlineKeyboardMarkup(rows) if rows else None
    text = "\n".join(lines) + "\n" + tr(
        "Change one: /suspend #23 reason · /reactivate #23 reason · "
        "/limit #23 -100000 500000 reason · /promote #23")
    if turn.update.callback_query is not None:
        await turn.edit(text, markup)
    else:
        await turn.reply(text, markup)


async def on_members_page(turn: Turn) -> None:
    parts = (turn.update.callback_query.data or "").split(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) > 5:
        return
    await members(turn, int(parts[1]), parts[2])


async def suspend(turn: Turn) -> None:
    await _status(turn, "suspended")


async def reactivate(turn: Turn) -> None:
    await _status(turn, "active")


async def _status(turn: Turn, status: str) -> None:
    tr = turn.tr
    if not turn.args:
        await turn.reply(tr("Usage: /suspend #23 reason (or /reactivate #23 reason)"))
        return
    reason = " ".join(turn.args[1:])
    member = await turn.services.membership.set_member_status(
        turn.actor, _number(turn.args[0]), status, reason)
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
        await turn.notify(member, lambda tr: tr("Your membership is active again."))


async def limit(turn: Turn) -> None:
    """/limit #23 FLOOR CEILING reason — `-` keeps the community's value."""
    tr = turn.tr
    if len(turn.args) < 4:
        await turn.reply(tr("Usage: /limit #23 -100000 500000 reason (write - to use the "
                            "community's limit)"))
        return
    unit = turn.actor.community.unit if turn.actor.community else "문"
    floor = _limit_value(turn.args[1], unit, negative=True)
    ceiling = _limit_value(turn.args[2], unit, negative=False)
    member = await turn.services.membership.set_member_limits(
        turn.actor, _number(turn.args[0]), credit_floor=floor, credit_ceiling=ceiling,
        reason=" ".join(turn.args[3:]))
    await turn.reply(tr("Limits of {member} changed. They can see them in /balance.",
                        member=f"#{member.number} {escape(member.display_name)}"))


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
        await turn.reply(tr("Usage: /promote #23"))
        return
    member = await turn.services.membership.promote(turn.actor, _number(turn.args[0]))
    await turn.reply(tr("{member} is now a coordinator.",
                        member=f"#{member.number} {escape(member.display_name)}"))
    await turn.notify(member, lambda tr: tr("You are now a coordinator. See /help."))


async def audit(turn: Turn) -> None:
    entries = await turn.services.membership.audit_log(turn.actor)
    tr = turn.tr
    if not entries:
        await turn.reply(tr("The audit log is empty."))
        return
    lines = [tr("<b>Audit log</b> (newest first)")]
    for entry in entries:
        reason = f" · {escape(entry.reason)}" if entry.reason else ""
        who = escape(entry.actor_name or tr("system"))
        lines.append(f"{tr.datetime(entry.created_at)} · {who} · {escape(entry.action)}"
                     f" {escape(entry.target or '')}{reason}")
    await turn.reply("\n".join(lines))
