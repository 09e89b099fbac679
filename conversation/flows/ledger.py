"""Balance, statement, pay, charge, pending requests and coordinator reversals."""

from __future__ import annotations

import re
from html import escape

from conversation import keyboards, render
from conversation.replies import keyboard
from conversation.turn import Turn, parse_id
from core.errors import DomainError
from core.ledger import REASON_MIN
from core.models import HistoryPage, TradeView

_HISTORY_ACTION = re.compile(r"^hist:(?:([on])(\d{1,12}):)?(\d{1,9})(?::(\d{1,9}))?$")


async def balance(turn: Turn) -> None:
    await show_balance(turn, turn.args[0] if turn.args else None)


async def show_balance(turn: Turn, member_ref: str | None = None) -> None:
    view = await turn.services.ledger.balance(turn.actor, member_ref)
    await turn.reply(render.balance_text(turn.tr, view))


async def history(turn: Turn) -> None:
    """/history, or /history #23 for coordinators (a member's statement, to correct it)."""
    await show_history(turn, turn.args[0] if turn.args else None)


async def show_history(turn: Turn, member_ref: str | None = None) -> None:
    page = await turn.services.ledger.history(turn.actor, 0, member_ref)
    await turn.reply(render.history_text(turn.tr, page), _history_nav(turn, page))


async def on_history(turn: Turn) -> None:
    """`hist:<o|n><cursor>:<page>[:<member number>]`: the page older (o) or newer (n) than
    the cursor, numbered <page>. Buttons of the earlier form `hist:<page>[:<number>]`, sent
    before statements were paged by cursor, open the newest page."""
    match = _HISTORY_ACTION.match(turn.data)
    if match is None:
        return
    direction, cursor, page, member = match.groups()
    position = int(cursor) if cursor else None
    page_view = await turn.services.ledger.history(
        turn.actor, int(page) if cursor else 0, f"#{member}" if member else None,
        older_than=position if direction == "o" else None,
        newer_than=position if direction == "n" else None,
    )
    await turn.edit(render.history_text(turn.tr, page_view), _history_nav(turn, page_view))


def _history_nav(turn: Turn, page: HistoryPage):
    number = page.member.number if page.member is not None else None
    return keyboards.history_nav(turn.tr, page.page, page.newer, page.older, number)


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
    request_id = parse_id(turn.data)
    if request_id is None:
        return
    if turn.data.startswith("pay:no:"):
        await cancel_preview(turn, request_id)
    else:
        await confirm_preview(turn, request_id)


async def confirm_preview(turn: Turn, request_id: int) -> None:
    """The payer's Confirm, tapped or typed (`네`): pays once, however often it comes."""
    view = await turn.services.ledger.confirm_pay(turn.actor, request_id)
    if not view.newly_decided:
        await turn.answer(turn.tr("Already sent."))
    await turn.edit(render.paid_text(turn.tr, view))
    if view.newly_decided:
        await turn.notify(view.payee, lambda tr: render.received_text(tr, view))


async def cancel_preview(turn: Turn, request_id: int) -> None:
    view = await turn.services.ledger.cancel(turn.actor, request_id)
    await turn.edit(render.cancelled_text(turn.tr, view))


async def on_charge(turn: Turn) -> None:
    data = turn.data
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
    markup = keyboard(rows) if rows else None
    if turn.event.is_action:
        await turn.edit(text, markup)
    else:
        await turn.reply(text, markup)


async def on_pending_page(turn: Turn) -> None:
    page_number = parse_id(turn.data)
    if page_number is not None:
        await pending(turn, page_number)


async def reverse(turn: Turn) -> None:
    """/reverse T12 reason (coordinators): shows the transfer and waits for Confirm."""
    tr = turn.tr
    ref = turn.args[0].lstrip("Tt#") if turn.args else ""
    if not ref.isdigit() or len(ref) > 12:
        await turn.reply(tr(
            "Usage: /reverse T12 reason. Find the transfer number in the member's statement "
            "(/history #23); the reason needs at least {minimum} characters.",
            minimum=REASON_MIN))
        return
    preview = await turn.services.ledger.prepare_reversal(
        turn.actor, int(ref), " ".join(turn.args[1:])
    )
    await turn.reply(render.reversal_confirm_text(tr, preview),
                     keyboards.reversal_confirm(tr, preview.original.id))


async def on_reverse(turn: Turn) -> None:
    """`rev:ok:<transfer>` reverses what this coordinator prepared, once; `rev:no:<transfer>`
    drops it."""
    tr = turn.tr
    data = turn.data
    ledger = turn.services.ledger
    transfer_id = parse_id(data)
    if transfer_id is None:
        return
    if data.startswith("rev:no:"):
        await ledger.drop_reversal(turn.actor, transfer_id)
        await turn.edit(tr("Cancelled. Nothing was reversed."))
        return
    try:
        result = await ledger.confirm_reversal(turn.actor, transfer_id)
    except DomainError as error:
        if error.code == "already_reversed":  # another coordinator was first
            await ledger.drop_reversal(turn.actor, transfer_id)
        raise
    shop = (result.payer_organisation or result.payee_organisation) if result.staff else None
    told = render.reversal_told(tr, sum(side is not None for side in (result.payer, result.payee)),
                                escape(shop) if shop else None, done=True)
    await turn.edit(render.reversal_text(tr, result) + "\n" + told)
    for member in (result.payer, result.payee, *result.staff):
        await turn.notify(member, lambda tr: render.reversal_text(tr, result))
