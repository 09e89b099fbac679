"""The sentences for shops' and institutions' domain errors (see error_text)."""

from __future__ import annotations

from collections.abc import Callable

from conversation.i18n import Translator

SHOP_MESSAGES: dict[str, Callable[[Translator, dict], str]] = {
    "shop_not_found": lambda tr, p: tr(
        "I can't find that shop in your community. Please see the list with /merchants."),
    "shop_unavailable": lambda tr, p: tr(
        "This shop can't take 품앗이 payments right now. Please pay in cash, or ask a "
        "coordinator."),
    "shop_not_yours": lambda tr, p: tr(
        "Only the shop's staff can do this. Please ask the shop's owner."),
    "shop_owner_only": lambda tr, p: tr(
        "Only the shop's owner can do this. Please ask the owner."),
    "shop_own": lambda tr, p: tr(
        "You work at this shop, so you can't pay it yourself. Please pay in cash."),
    "shop_bill_too_small": lambda tr, p: tr(
        "This bill is too small for a 품앗이 part (the shop counts in steps of {rounding}). "
        "Please pay it in cash.", rounding=tr.amount(p["rounding"], p["unit"])),
    "shop_currency_range": lambda tr, p: tr(
        "You can pay between 1 and {most} in 품앗이. Please write the amount again.",
        most=tr.amount(p["most"], p["unit"])),
    "shop_last_owner": lambda tr, p: tr(
        "A shop needs an owner, so its last owner stays. Add another owner first, or ask a "
        "coordinator."),
    "shop_preview_expired": lambda tr, p: tr(
        "This payment check expired (it lasts {minutes} minutes). Nothing was paid. To pay, "
        "please start again: type 가게 {code} and write the bill.", minutes=p["minutes"],
        code=p["code"]),
    "shop_payment_not_found": lambda tr, p: tr("That payment isn't available."),
    "shop_payment_closed": lambda tr, p: tr(
        "This payment is already finished. To pay again, please enter the bill again."),
    "shop_refund_too_late": lambda tr, p: tr(
        "A payment can be refunded within {days} days only. Please settle it in cash, or ask "
        "a coordinator.", days=p["days"]),
    "shop_name_length": lambda tr, p: tr(
        "The name must be {minimum} to {maximum} characters. Please write it again.",
        minimum=p["minimum"], maximum=p["maximum"]),
    "shop_map_url_invalid": lambda tr, p: tr(
        "Please send a map link starting with https://, or tap Skip."),
    "shop_phone_invalid": lambda tr, p: tr(
        "Please write a phone number like 02-123-4567 or 010-1234-5678, or tap Skip."),
    "shop_photo_invalid": lambda tr, p: tr("That photo can't be kept. Please send another."),
    "shop_share_invalid": lambda tr, p: tr(
        "Please write the share as a number from 1 to 100, e.g. 40."),
    "shop_rounding_invalid": lambda tr, p: tr("Please choose 10, 100 or 1,000."),
    "shop_codes_exhausted": lambda tr, p: tr(
        "I couldn't make a new shop code. Please try again in a moment."),
    "nothing_to_change": lambda tr, p: tr("There was nothing to change."),
    "shop_terms_changed": lambda tr, p: tr(
        "The shop changed what it takes in 품앗이 since you looked, so nothing was paid. Please "
        "look again: enter the bill anew."),
    "shop_refund_own": lambda tr, p: tr(
        "You paid this yourself, so someone else at the shop (or its owner) must refund it."),
    "shop_refund_member_gone": lambda tr, p: tr(
        "This member has left the community, so 품앗이 can't be given back to them. Please "
        "refund them in cash."),
    "shop_no_room": lambda tr, p: tr(
        "You can spend only {can_spend} in 품앗이 now, less than the shop's step of "
        "{rounding}. Please pay this bill in cash.",
        can_spend=tr.amount(p["can_spend"], p["unit"]),
        rounding=tr.amount(p["rounding"], p["unit"])),
    "organisation_overdrawn": lambda tr, p: tr(
        "The shop's account doesn't hold enough to give this back, so nothing moved. Please "
        "ask a coordinator to check the ledger (pumasi verify)."),
    "cannot_reverse_refund": lambda tr, p: tr(
        "T{transfer_id} is a refund, itself a correction, so it can't be reversed. If it was "
        "wrong, please settle it with the member another way.",
        transfer_id=p["transfer_id"]),
}
