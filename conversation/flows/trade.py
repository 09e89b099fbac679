"""Starting a pay or a charge with a member named the way residents name them: /pay, /charge,
free text (`김영희한테 5천원 보내줘`) and the suggestion buttons all come here.

A name that fits several members, or none, gets buttons to pick from (name, number and what
they offer). Whom and how much, when missing, are asked for. What is known so far waits in the
person's dialog row; the request it opens ends that dialog in the same write transaction, so
two taps open one request.
"""

from __future__ import annotations

from html import escape

from conversation.flows.ledger import show_started
from conversation.i18n import Translator
from conversation.limits import cut
from conversation.replies import Button, Rows, keyboard
from conversation.turn import Turn, parse_id
from core.amounts import parse_amount, split_amount
from core.dialogs import Dialog
from core.directory import MemberChoices
from core.errors import DomainError
from core.membership import require_active_member

DIALOG = "trade"
LABEL_MAX = 40  # characters of a picker button: name, number and the start of an offer
NAME_ERRORS = ("member_ambiguous", "member_not_found")


async def pay(turn: Turn) -> None:
    await _command(turn, "pay")


async def charge(turn: Turn) -> None:
    await _command(turn, "charge")


async def _command(turn: Turn, kind: str) -> None:
    community, _ = require_active_member(turn.actor)
    if not turn.args:
        await turn.reply(usage(turn.tr, kind))
        return
    amount, memo = (split_amount(turn.args[1:], community.unit) if len(turn.args) > 1
                    else (None, None))
    await begin(turn, kind, turn.args[0], amount, memo)


def usage(tr: Translator, kind: str) -> str:
    if kind == "pay":
        return tr("Usage: /pay 김영희 5천원 떡값 (name or member number, amount, optional memo)")
    return tr("Usage: /charge 김영희 5천원 떡값 (name or member number, amount, optional memo)")


async def begin(turn: Turn, kind: str, member: str | None, amount: str | int | None,
                memo: str | None) -> None:
    """Open the request if member and amount are known; else ask for what is missing."""
    community, _ = require_active_member(turn.actor)
    if amount is not None and not isinstance(amount, int):
        amount = parse_amount(amount, community.unit)
    data = {"kind": kind, "amount": amount, "memo": memo or None, "key": turn.request_key}
    if member is None:
        await _ask_member(turn, Dialog(DIALOG, "member", data))
        return
    dialog = Dialog(DIALOG, "member", data)
    if amount is None:
        found = await turn.services.ledger.find_counterparty(turn.actor, member)
        if not found.members:
            raise _no_such_member(found, member)
        await _offer(turn, dialog, member, found, stored=False)
        return
    try:
        view = await turn.services.ledger.start_trade(
            turn.actor, kind=kind, counterparty=member, amount=amount, memo=memo,
            request_key=turn.request_key)
    except DomainError as error:
        if error.code not in NAME_ERRORS:
            raise
        found = await turn.services.ledger.find_counterparty(turn.actor, member)
        if not found.members:
            raise
        await _offer(turn, dialog, member, found, stored=False)
        return
    await show_started(turn, view)


def _no_such_member(found: MemberChoices, text: str) -> DomainError:
    if found.kind == "invalid":
        return DomainError("member_ref_invalid", ref=text)
    return DomainError("member_not_found", ref=text, closest=())


async def _offer(turn: Turn, dialog: Dialog, text: str, found: MemberChoices, *,
                 stored: bool) -> None:
    """Continue with the one member the text names, or show those it may name as buttons;
    `stored` says whether `dialog` is the one in the person's dialog row."""
    if found.kind == "exact":
        choice = found.members[0]
        if choice.number == turn.actor.membership.number:
            raise DomainError("self_trade")
        await _chosen(turn, dialog, choice.number, choice.name, stored=stored)
        return
    choices = [[c.number, c.name, c.offer] for c in found.members]
    moved = Dialog(DIALOG, "member", {**dialog.data, "choices": choices})
    await turn.services.dialogs.put(turn.actor.person.id, moved)
    await turn.reply(_choices_text(turn.tr, text, found), step_rows(turn.tr, moved))


def _choices_text(tr: Translator, text: str, found: MemberChoices) -> str:
    ref = escape(text)
    if found.kind == "several":
        lines = [tr("Several members match {ref}. Whom do you mean?", ref=ref)]
        if found.more:
            lines.append(tr("{count} more match. If yours isn't here, write the member number "
                            "(e.g. #23).", count=found.more))
    else:
        lines = [tr("There is no member {ref} in this community. Did you mean one of these?",
                    ref=ref)]
    lines.append(tr("Tap a name, or write the name or number again."))
    return "\n".join(lines)


def step_rows(tr: Translator, dialog: Dialog) -> Rows:
    """The buttons a step of this dialog shows: the members to pick from, and Cancel."""
    rows = []
    if dialog.step == "member":
        for number, name, offer in dialog.data.get("choices") or ():
            label = f"{name} #{number}" + (f" · {offer}" if offer else "")
            rows.append([Button(cut(" ".join(label.split()), LABEL_MAX), f"pick:{number}")])
    rows.append([Button(tr("Cancel"), "pick:cancel")])
    return keyboard(rows)


async def _ask_member(turn: Turn, dialog: Dialog) -> None:
    await turn.services.dialogs.put(turn.actor.person.id, dialog)
    tr = turn.tr
    question = (tr("Whom do you want to pay?") if dialog.data["kind"] == "pay"
                else tr("Whom do you want to ask for a payment?"))
    await turn.reply(question + "\n" + tr("Write their name or member number (e.g. 김영희, #23)."),
                     step_rows(tr, dialog))


async def _chosen(turn: Turn, dialog: Dialog, number: int, name: str, *, stored: bool) -> None:
    """The member is known: open the request if the amount is too, else ask for it."""
    data = dialog.data
    if data.get("amount") is None:
        moved = Dialog(DIALOG, "amount", {**data, "choices": None, "member": [number, name]})
        await turn.services.dialogs.put(turn.actor.person.id, moved)
        await _ask_amount(turn, moved)
        return
    await _open(turn, dialog if stored else None, data, number, data["amount"],
                data.get("memo"))


async def _ask_amount(turn: Turn, dialog: Dialog) -> None:
    tr = turn.tr
    number, name = dialog.data["member"]
    member = f"#{number} {escape(name)}"
    question = (tr("How much do you want to pay {member}?", member=member)
                if dialog.data["kind"] == "pay" else
                tr("How much do you want to ask {member} for?", member=member))
    await turn.reply(question + "\n" + tr("Write the amount, and a memo if you like "
                                           "(e.g. 5천원 떡값)."), step_rows(tr, dialog))


async def _open(turn: Turn, finishing: Dialog | None, data: dict, number: int, amount: int,
                memo: str | None) -> None:
    view = await turn.services.ledger.start_trade(
        turn.actor, kind=data["kind"], counterparty=f"#{number}", amount=amount, memo=memo,
        request_key=data.get("key") or turn.request_key, finishing=finishing)
    await show_started(turn, view)


async def on_pick(turn: Turn) -> None:
    """`pick:<member number>` continues the trade with that member; `pick:cancel` stops."""
    tr = turn.tr
    dialog = await turn.dialog_for_button(
        DIALOG, stopped=tr("Stopped. Nothing was sent."),
        over=tr("This choice is over. Please start again."))
    if dialog is None:
        return
    number = parse_id(turn.data)
    choice = next((c for c in dialog.data.get("choices") or () if c[0] == number), None)
    if dialog.step != "member" or choice is None:
        await turn.answer(tr("This choice is over. Please start again."), alert=True)
        await turn.drop_buttons()
        return
    await turn.drop_buttons()
    await _chosen(turn, dialog, choice[0], choice[1], stored=True)


async def on_dialog_text(turn: Turn, dialog: Dialog) -> bool:
    """A name (step `member`) or an amount with an optional memo (step `amount`); False when
    the text is neither, or a name matching no one, so it can be read as something else."""
    text = turn.message_text.strip()
    if dialog.step == "member":
        found = await turn.services.ledger.find_counterparty(turn.actor, text)
        if found.kind not in ("exact", "several"):
            return False  # near misses come after what else the text may mean
        await _offer(turn, dialog, text, found, stored=True)
        return True
    community, _ = require_active_member(turn.actor)
    try:
        amount, memo = split_amount(text.split(), community.unit)
    except DomainError as error:
        if error.code == "amount_invalid":
            return False
        raise
    number, _ = dialog.data["member"]
    await _open(turn, dialog, dialog.data, number, amount, memo or dialog.data.get("memo"))
    return True


async def not_fitting(turn: Turn, dialog: Dialog) -> None:
    """The closest names to a name not found, or what the text should have been and the
    step's question again."""
    tr = turn.tr
    if dialog.step == "member":
        text = turn.message_text.strip()
        found = await turn.services.ledger.find_counterparty(turn.actor, text)
        if found.members:
            await _offer(turn, dialog, text, found, stored=True)
            return
        await turn.reply(tr("I couldn't find that member. Please write their name or member "
                            "number (e.g. 김영희, #23), or tap Cancel."), step_rows(tr, dialog))
        return
    await turn.reply(tr("I couldn't read that amount. Write it like 5000, 5천원 or 1만5천."),
                     step_rows(tr, dialog))
