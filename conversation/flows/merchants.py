"""/merchants (and the words 가게, 가맹점): the shops and institutions of the community, a
shop's card, and paying a bill there: opened from the list, a QR deep link
(`start=shop_<token>`) or a short code typed anywhere (`가게 1234`)."""

from __future__ import annotations

from html import escape

from conversation import render, shop_render
from conversation import shop_keyboards as keys
from conversation.flows import shop_outsiders
from conversation.keyboards import pager
from conversation.limits import CAPTION_MAX, shown_length
from conversation.replies import Rows
from conversation.turn import Turn, parse_id
from core.amounts import parse_amount
from core.dialogs import Dialog
from core.membership import require_active_member
from core.organisation_reads import Found
from core.organisation_rules import Organisation

PAY_DIALOG = "shop_pay"
WORDS = ("가게", "가맹점", "가맹점들", "merchants", "shops")


async def merchants(turn: Turn) -> None:
    await show_list(turn, turn.args, 0)


async def on_words(turn: Turn) -> bool:
    """`가게`, `가맹점 떡`, `가게 1234` typed on any channel; False if the text is not that."""
    parts = turn.message_text.split()
    if not parts or parts[0] not in WORDS:
        return False
    rest = parts[1:]
    if len(rest) == 1 and rest[0].isdigit() and len(rest[0]) == 4:
        await open_by_code(turn, rest[0])
    elif len(rest) == 1 and rest[0].rstrip("번").isdigit() and len(rest[0].rstrip("번")) < 4:
        organisation = await turn.services.organisations.by_number(
            turn.actor, int(rest[0].rstrip("번")))
        await show_card(turn, organisation)
    else:
        await show_list(turn, rest, 0)
    return True


async def show_list(turn: Turn, words: list[str], page: int) -> None:
    community, _ = require_active_member(turn.actor)
    tr = turn.tr
    found, more = await turn.services.organisations.listed(turn.actor, words, page)
    if not found:
        await turn.reply(tr("No shop matches that. Send /merchants to see them all.") if words
                         else tr("No shops or institutions take 품앗이 here yet. Shop owners "
                                 "can apply with /shop."))
        return
    lines = [tr("🏪 Shops and institutions that take {unit}", unit=escape(community.unit))]
    lines += [shop_render.list_line(tr, o, community.unit) for o in found]
    lines.append(tr("Tap a shop to see it and pay there."))
    rows = [[keys.Button(f"{o.number}. {o.name[:30]}", f"mer:v:{o.id}")] for o in found]
    if not words:
        rows.append(list(pager("mer:p", page, more, tr)))
    elif more:
        lines.append(tr("More shops match: add a word to narrow it down."))
    await turn.reply("\n".join(lines), keys.keyboard(rows))


async def on_list(turn: Turn) -> None:
    ident = parse_id(turn.data)
    if ident is None:
        return
    if turn.data.startswith("mer:p:"):
        await show_list(turn, [], ident)
        return
    if turn.data.startswith(shop_outsiders.SWITCH_PREFIX):
        await switch_to_shop(turn, ident)
        return
    await show_card(turn, await turn.services.organisations.get(turn.actor, ident))


async def show_card(turn: Turn, organisation: Organisation) -> None:
    tr = turn.tr
    unit = turn.actor.community.unit
    mine = {o.id: o.role for o in await turn.services.organisations.mine(turn.actor)}
    organisation = Organisation(**{**organisation.__dict__, "role": mine.get(organisation.id)})
    coordinator = bool(turn.actor.membership and turn.actor.membership.is_coordinator)
    programmes = await turn.services.events.programmes_of(turn.actor, organisation.id)
    text = shop_render.card(tr, organisation, unit)
    if programmes:
        text += "\n" + tr("Programmes:") + "".join(
            f"\n· {escape(event.title)} ({tr.datetime(event.starts_at)}) /sessions"
            for event in programmes)
    await reply_card(turn, organisation, text, keys.card(tr, organisation,
                                                         coordinator=coordinator))


async def reply_card(turn: Turn, organisation: Organisation, text: str, buttons: Rows) -> None:
    """A shop's card, under its photo where it has one and the channel can show it; a card
    too long for a caption comes after the photo as text with its buttons."""
    photo = organisation.photo_file_id
    if photo is None or not turn.event.channel.photos:
        await turn.reply(text, buttons)
    elif shown_length(text) <= CAPTION_MAX:
        await turn.photo(text, ref=photo, buttons=buttons)
    else:
        await turn.photo(f"🏪 <b>{escape(organisation.name)}</b>", ref=photo)
        await turn.reply(text, buttons)


async def open_by_token(turn: Turn, token: str) -> None:
    """A scanned QR: the shop's card and the question of the bill."""
    await _open(turn, await turn.services.organisations.by_token(token, turn.actor))


async def open_by_code(turn: Turn, code: str) -> None:
    await _open(turn, await turn.services.organisations.by_short_code(turn.actor, code))


async def _open(turn: Turn, found: Found) -> None:
    tr = turn.tr
    if found.organisation is None:
        await end_bill_question(turn)
        if found.changed:
            await turn.reply(tr("This shop's code has changed, so this QR no longer works. "
                                "Please ask the shop for its new code."))
        else:
            await turn.reply(tr("I can't find that shop in your community. Please see the "
                                "list with /merchants."))
        return
    await open_shop(turn, found.organisation)


async def open_shop(turn: Turn, organisation: Organisation) -> None:
    """Its card and the question of the bill, to an active member of its community using it
    now; anyone else learns whose shop it is and what to do (a shop of another community is
    never paid from this one)."""
    standing = await turn.services.organisations.standing(turn.actor, organisation)
    community = turn.actor.community
    here = community is not None and community.id == organisation.community_id
    if standing.status != "active" or not here:
        await end_bill_question(turn)
        await shop_outsiders.not_here(turn, organisation, standing)
        return
    await show_card(turn, organisation)
    if organisation.is_active:
        await ask_bill(turn, organisation.id)
    else:
        await end_bill_question(turn)


async def end_bill_question(turn: Turn) -> None:
    """Another shop opened that can't be paid now: the bill question of a shop opened before
    is over, so the next number is not taken as that shop's bill."""
    dialog = await turn.services.dialogs.get(turn.actor.person.id)
    if dialog is not None and dialog.name == PAY_DIALOG:
        await turn.services.dialogs.clear(turn.actor.person.id)


async def switch_to_shop(turn: Turn, organisation_id: int) -> None:
    """"Switch to its community" under a shop opened from another one: switch, then the shop."""
    organisation = await turn.services.organisations.opened(organisation_id)
    switched = await turn.services.membership.switch(turn.actor, organisation.community_id)
    await turn.refresh()
    await turn.edit(render.switched_text(turn.tr, switched))
    await open_shop(turn, organisation)


async def ask_bill(turn: Turn, organisation_id: int) -> None:
    await turn.services.dialogs.put(turn.actor.person.id,
                                    Dialog(PAY_DIALOG, "bill", {"shop": organisation_id}))
    await turn.reply(turn.tr("How much is the whole bill? Write it in won (e.g. 19800)."))


async def on_pay(turn: Turn) -> None:
    """The buttons of paying: start, send, cancel, pay less, and the staff's refund (asked
    first when it comes from the takings)."""
    data = turn.data
    ident = parse_id(data)
    if ident is None:
        return
    tr = turn.tr
    pay = turn.services.merchant_pay
    action = data.split(":")[1]
    if action == "s":
        await turn.services.organisations.get(turn.actor, ident)
        await ask_bill(turn, ident)
    elif action == "ok":
        await confirm_payment(turn, ident)
    elif action == "no":
        await cancel_payment(turn, ident)
    elif action == "less":
        payment = await pay.payment(turn.actor, ident)
        await turn.services.dialogs.put(turn.actor.person.id,
                                        Dialog(PAY_DIALOG, "less", {"payment": ident}))
        await turn.reply(tr("How much do you want to pay in 품앗이? (at most {most})",
                            most=tr.amount(payment.most, escape(payment.community.unit))))
    elif action == "rq":  # from the takings: asked first, unless it would be refused
        payment = await pay.refund_question(turn.actor, ident)
        if payment.status == "refunded":
            await turn.reply(shop_render.refunded_text(tr, payment))
        else:
            await turn.reply(shop_render.refund_question(tr, payment),
                             keys.refund_confirm(tr, payment.id))
    elif action == "rf":
        payment = await pay.refund(turn.actor, ident)
        await turn.edit(shop_render.refunded_text(tr, payment))
        if payment.newly_decided:
            await turn.notify(payment.member, lambda tr: shop_render.refunded_text(tr, payment))
            await _tell_staff(turn, payment, shop_render.refunded_text, refund=False)


async def confirm_payment(turn: Turn, payment_id: int) -> None:
    """The member's Send, tapped or typed (`네`, `보내기`): pays once, however often it comes."""
    payment = await turn.services.merchant_pay.confirm(turn.actor, payment_id)
    if not payment.newly_decided:
        await turn.answer(turn.tr("Already paid."))
    await turn.edit(shop_render.paid_text(turn.tr, payment))
    if payment.newly_decided:
        await _tell_staff(turn, payment, shop_render.staff_told, refund=True)


async def cancel_payment(turn: Turn, payment_id: int) -> None:
    pay = turn.services.merchant_pay
    if await pay.cancel(turn.actor, payment_id):
        await turn.services.dialogs.clear(turn.actor.person.id)
    # Cancel tapped or typed after Send (or twice): say what really happened, without buttons
    await turn.edit(shop_render.closed_text(turn.tr, await pay.payment(turn.actor, payment_id)))


async def _tell_staff(turn: Turn, payment, render, *, refund: bool) -> None:
    for member in await turn.services.organisations.staff_members(payment.organisation.id):
        if member.person_id == turn.actor.person.id:
            continue
        await turn.notify(member, lambda tr: render(tr, payment),
                          (lambda tr: keys.refund(tr, payment.id)) if refund else None)


async def on_dialog_text(turn: Turn, dialog: Dialog) -> None:
    community, _ = require_active_member(turn.actor)
    text = turn.message_text.strip()
    if dialog.step == "bill":
        bill = parse_amount(text, community.unit)
        payment = await turn.services.merchant_pay.preview(
            turn.actor, dialog.data["shop"], bill, turn.request_key)
        await turn.services.dialogs.clear(turn.actor.person.id)
        await turn.reply(shop_render.preview_text(turn.tr, payment),
                         keys.preview(turn.tr, payment.id))
    elif dialog.step == "less":
        payment = await turn.services.merchant_pay.change_currency(
            turn.actor, dialog.data["payment"], text)
        await turn.services.dialogs.clear(turn.actor.person.id)
        await turn.reply(shop_render.preview_text(turn.tr, payment),
                         keys.preview(turn.tr, payment.id))
