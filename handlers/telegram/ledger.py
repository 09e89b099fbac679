"""Balance, statement, pay, charge, pending requests and coordinator reversals."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from core.amounts import parse_amount
from core.errors import DomainError
from core.membership import require_active_member
from core.models import TradeView
from handlers import render
from handlers.telegram import keyboards
from handlers.telegram.common import Turn, parse_id

_AMOUNT_WORDS_MAX = 3


def split_amount(words: list[str], unit: str) -> tuple[str, str]:
    """Amount and memo from the words after the member: `1만 5천 떡값` → (`1만 5천`, `떡값`)."""
    for size in range(min(_AMOUNT_WORDS_MAX, len(words)), 0, -1):
        candidate = " ".join(words[:size])
        try:
            parse_amount(candidate, unit)
        except DomainError:
            continue
        return candidate, " ".join(words[size:])
    return (words[0] if words else ""), " ".join(words[1:])


async def balance(turn: Turn) -> None:
    view = await turn.services.ledger.balance(turn.actor, turn.args[0] if turn.args else None)
    await turn.reply(render.balance_text(turn.tr, view))


async def history(turn: Turn) -> None:
    page = await turn.services.ledger.history(turn.actor, 0)
    await turn.reply(render.history_text(turn.tr, page),
                     keyboards.history_nav(turn.tr, page.page, page.has_more))


async def on_history(turn: Turn) -> None:
    page_number = parse_id(turn.update.callback_query.data or "")
    if page_number is None:
        return
    page = await turn.services.ledger.history(turn.actor, page_number)
    await turn.edit(render.history_text(turn.tr, page),
                    keyboards.history_nav(turn.tr, page.page, page.has_more))


async def pay(turn: Turn) -> None:
    await _start(turn, "pay")


async def charge(turn: Turn) -> None:
    await _start(turn, "charge")


async def _start(turn: Turn, kind: str) -> None:
    community, _ = require_active_member(turn.actor)
    if len(turn.args) < 2:
        usage = (turn.tr("Usage: /pay #23 5000 memo (member number, amount, optional memo)")
                 if kind == "pay" else
                 turn.tr("Usage: /charge #23 5000 memo (member number, amount, optional memo)"))
        await turn.reply(usage)
        return
    amount, memo = split_amount(turn.args[1:], community.unit)
    view = await turn.services.ledger.start_trade(
        turn.actor, kind=kind, counterparty=turn.args[0], amount=amount, memo=memo,
        request_key=turn.request_key,
    )
    await show_started(turn, view)


async def show_started(turn: Turn, view: TradeView) -> None:
    """Reply to the starter: a pay preview, or a sent charge (the payer is asked once)."""
    if view.request.status != "pending":
        await turn.reply(render.trade_summary(turn.tr, view))
        return
    if view.request.kind == "pay":
        await turn.reply(render.pay_preview_text(turn.tr, view),
                         keyboards.pay_confirm(turn.tr, view.request.id))
        return
    await turn.reply(render.charge_sent_text(turn.tr, view),
                     keyboards.charge_withdraw(turn.tr, view.request.id))
    if view.newly_decided:
        await turn.notify(view.payer, lambda tr: render.charge_request_text(tr, view),
                          lambda tr: keyboards.charge_answer(tr, view.request.id))


async def on_pay(turn: Turn) -> None:
    data = turn.update.callback_query.data or ""
    request_id = parse_id(data)
    if request_id is None:
        return
    if data.startswith("pay:no:"):
        view = await turn.services.ledger.cancel(turn.actor, request_id)
        await turn.edit(render.cancelled_text(turn.tr, view))
        return
    view = await turn.services.ledger.confirm_pay(turn.actor, request_id)
    if not view.newly_decided:
        await turn.answer(turn.tr("Already sent."))
    await turn.edit(render.paid_text(turn.tr, view))
    if view.newly_decided:
        await turn.notify(view.payee, lambda tr: render.received_text(tr, view))


async def on_charge(turn: Turn) -> None:
    data = turn.update.callback_query.data or ""
    request_id = parse_id(data)
    if request_id is None:
        return
    ledger = turn.services.ledger
    if data.startswith("chg:x:"):
        view = await ledger.cancel(turn.actor, request_id)
        await turn.edit(render.cancelled_text(turn.tr, view))
        if view.newly_decided:
            await turn.notify(view.payer, lambda tr: tr("{payee} withdrew their request.",
                              payee=render.member_label(view.payee, tr)) + "\n"
                              + render.trade_summary(tr, view))
        return
    if data.startswith("chg:no:"):
        view = await ledger.decline_charge(turn.actor, request_id)
        await turn.edit(turn.tr("Declined.") + "\n" + render.trade_summary(turn.tr, view))
        if view.newly_decided:
            await turn.notify(view.payee, lambda tr: render.charge_declined_text(tr, view))
        return
    view = await ledger.accept_charge(turn.actor, request_id)
    if not view.newly_decided:
        await turn.answer(turn.tr("Already paid."))
    await turn.edit(render.paid_text(turn.tr, view))
    if view.newly_decided:
        await turn.notify(view.payee, lambda tr: render.charge_accepted_text(tr, view))


async def pending(turn: Turn, page_number: int = 0) -> None:
    """Open requests, a page at a time, each with its buttons (`pend:N` turns the page)."""
    page = await turn.services.ledger.pending(turn.actor, page_number)
    rows = []
    for view in page.views:
        rid = view.request.id
        if view.payer.person_id == turn.actor.person.id:
            rows.append([keyboards.button(turn.tr("✅ Pay R{id}", id=rid), f"chg:ok:{rid}"),
                         keyboards.button(turn.tr("❌ Decline R{id}", id=rid), f"chg:no:{rid}")])
        else:
            rows.append([keyboards.button(turn.tr("Withdraw R{id}", id=rid), f"chg:x:{rid}")])
    nav = keyboards.pager("pend", page.page, page.has_more, turn.tr)
    if nav:
        rows.append(nav)
    text = render.pending_text(turn.tr, turn.actor.person.id, page)
    markup = InlineKeyboardMarkup(rows) if rows else None
    if turn.update.callback_query is not None:
        await turn.edit(text, markup)
    else:
        await turn.reply(text, markup)


async def on_pending_page(turn: Turn) -> None:
    page_number = parse_id(turn.update.callback_query.data or "")
    if page_number is not None:
        await pending(turn, page_number)


async def reverse(turn: Turn) -> None:
    """/reverse T12 reason (coordinators)."""
    tr = turn.tr
    if len(turn.args) < 1:
        await turn.reply(tr("Usage: /reverse T12 reason (the transfer number from /history)"))
        return
    ref = turn.args[0].lstrip("Tt#")
    if not ref.isdigit() or len(ref) > 12:
        await turn.reply(tr("Usage: /reverse T12 reason (the transfer number from /history)"))
        return
    result = await turn.services.ledger.reverse(turn.actor, int(ref), " ".join(turn.args[1:]))
    await turn.reply(render.reversal_text(tr, result) + "\n" + tr("Both members have been told."))
    for member in (result.payer, result.payee):
        await turn.notify(member, lambda tr: render.reversal_text(tr, result))
