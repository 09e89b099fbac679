"""Buttons and the main menu. An action names a thing; identity comes from the event."""

from __future__ import annotations

from collections.abc import Callable

from conversation.i18n import Translator
from conversation.limits import cut
from conversation.render import category_name
from conversation.replies import ACTION_LIMIT, Button, Menu, Rows, keyboard
from core.directory import DirectoryPage
from core.market import CATEGORIES
from core.models import EventView, Post


def button(text: str, data: str) -> Button:
    return Button(text, data)


def event_choice(views: list[EventView], action: Callable[[int], str]) -> Rows:
    """The upcoming events to pick one from (the sign-ups a notice or a survey goes to)."""
    return keyboard([[button(v.event.title[:40], action(v.event.id))] for v in views[:10]])


def menu_labels(tr: Translator) -> dict[str, str]:
    """Reply-keyboard label → command it stands for."""
    return {
        tr("💰 Balance"): "balance",
        tr("📜 History"): "history",
        tr("🛒 Market"): "market",
        tr("⏳ Pending"): "pending",
        tr("🎁 Offer"): "offer",
        tr("🙋 Request"): "request",
        tr("👥 Neighbours"): "directory",
        tr("❓ Help"): "help",
    }


def main_menu(tr: Translator) -> Menu:
    labels = tuple(menu_labels(tr))
    return Menu((labels[0:3], labels[3:6], labels[6:]))


def pay_confirm(tr: Translator, request_id: int) -> Rows:
    return keyboard(
        [[button(tr("✅ Confirm"), f"pay:ok:{request_id}"),
          button(tr("Cancel"), f"pay:no:{request_id}")]]
    )


def charge_answer(tr: Translator, request_id: int) -> Rows:
    return keyboard(
        [[button(tr("✅ Accept and pay"), f"chg:ok:{request_id}"),
          button(tr("❌ Decline"), f"chg:no:{request_id}")]]
    )


def charge_withdraw(tr: Translator, request_id: int) -> Rows:
    return keyboard([[button(tr("Withdraw request"), f"chg:x:{request_id}")]])


def pager(prefix: str, page: int, has_more: bool, tr: Translator, suffix: str = ""):
    row = []
    if page > 0:
        row.append(button(tr("◀ Previous"), f"{prefix}:{page - 1}{suffix}"))
    if has_more:
        row.append(button(tr("Next ▶"), f"{prefix}:{page + 1}{suffix}"))
    return row


def history_nav(
    tr: Translator, page: int, newer: int | None, older: int | None,
    member_number: int | None = None,
) -> Rows:
    """`hist:n<cursor>:<page>` and `hist:o<cursor>:<page>` turn one's own statement a page
    newer or older from a cursor (a movement id, so a page is read from the index however
    deep it is); `:<number>` after them a member's (the core checks again, on every page,
    that the one tapping is a coordinator). At most 38 bytes."""
    suffix = f":{member_number}" if member_number is not None else ""
    row = []
    if newer is not None:
        row.append(button(tr("◀ Newer"), f"hist:n{newer}:{max(0, page - 1)}{suffix}"))
    if older is not None:
        row.append(button(tr("Older ▶"), f"hist:o{older}:{page + 1}{suffix}"))
    return keyboard([row])


def reversal_confirm(tr: Translator, transfer_id: int) -> Rows:
    return keyboard(
        [[button(tr("↩️ Reverse"), f"rev:ok:{transfer_id}"),
          button(tr("Cancel"), f"rev:no:{transfer_id}")]]
    )


def fit_callback(prefix: str, words: str) -> str:
    """Search words ride in the callback data, cut to Telegram's 64-byte limit."""
    data = prefix + words
    while len(data.encode("utf-8")) > ACTION_LIMIT:
        data = data[:-1]
    return data


def market_nav(
    tr: Translator, posts: list[Post], page: int, has_more: bool, words: str
) -> Rows:
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
    return keyboard(rows)


def post_actions(tr: Translator, post: Post, *, is_author: bool) -> Rows:
    if is_author:
        rows = [[button(tr("🔁 Renew 30 days"), f"post:renew:{post.id}")]]
        if post.status == "open":
            rows[0].append(button(tr("Close"), f"post:close:{post.id}"))
        return keyboard(rows)
    if post.status != "open":
        return ()
    label = tr("💳 Pay for this") if post.kind == "offer" else tr("🧾 Provide and charge")
    return keyboard([[button(label, f"post:trade:{post.id}")]])


def renew_button(tr: Translator, post_id: int) -> Rows:
    return keyboard([[button(tr("🔁 Renew 30 days"), f"post:renew:{post_id}")]])


def categories(tr: Translator) -> Rows:
    buttons = [button(category_name(tr, code), f"dlg:cat:{code}") for code in CATEGORIES]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([button(tr("Cancel"), "dlg:cancel")])
    return keyboard(rows)


def dialog_skip(tr: Translator, label: str, data: str = "dlg:skip") -> Rows:
    return keyboard([[button(label, data), button(tr("Cancel"), "dlg:cancel")]])


def post_publish(tr: Translator) -> Rows:
    return keyboard(
        [[button(tr("✅ Post it"), "dlg:publish"), button(tr("Cancel"), "dlg:cancel")]]
    )


def application_decision(tr: Translator, membership_id: int) -> Rows:
    return keyboard(
        [[button(tr("✅ Approve"), f"app:ok:{membership_id}"),
          button(tr("❌ Reject"), f"app:no:{membership_id}")]]
    )


def language_choice() -> Rows:
    return keyboard([[button("한국어", "lang:ko"), button("English", "lang:en")]])


def community_choice(choices: list[tuple[int, str]]) -> Rows:
    return keyboard([[button(label, f"cm:{cid}")] for cid, label in choices])


NAME_ON_BUTTON = 20


def directory_nav(tr: Translator, page: DirectoryPage) -> Rows:
    """A button per member (two a row) that opens their entry, then the pages."""
    names = [button(f"#{entry.number} {cut(entry.name, NAME_ON_BUTTON)}",
                    f"dir:v:{entry.membership_id}")
             for entry in page.entries]
    rows = [names[i:i + 2] for i in range(0, len(names), 2)]
    nav = []
    if page.page > 0:
        nav.append(button(tr("◀ Previous"), fit_callback(f"dir:{page.page - 1}:", page.words)))
    if page.has_more:
        nav.append(button(tr("Next ▶"), fit_callback(f"dir:{page.page + 1}:", page.words)))
    rows.append(nav)
    return keyboard(rows)


def contact_button(tr: Translator, action: str) -> Button:
    """✉️ 연락하기: the bot carries a message to the member (`rly:p:<post>`, `rly:m:<member>`)."""
    return button(tr("✉️ Contact"), action)


def with_contact(tr: Translator, rows: Rows, action: str) -> Rows:
    return keyboard([*rows, [contact_button(tr, action)]])


def relay_reply(tr: Translator, relay_id: int) -> Rows:
    return keyboard([[button(tr("↩️ Reply"), f"rly:r:{relay_id}")]])


def relay_cancel(tr: Translator) -> Rows:
    return keyboard([[button(tr("Cancel"), "rly:cancel")]])
