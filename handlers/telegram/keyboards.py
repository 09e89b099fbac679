"""Inline and reply keyboards. Callback data names a thing; identity comes from the update."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from core.market import CATEGORIES
from core.models import Post
from handlers.i18n import Translator
from handlers.render import category_name

CALLBACK_LIMIT = 64


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def menu_labels(tr: Translator) -> dict[str, str]:
    """Reply-keyboard label → command it stands for."""
    return {
        tr("💰 Balance"): "balance",
        tr("📜 History"): "history",
        tr("🛒 Market"): "market",
        tr("⏳ Pending"): "pending",
        tr("🎁 Offer"): "offer",
        tr("🙋 Request"): "request",
        tr("❓ Help"): "help",
    }


def main_menu(tr: Translator) -> ReplyKeyboardMarkup:
    labels = list(menu_labels(tr))
    rows = [labels[0:3], labels[3:6], labels[6:]]
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label) for label in row] for row in rows], resize_keyboard=True
    )


def pay_confirm(tr: Translator, request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(tr("✅ Confirm"), f"pay:ok:{request_id}"),
          button(tr("Cancel"), f"pay:no:{request_id}")]]
    )


def charge_answer(tr: Translator, request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(tr("✅ Accept and pay"), f"chg:ok:{request_id}"),
          button(tr("❌ Decline"), f"chg:no:{request_id}")]]
    )


def charge_withdraw(tr: Translator, request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(tr("Withdraw request"), f"chg:x:{request_id}")]])


def pager(prefix: str, page: int, has_more: bool, tr: Translator, suffix: str = ""):
    row = []
    if page > 0:
        row.append(button(tr("◀ Newer") if prefix == "hist" else tr("◀ Previous"),
                          f"{prefix}:{page - 1}{suffix}"))
    if has_more:
        row.append(button(tr("Older ▶") if prefix == "hist" else tr("Next ▶"),
                          f"{prefix}:{page + 1}{suffix}"))
    return row


def history_nav(
    tr: Translator, page: int, has_more: bool, member_number: int | None = None
) -> InlineKeyboardMarkup | None:
    """`hist:<page>` pages one's own statement; `hist:<page>:<number>` a member's (the core
    checks again, on every page, that the one tapping is a coordinator)."""
    suffix = f":{member_number}" if member_number is not None else ""
    row = pager("hist", page, has_more, tr, suffix)
    return InlineKeyboardMarkup([row]) if row else None


def reversal_confirm(tr: Translator, transfer_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(tr("↩️ Reverse"), f"rev:ok:{transfer_id}"),
          button(tr("Cancel"), f"rev:no:{transfer_id}")]]
    )


def fit_callback(prefix: str, words: str) -> str:
    """Search words ride in the callback data, cut to Telegram's 64-byte limit."""
    data = prefix + words
    while len(data.encode("utf-8")) > CALLBACK_LIMIT:
        data = data[:-1]
    return data


def market_nav(
    tr: Translator, posts: list[Post], page: int, has_more: bool, words: str
) -> InlineKeyboardMarkup | None:
    rows = []
    detail_row = [button(str(index), f"post:v:{post.id}")
                  for index, post in enumerate(posts, start=1)]
    if detail_row:
        rows.append(detail_row)
    nav = []
    if page > 0:
        nav.append(button(tr("◀ Previous"), fit_callback(f"mkt:{page - 1}:", words)))
    if has_more:
        nav.append(button(tr("Next ▶"), fit_callback(f"mkt:{page + 1}:", words)))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows) if rows else None


def post_actions(tr: Translator, post: Post, *, is_author: bool) -> InlineKeyboardMarkup | None:
    if is_author:
        rows = [[button(tr("🔁 Renew 30 days"), f"post:renew:{post.id}")]]
        if post.status == "open":
            rows[0].append(button(tr("Close"), f"post:close:{post.id}"))
        return InlineKeyboardMarkup(rows)
    if post.status != "open":
        return None
    label = tr("💳 Pay for this") if post.kind == "offer" else tr("🧾 Provide and charge")
    return InlineKeyboardMarkup([[button(label, f"post:trade:{post.id}")]])


def renew_button(tr: Translator, post_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(tr("🔁 Renew 30 days"), f"post:renew:{post_id}")]])


def categories(tr: Translator) -> InlineKeyboardMarkup:
    buttons = [button(category_name(tr, code), f"dlg:cat:{code}") for code in CATEGORIES]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([button(tr("Cancel"), "dlg:cancel")])
    return InlineKeyboardMarkup(rows)


def dialog_skip(tr: Translator, label: str, data: str = "dlg:skip") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(label, data), button(tr("Cancel"), "dlg:cancel")]])


def post_publish(tr: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(tr("✅ Post it"), "dlg:publish"), button(tr("Cancel"), "dlg:cancel")]]
    )


def application_decision(tr: Translator, membership_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(tr("✅ Approve"), f"app:ok:{membership_id}"),
          button(tr("❌ Reject"), f"app:no:{membership_id}")]]
    )


def language_choice() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button("한국어", "lang:ko"), button("English", "lang:en")]])


def community_choice(choices: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(label, f"cm:{cid}")] for cid, label in choices])
