"""Channel-neutral text of the domain views: HTML with every piece of user text escaped."""

from __future__ import annotations

import re
from html import escape, unescape

from core.models import (
    BalanceView,
    Community,
    HistoryPage,
    MarketPage,
    Member,
    Post,
    PostView,
    Reversal,
    TradeView,
)
from handlers.i18n import Translator


def member_label(member: Member | None, tr: Translator) -> str:
    if member is None:
        return tr("the community account")
    number = f"#{member.number} " if member.number is not None else ""
    return f"{number}{escape(member.display_name)}"


def category_label(tr: Translator, code: str) -> str:
    """The category for HTML messages."""
    return escape(category_name(tr, code))


def category_name(tr: Translator, code: str) -> str:
    """The category as plain text (buttons)."""
    labels = {
        "goods": tr("Goods"),
        "food": tr("Food"),
        "care": tr("Care"),
        "learning": tr("Learning & talents"),
        "repair": tr("Repairs & chores"),
        "health": tr("Health"),
        "culture": tr("Culture & leisure"),
        "other": tr("Other"),
    }
    return labels.get(code, code)


def kind_label(tr: Translator, kind: str) -> str:
    return tr("Offer (드려요)") if kind == "offer" else tr("Request (구해요)")


def balance_text(tr: Translator, view: BalanceView) -> str:
    unit = escape(view.community.unit)
    lines = [
        tr("<b>{community}</b> · {member}", community=escape(view.community.name),
           member=member_label(view.member, tr)),
        tr("Balance: <b>{balance}</b>", balance=tr.amount(view.balance, unit)),
        tr("Credit floor {floor} · ceiling {ceiling}",
           floor=tr.amount(view.credit_floor, unit), ceiling=tr.amount(view.credit_ceiling, unit)),
        tr("You can still spend {spend} and receive {receive}.",
           spend=tr.amount(view.can_spend, unit), receive=tr.amount(view.can_receive, unit)),
    ]
    return "\n".join(lines)


def history_text(tr: Translator, page: HistoryPage) -> str:
    unit = escape(page.community.unit)
    head = tr("<b>Statement</b> · balance {balance} · page {page}",
              balance=tr.amount(page.balance, unit), page=page.page + 1)
    if not page.entries:
        return head + "\n" + (tr("No trades yet.") if page.page == 0 else tr("No more trades."))
    lines = [head]
    for entry in page.entries:
        who = (
            f"#{entry.counterparty_number} {escape(entry.counterparty_name or '')}"
            if entry.counterparty_number is not None
            else tr("the community account")
        )
        memo = f" · {escape(entry.memo)}" if entry.memo else ""
        marker = tr(" (correction)") if entry.kind == "reversal" else ""
        lines.append(
            f"T{entry.transfer_id} · {tr.datetime(entry.created_at)}\n"
            f"   <b>{tr.signed_amount(entry.amount, unit)}</b> {who}{memo}{marker}"
        )
    return "\n".join(lines)


def trade_summary(tr: Translator, view: TradeView) -> str:
    unit = escape(view.community.unit)
    memo = (
        "\n" + tr("Memo: {memo}", memo=escape(view.request.memo)) if view.request.memo else ""
    )
    return tr(
        "{payer} → {payee}: <b>{amount}</b>",
        payer=member_label(view.payer, tr), payee=member_label(view.payee, tr),
        amount=tr.amount(view.request.amount, unit),
    ) + memo


def pay_preview_text(tr: Translator, view: TradeView) -> str:
    return tr("Please check this payment:") + "\n" + trade_summary(tr, view) + "\n" + tr(
        "Tap Confirm to send it."
    )


def paid_text(tr: Translator, view: TradeView) -> str:
    transfer = view.transfer
    ref = f"T{transfer.id} · " if transfer else ""
    return tr("✅ Sent.") + "\n" + trade_summary(tr, view) + "\n" + ref + tr.datetime(
        transfer.created_at if transfer else view.request.created_at
    )


def received_text(tr: Translator, view: TradeView) -> str:
    return tr("💰 You received a payment.") + "\n" + trade_summary(tr, view) + "\n" + tr(
        "See /balance."
    )


def charge_request_text(tr: Translator, view: TradeView) -> str:
    return (
        tr("🧾 {payee} asks you for a payment.", payee=member_label(view.payee, tr))
        + "\n" + trade_summary(tr, view) + "\n"
        + tr("Please answer by {deadline}.", deadline=tr.datetime(view.request.expires_at))
    )


def charge_sent_text(tr: Translator, view: TradeView) -> str:
    return (
        tr("🧾 Request sent. I'll tell you when {payer} answers.",
           payer=member_label(view.payer, tr))
        + "\n" + trade_summary(tr, view) + "\n"
        + tr("It expires {deadline}.", deadline=tr.datetime(view.request.expires_at))
    )


def charge_reminder_text(tr: Translator, view: TradeView) -> str:
    return (
        tr("⏰ Reminder: this payment request expires {deadline}.",
           deadline=tr.datetime(view.request.expires_at))
        + "\n" + trade_summary(tr, view)
    )


def charge_accepted_text(tr: Translator, view: TradeView) -> str:
    return tr("✅ {payer} paid your request.", payer=member_label(view.payer, tr)) + "\n" + (
        trade_summary(tr, view)
    )


def charge_declined_text(tr: Translator, view: TradeView) -> str:
    return tr("❌ {payer} declined your request.", payer=member_label(view.payer, tr)) + "\n" + (
        trade_summary(tr, view)
    )


def request_expired_text(tr: Translator, view: TradeView) -> str:
    return tr("⌛ This request expired without an answer.") + "\n" + trade_summary(tr, view)


def cancelled_text(tr: Translator, view: TradeView) -> str:
    return tr("Cancelled. Nothing was sent.") + "\n" + trade_summary(tr, view)


def pending_text(tr: Translator, person_id: int, views: list[TradeView]) -> str:
    if not views:
        return tr("No open requests.")
    lines = [tr("<b>Open requests</b>")]
    for view in views:
        direction = (
            tr("to pay") if view.payer.person_id == person_id else tr("to receive")
        )
        lines.append(
            f"R{view.request.id} · {direction} · {trade_summary(tr, view)} · "
            + tr("until {deadline}", deadline=tr.date(view.request.expires_at))
        )
    return "\n".join(lines)


def reversal_text(tr: Translator, reversal: Reversal) -> str:
    unit = escape(reversal.community.unit)
    return tr(
        "↩️ A coordinator reversed T{original} ({amount}, {payer} → {payee}).\nReason: {reason}",
        original=reversal.original.id,
        amount=tr.amount(reversal.original.amount, unit),
        payer=member_label(reversal.payer, tr),
        payee=member_label(reversal.payee, tr),
        reason=escape(reversal.reversal.reason or ""),
    )


def price_text(tr: Translator, post: Post, community: Community) -> str:
    if post.price is None:
        return tr("negotiable")
    return tr.amount(post.price, escape(community.unit))


def post_text(tr: Translator, view: PostView) -> str:
    post = view.post
    lines = [
        f"<b>{escape(post.title)}</b>",
        f"{kind_label(tr, post.kind)} · {category_label(tr, post.category)} · "
        f"{price_text(tr, post, view.community)}",
    ]
    if post.description:
        lines.append(escape(post.description))
    lines.append(
        tr("By {author} · until {deadline}", author=member_label(view.author, tr),
           deadline=tr.date(post.expires_at))
    )
    if post.status != "open":
        lines.append(tr("(closed)") if post.status == "closed" else tr("(expired)"))
    return "\n".join(lines)


def market_text(tr: Translator, page: MarketPage) -> str:
    if page.words:
        head = tr("<b>Market</b> · “{words}” · page {page}", words=escape(page.words),
                  page=page.page + 1)
    else:
        head = tr("<b>Market</b> · page {page}", page=page.page + 1)
    if not page.posts:
        return head + "\n" + tr("No open posts found. Post one with /offer or /request.")
    lines = [head]
    for index, post in enumerate(page.posts, start=1):
        icon = "🎁" if post.kind == "offer" else "🙋"
        author = f"#{post.author_number} {escape(post.author_name or '')}"
        lines.append(
            f"{index}. {icon} <b>{escape(post.title)}</b> · "
            f"{price_text(tr, post, page.community)} · {author}"
        )
    return "\n".join(lines)


def plain_text(text: str) -> str:
    """HTML message text as plain text, for terminals."""
    return unescape(re.sub(r"<[^>]+>", "", text))


def community_settings(tr: Translator, community: Community) -> str:
    """How a community lets people in and how far they may spend: set at creation."""
    joining = (tr("a coordinator approves each member") if community.approval == "coordinator"
               else tr("anyone with the code joins at once"))
    unit = escape(community.unit)
    return tr("Joining: {joining} · credit floor {floor} · highest balance {ceiling}",
              joining=joining, floor=tr.amount(community.credit_floor, unit),
              ceiling=tr.amount(community.credit_ceiling, unit))
