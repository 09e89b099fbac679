"""Free text outside a dialog, as residents write it (`잔액`, `김영희한테 5천원 보내줘`,
`장터 떡`, `신청 2`, `네`): the utterance grammar names the intent, and the same flows as the
commands and buttons carry it out. Nothing is a dead end: what is not understood gets the
three likeliest actions as buttons (`go:<intent>`)."""

from __future__ import annotations

from html import escape

from conversation import keyboards, render
from conversation.flows import events, ledger, market, merchants, start, trade
from conversation.i18n import Translator
from conversation.replies import keyboard
from conversation.turn import Turn
from conversation.utterances import Intent, parse_utterance
from core.amounts import DEFAULT_UNIT
from core.ledger import Awaiting
from core.merchant_pay import Payment
from core.models import TradeView

button = keyboards.button


async def on_utterance(turn: Turn) -> None:
    community = turn.actor.community
    intent = parse_utterance(turn.message_text, community.unit if community else DEFAULT_UNIT)
    await run(turn, intent)


async def run(turn: Turn, intent: Intent) -> None:
    name = intent.name
    if name in ("pay", "charge"):
        await trade.begin(turn, name, intent.member, intent.amount, intent.memo)
    elif name == "market":
        await market.browse(turn, intent.words or "")
    elif name == "signup" and intent.number is not None:
        await sign_up(turn, intent.number)
    elif name == "cancel" and intent.number is not None:
        await cancel_signup(turn, intent.number)
    elif name == "cancel":
        await cancel(turn)
    elif name == "confirm":
        await confirm(turn)
    elif name == "greeting":
        await greet(turn)
    elif name in _SIMPLE:
        await _SIMPLE[name](turn)
    else:
        await not_understood(turn, intent.suggestions)


async def _pay(turn: Turn) -> None:
    await trade.begin(turn, "pay", None, None, None)


async def _charge(turn: Turn) -> None:
    await trade.begin(turn, "charge", None, None, None)


async def _market(turn: Turn) -> None:
    await market.browse(turn, "")


_SIMPLE = {
    "balance": ledger.show_balance,
    "history": ledger.show_history,
    "sessions": events.sessions,
    "help": start.show_help,
    "market": _market,
    "pay": _pay,
    "charge": _charge,
}


# ----- not understood ----------------------------------------------------------------------


def suggestion_label(tr: Translator, name: str) -> str:
    return {
        "balance": tr("💰 Balance"),
        "history": tr("📜 History"),
        "market": tr("🛒 Market"),
        "help": tr("❓ Help"),
        "sessions": tr("📅 Sessions and meetings"),
        "pay": tr("💳 Pay a member"),
        "charge": tr("🧾 Ask a member to pay"),
    }[name]


async def not_understood(turn: Turn, suggestions: tuple[str, ...]) -> None:
    tr = turn.tr
    shown = [name for name in suggestions if name in _SIMPLE][:3]
    await turn.reply(
        tr("Sorry, I didn't understand that. Did you mean one of these?") + "\n"
        + tr("You can also write, e.g. 잔액, 장터 떡, 김영희한테 5천원 보내줘, or see /help."),
        keyboard([[button(suggestion_label(tr, name), f"go:{name}")] for name in shown]))


async def on_go(turn: Turn) -> None:
    """`go:<intent>`: a suggestion button starts that flow."""
    flow = _SIMPLE.get(turn.data.removeprefix("go:"))
    if flow is not None:
        await flow(turn)


async def greet(turn: Turn) -> None:
    membership = turn.actor.membership
    if turn.actor.community is None or membership is None or not membership.is_active:
        await start.start(turn)  # the welcome says how to join, or why not yet
        return
    tr = turn.tr
    await turn.reply(
        tr("Hello, {name}! What would you like to do?",
           name=escape(turn.actor.person.display_name)) + "\n"
        + tr("Choose from the menu, or write, e.g. 잔액, 장터 떡, 김영희한테 5천원 보내줘."),
        keyboards.main_menu(tr))


# ----- yes and no after a preview ----------------------------------------------------------


async def confirm(turn: Turn) -> None:
    """`네` right after a pay preview is its Confirm: the newest preview still open is paid,
    through the same call as the button, so a second `네` finds nothing left to pay. A charge
    is never paid by a typed yes (it may answer something else, days later): it is shown
    again with its buttons."""
    waiting = await turn.services.ledger.awaiting_answer(turn.actor)
    shop = await _shop_preview(turn, waiting)
    if shop is not None:
        await merchants.confirm_payment(turn, shop.id)
    elif waiting.preview is not None:
        await ledger.confirm_preview(turn, waiting.preview.request.id)
    elif waiting.charges:
        await _show_charges(turn, waiting.charges)
    else:
        tr = turn.tr
        await turn.reply(tr("There's no payment waiting for your OK right now. To pay someone, "
                            "write e.g. 김영희한테 5천원 보내줘."), keyboards.main_menu(tr))


async def cancel(turn: Turn) -> None:
    """`취소`, `아니요`: ends a dialog, else withdraws the newest pay preview still open."""
    if await turn.services.dialogs.get(turn.actor.person.id) is None:
        waiting = await turn.services.ledger.awaiting_answer(turn.actor)
        shop = await _shop_preview(turn, waiting)
        if shop is not None:
            await merchants.cancel_payment(turn, shop.id)
            return
        if waiting.preview is not None:
            await ledger.cancel_preview(turn, waiting.preview.request.id)
            return
        if waiting.charges:
            await _show_charges(turn, waiting.charges)
            return
    await market.cancel(turn)


async def _shop_preview(turn: Turn, waiting: Awaiting) -> Payment | None:
    """The member's open shop preview, if it is newer than their open pay preview: a yes
    answers the check they saw last."""
    shop = await turn.services.merchant_pay.awaiting(turn.actor)
    if shop is None or (waiting.preview is not None
                        and waiting.preview.request.created_at > shop.created_at):
        return None
    return shop


async def _show_charges(turn: Turn, charges: list[TradeView]) -> None:
    tr = turn.tr
    if len(charges) > 1:
        await turn.reply(tr("Several requests are waiting for you. Please answer each with its "
                            "buttons."))
        await ledger.pending(turn)
        return
    view = charges[0]
    await turn.reply(render.charge_request_text(tr, view) + "\n\n"
                     + tr("To pay, tap “Accept and pay”; to refuse, tap “Decline”."),
                     keyboards.charge_answer(tr, view.request.id))


# ----- sessions by number -----------------------------------------------------------------


async def sign_up(turn: Turn, number: int) -> None:
    """`신청 2`: the second event of the upcoming list, as /sessions shows it now (the list is
    recomputed, not remembered). A free event with seats is signed up at once, as by its
    button, and the answer names it with a button to undo; an event with a fee or without
    seats is shown with its button, so money never moves on a number alone."""
    view = await _numbered(turn, number)
    if view is None:
        return
    event = view.event
    if view.my_status is None and not event.fee and event.seats_left != 0 and (
            event.status == "scheduled"):
        await events.on_event(turn.pressing(f"ev:join:{event.id}"))
        return
    tr = turn.tr
    if view.my_status is not None:
        note = tr("You're already signed up for this one.")
    elif event.fee:
        note = tr("This one has a fee. To sign up and pay it, tap “Sign up”.")
    else:
        note = tr("Please tap the button below.")
    await turn.reply(note)
    await events.on_event(turn.pressing(f"ev:v:{event.id}"))


async def cancel_signup(turn: Turn, number: int) -> None:
    """`2번 취소`: the event is shown with its button; a seat given up may go to the waiting
    list at once, so it is not given up on a number alone."""
    view = await _numbered(turn, number)
    if view is None:
        return
    tr = turn.tr
    await turn.reply(tr("To cancel your sign-up, tap “Cancel my sign-up” below.")
                     if view.my_status is not None else
                     tr("You're not signed up for this one."))
    await events.on_event(turn.pressing(f"ev:v:{view.event.id}"))


async def _numbered(turn: Turn, number: int):
    views = await turn.services.events.upcoming(turn.actor)
    if 1 <= number <= min(len(views), events.LISTED_MAX):
        return views[number - 1]
    if views:
        await turn.reply(turn.tr("There's no number {number} in the list. Here it is:",
                                 number=number))
    await events.sessions(turn)
    return None
