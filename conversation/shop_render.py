"""Texts about shops and institutions: the card, the split of a bill, what staff are told,
the takings. Every piece of user text is escaped."""

from __future__ import annotations

from html import escape

from conversation.i18n import Translator
from conversation.limits import NAME_IN_LIST, cut
from conversation.render import member_label
from core.merchant_pay import Payment
from core.organisation_rules import Organisation


def won(tr: Translator, value: int) -> str:
    return tr.amount(value, tr("won"))


def kind_name(tr: Translator, organisation: Organisation) -> str:
    return tr("Shop") if organisation.kind == "merchant" else tr("Public institution")


def accepts(tr: Translator, organisation: Organisation, unit: str) -> str:
    """What a shop takes in currency, e.g. "up to 40% of a bill in 문 (at most 5,000문)"."""
    text = tr("takes up to {share}% of a bill in {unit}", share=organisation.share_percent,
              unit=escape(unit))
    if organisation.cap is not None:
        text += " " + tr("(at most {cap} a bill)", cap=tr.amount(organisation.cap, unit))
    return text


def list_line(tr: Translator, organisation: Organisation, unit: str) -> str:
    category = f" · {escape(cut(organisation.category, 20))}" if organisation.category else ""
    return (f"<b>{organisation.number}.</b> {escape(cut(organisation.name, NAME_IN_LIST))}"
            f"{category} — {accepts(tr, organisation, unit)}")


def card(tr: Translator, organisation: Organisation, unit: str) -> str:
    lines = [f"🏪 <b>{escape(organisation.name)}</b> ({kind_name(tr, organisation)} "
             f"{organisation.number})"]
    if organisation.category:
        lines.append(escape(organisation.category))
    if organisation.address:
        lines.append(tr("Address: {address}", address=escape(organisation.address)))
    if organisation.hours:
        lines.append(tr("Open: {hours}", hours=escape(organisation.hours)))
    if organisation.phone:
        lines.append(tr("Phone: {phone}", phone=escape(organisation.phone)))
    if organisation.map_url:
        lines.append(f'<a href="{escape(organisation.map_url)}">{tr("Map")}</a>')
    lines.append(tr("It {accepts}; the rest is paid in cash.",
                    accepts=accepts(tr, organisation, unit)))
    lines.append(tr("Shop code: 가게 {code} (type it on any channel to open this shop)",
                    code=organisation.short_code))
    if organisation.status == "suspended":
        lines.append(tr("⛔ This shop can't take 품앗이 payments right now."))
    return "\n".join(lines)


def split_text(tr: Translator, payment: Payment) -> str:
    """19,800원 중 7,900문은 품앗이로, 11,900원은 현금으로."""
    unit = escape(payment.community.unit)
    return tr("Of {bill}, {currency} in 품앗이 and {cash} in cash",
              bill=won(tr, payment.bill), currency=tr.amount(payment.currency, unit),
              cash=won(tr, payment.cash))


def preview_text(tr: Translator, payment: Payment) -> str:
    lines = [f"🏪 <b>{escape(payment.organisation.name)}</b>", split_text(tr, payment)]
    if payment.room_limited:
        lines.append(tr("(the shop takes up to {most}, but you can spend {currency} in 품앗이 "
                        "now; the rest is cash)",
                        most=tr.amount(payment.most, escape(payment.community.unit)),
                        currency=tr.amount(payment.currency, escape(payment.community.unit))))
    elif payment.currency < payment.most:
        lines.append(tr("(you chose less than the most, {most})",
                        most=tr.amount(payment.most, escape(payment.community.unit))))
    lines.append(tr("Tap Send to pay the 품앗이 part, then pay the rest in cash at the counter."))
    return "\n".join(lines)


def closed_text(tr: Translator, payment: Payment) -> str:
    """A preview's Cancel, answered with the payment's real state."""
    currency = tr.amount(payment.currency, escape(payment.community.unit))
    shop = escape(payment.organisation.name)
    if payment.status == "paid":
        return tr("You already paid {currency} to {shop}, so it can't be cancelled. To get it "
                  "back, please ask the shop for a refund.", currency=currency, shop=shop)
    if payment.status == "refunded":
        return refunded_text(tr, payment)
    if payment.status == "reversed":
        return tr("A coordinator reversed your payment of {currency} to {shop}; it went back "
                  "to you.", currency=currency, shop=shop)
    return tr("Cancelled. Nothing was paid.")


def paid_text(tr: Translator, payment: Payment) -> str:
    return "\n".join([
        tr("✅ Paid {currency} to {shop}.",
           currency=tr.amount(payment.currency, escape(payment.community.unit)),
           shop=escape(payment.organisation.name)),
        tr("Please pay {cash} in cash at the counter.", cash=won(tr, payment.cash))
        if payment.cash else tr("Nothing is left to pay in cash."),
    ])


def staff_told(tr: Translator, payment: Payment) -> str:
    """#23 김영희: 7,900문 받음 · 현금 11,900원 받으세요."""
    unit = escape(payment.community.unit)
    text = tr("💰 {shop} · {member}: {currency} received",
              shop=escape(payment.organisation.name), member=member_label(payment.member, tr),
              currency=tr.amount(payment.currency, unit))
    if payment.cash:
        text += " · " + tr("please take {cash} in cash", cash=won(tr, payment.cash))
    return text


def refunded_text(tr: Translator, payment: Payment) -> str:
    return tr("↩️ {shop} refunded {currency} to {member} (bill of {bill}).",
              shop=escape(payment.organisation.name), member=member_label(payment.member, tr),
              currency=tr.amount(payment.currency, escape(payment.community.unit)),
              bill=won(tr, payment.bill))


def refund_question(tr: Translator, payment: Payment) -> str:
    """A staff member's refund from the takings, asked first: a refund is not undone."""
    return tr("Refund {currency} to {member}? They paid it on {when} (a bill of {bill}). A "
              "refund can't be undone.",
              currency=tr.amount(payment.currency, escape(payment.community.unit)),
              member=member_label(payment.member, tr), when=tr.datetime(payment.paid_at),
              bill=won(tr, payment.bill))


def application_text(tr: Translator, organisation: Organisation, applicant: str,
                     unit: str) -> str:
    """A coordinator's view of a shop application: who asks (escaped already), the card."""
    return "\n".join([
        tr("🏪 {applicant} asks to register shop {number}: {shop}", applicant=applicant,
           number=organisation.number, shop=escape(organisation.name)),
        card(tr, organisation, unit),
    ])
