"""Channel-neutral text of the domain views: HTML with every piece of user text escaped."""

from __future__ import annotations

from html import escape

from conversation.i18n import Translator
from conversation.limits import NAME_IN_LIST, NOTE_IN_LIST, TEXT_MAX, cut, shown_length
from conversation.limits import plain_text as plain_text
from core.membership import AuditEntry, Switched
from core.models import (
    BalanceView,
    Community,
    HistoryEntry,
    HistoryPage,
    MarketPage,
    Member,
    PendingPage,
    Post,
    PostView,
    Reversal,
    ReversalPreview,
    TradeView,
)
from core.notices import NoticeReport


def member_label(member: Member | None, tr: Translator, *, in_list: bool = False) -> str:
    """`#23 김영희`; in a list the name is cut so a page of lines stays inside the limits."""
    if member is None:
        return tr("the community account")
    if member.erased or not member.display_name:
        return escape(former_member(tr, member.number))
    number = f"#{member.number} " if member.number is not None else ""
    name = cut(member.display_name, NAME_IN_LIST) if in_list else member.display_name
    return f"{number}{escape(name)}"


def former_member(tr: Translator, number: int | None) -> str:
    """An erased member, as plain text: their number stays, their name is gone."""
    if number is None:
        return tr("former member")
    return tr("former member #{number}", number=number)


def numbered_name(tr: Translator, number: int | None, name: str | None) -> str:
    """`#23 김영희` as plain text from stored columns. Erasing a member blanks their stored
    name, so a blank name is always shown as "former member #23", whichever query read it."""
    if not name:
        return former_member(tr, number)
    return f"#{number} {name}" if number is not None else name


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


# The words for the codes kept in the database, one mapping per concept, so that no
# `active` or `notice_send` reaches a coordinator's chat or spreadsheet. An unknown code
# (a newer database) is shown as it is rather than hidden.

def role_name(tr: Translator, role: str) -> str:
    return {"member": tr("Member"), "coordinator": tr("Coordinator")}.get(role, role)


def member_status_name(tr: Translator, status: str) -> str:
    return {"active": tr("Active"), "suspended": tr("Suspended"),
            "pending": tr("Waiting for approval"), "rejected": tr("Not approved"),
            "left": tr("Left")}.get(status, status)


def post_status_name(tr: Translator, status: str) -> str:
    return {"open": tr("Open"), "closed": tr("Closed"), "expired": tr("Expired")
            }.get(status, status)


def transfer_kind_name(tr: Translator, kind: str, purpose: str | None = None) -> str:
    """A transfer's kind; an event's fee, refund or reward says which it is."""
    if purpose:
        return {"event_fee": tr("Event fee"), "event_refund": tr("Event fee refund"),
                "event_reward": tr("Attendance reward"),
                "settlement": tr("Balance settlement"),
                "merchant": tr("Shop payment"),
                "merchant_refund": tr("Shop refund")}.get(purpose, purpose)
    return {"pay": tr("Payment"), "charge": tr("Payment request"),
            "reversal": tr("Correction")}.get(kind, kind)


def audit_action_name(tr: Translator, action: str) -> str:
    return {
        "community_create": tr("Community created"),
        "community_code_change": tr("Join code changed"),
        "coordinator_add": tr("Coordinator appointed"),
        "application_approve": tr("Application approved"),
        "application_reject": tr("Application declined"),
        "limit_change": tr("Limits changed"),
        "member_suspend": tr("Member suspended"),
        "member_reactivate": tr("Member reactivated"),
        "member_promote": tr("Made coordinator"),
        "transfer_reverse": tr("Transfer reversed"),
        "notice_send": tr("Notice sent"),
        "group_link": tr("Group chat linked"),
        "group_unlink": tr("Group chat unlinked (the bot was removed)"),
        "event_create": tr("Event created"),
        "event_edit": tr("Event changed"),
        "event_cancel": tr("Event cancelled"),
        "event_import": tr("Schedule imported"),
        "member_leave": tr("Member left"),
        "balance_settle": tr("Balance settled"),
        "member_erase": tr("Former member erased"),
        "survey_create": tr("Survey created"),
        "survey_send": tr("Survey sent"),
        "survey_close": tr("Survey closed"),
        "shop_apply": tr("Shop application"),
        "shop_approve": tr("Shop approved"),
        "shop_reject": tr("Shop declined"),
        "shop_suspend": tr("Shop suspended"),
        "shop_reactivate": tr("Shop reactivated"),
        "shop_update": tr("Shop settings changed"),
        "shop_codes_rotate": tr("Shop code changed"),
        "shop_staff_add": tr("Shop staff added"),
        "shop_staff_remove": tr("Shop staff removed"),
        "institution_register": tr("Institution registered"),
        "expert_recommend": tr("Expert recommended"),
        "expert_remove": tr("Expert removed from the pool"),
        "expert_invite": tr("Expert invited"),
        "story_select": tr("Best-practice story selected"),
    }.get(action, action)


def audit_target_label(tr: Translator, entry: AuditEntry) -> str:
    """What an audit entry was about, for HTML: a member as #23 and name, a transfer as T12,
    an event by its title, a notice as N4; never the stored `kind:id` form."""
    if not entry.target:
        return ""
    kind, _, ident = entry.target.partition(":")
    if kind == "membership":
        if entry.target_name is None:
            return tr("a member")
        return escape(numbered_name(tr, entry.target_number, entry.target_name))
    if kind == "event":
        return escape(entry.target_title) if entry.target_title is not None else tr("an event")
    if kind == "transfer":
        return f"T{escape(ident)}"
    if kind == "notice":
        return f"N{escape(ident)}"
    if kind == "survey":
        return f"S{escape(ident)}"
    if kind == "chat":
        return tr("a group chat")
    if kind == "shop":
        return tr("a shop")
    if kind == "expert":
        return tr("expert {number}", number=escape(ident))
    if kind == "story":
        return tr("story {number}", number=escape(ident))
    return escape(entry.target)  # a community's join code


def more_text(tr: Translator, count: int) -> str:
    """The last line of a list cut to fit one message."""
    return tr("… and {count} more, not shown here.", count=count)


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
    if page.member is None:
        head = tr("<b>Statement</b> · balance {balance} · page {page}",
                  balance=tr.amount(page.balance, unit), page=page.page + 1)
    else:
        head = tr("<b>Statement of {member}</b> · balance {balance} · page {page}",
                  member=member_label(page.member, tr),
                  balance=tr.amount(page.balance, unit), page=page.page + 1)
    if not page.entries:
        return head + "\n" + (tr("No trades yet.") if page.page == 0 else tr("No more trades."))
    lines = [head]
    for entry in page.entries:
        lines.append(_history_entry(tr, entry, unit))
    if page.member is not None:
        lines.append(tr("To correct a transfer: /reverse T12 reason"))
    return "\n".join(lines)


def _history_entry(tr: Translator, entry: HistoryEntry, unit: str) -> str:
    who = (
        escape(numbered_name(tr, entry.counterparty_number,
                             cut(entry.counterparty_name or "", NAME_IN_LIST)))
        if entry.counterparty_number is not None
        else escape(cut(entry.organisation, NAME_IN_LIST)) if entry.organisation
        else tr("the community account")
    )
    memo = f" · {escape(cut(entry.memo, NOTE_IN_LIST))}" if entry.memo else ""
    if entry.kind == "reversal":
        marker = tr(" (correction of T{original})", original=entry.reverses_id)
    elif entry.reversed_by is not None:
        marker = tr(" (corrected in T{correction})", correction=entry.reversed_by)
    else:
        marker = ""
    text = (
        f"T{entry.transfer_id} · {tr.datetime(entry.created_at)}\n"
        f"   <b>{tr.signed_amount(entry.amount, unit)}</b> {who}{memo}{marker}"
    )
    if entry.purpose in ("settlement", "merchant", "merchant_refund"):
        text += "\n   " + escape(transfer_kind_name(tr, entry.kind, entry.purpose))
    if entry.reason and (entry.kind == "reversal" or entry.purpose == "settlement"):
        text += "\n   " + tr("Reason: {reason}",
                               reason=escape(cut(entry.reason, NOTE_IN_LIST)))
    return text


def trade_summary(tr: Translator, view: TradeView, *, in_list: bool = False) -> str:
    unit = escape(view.community.unit)
    memo = view.request.memo or ""
    memo = "\n" + tr("Memo: {memo}", memo=escape(cut(memo, NOTE_IN_LIST) if in_list else memo)
                     ) if memo else ""
    return tr(
        "{payer} → {payee}: <b>{amount}</b>",
        payer=member_label(view.payer, tr, in_list=in_list),
        payee=member_label(view.payee, tr, in_list=in_list),
        amount=tr.amount(view.request.amount, unit),
    ) + memo


def pay_preview_text(tr: Translator, view: TradeView) -> str:
    minutes = round((view.request.expires_at - view.request.created_at).total_seconds() / 60)
    return tr("Please check this payment:") + "\n" + trade_summary(tr, view) + "\n" + tr(
        "Tap Confirm within {minutes} minutes to send it.", minutes=minutes
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


def pending_text(tr: Translator, person_id: int, page: PendingPage) -> str:
    if not page.views:
        return tr("No open requests.") if page.page == 0 else tr("No more open requests.")
    paged = page.page > 0 or page.has_more
    lines = [tr("<b>Open requests</b> · page {page}", page=page.page + 1) if paged
             else tr("<b>Open requests</b>")]
    for view in page.views:
        direction = (
            tr("to pay") if view.payer.person_id == person_id else tr("to receive")
        )
        lines.append(
            f"R{view.request.id} · {direction} · {trade_summary(tr, view, in_list=True)} · "
            + tr("until {deadline}", deadline=tr.date(view.request.expires_at))
        )
    return "\n".join(lines)


def side_label(member: Member | None, organisation: str | None, tr: Translator) -> str:
    """A transfer's side: a member, a shop or institution by name, or the community."""
    return escape(organisation) if organisation else member_label(member, tr)


def reversal_text(tr: Translator, reversal: Reversal) -> str:
    unit = escape(reversal.community.unit)
    return tr(
        "↩️ A coordinator reversed T{original} ({amount}, {payer} → {payee}).\nReason: {reason}",
        original=reversal.original.id,
        amount=tr.amount(reversal.original.amount, unit),
        payer=side_label(reversal.payer, reversal.payer_organisation, tr),
        payee=side_label(reversal.payee, reversal.payee_organisation, tr),
        reason=escape(reversal.reversal.reason or ""),
    )


def reversal_confirm_text(tr: Translator, preview: ReversalPreview) -> str:
    unit = escape(preview.community.unit)
    original = preview.original
    lines = [
        tr("↩️ Reverse this transfer?"),
        f"T{original.id} · {tr.datetime(original.created_at)}",
        tr("{payer} → {payee}: <b>{amount}</b>",
           payer=side_label(preview.payer, preview.payer_organisation, tr),
           payee=side_label(preview.payee, preview.payee_organisation, tr),
           amount=tr.amount(original.amount, unit)),
    ]
    if original.memo:
        lines.append(tr("Memo: {memo}", memo=escape(original.memo)))
    lines.append(tr("Reason: {reason}", reason=escape(preview.reason)))
    members = sum(side is not None for side in (preview.payer, preview.payee))
    # as the answer after it: a shop's staff are named only if it has any to tell
    shop = (preview.payer_organisation or preview.payee_organisation) if preview.staff else None
    lines.append(reversal_told(tr, members, escape(shop) if shop else None, done=False))
    return "\n".join(lines)


def reversal_told(tr: Translator, members: int, shop: str | None, *, done: bool) -> str:
    """Who hears of a reversal: its member sides and the staff of a shop or institution on
    the other side; the community's account tells no one. `shop` comes escaped."""
    if shop and members:
        return (tr("The member and the staff of {shop} have been told.", shop=shop) if done
                else tr("The amount goes back to the payer, even past the credit limits, and "
                        "the member and the staff of {shop} are told. Tap Reverse to do it.",
                        shop=shop))
    if shop:
        return (tr("The staff of {shop} have been told.", shop=shop) if done
                else tr("The amount goes back to the payer, even past the credit limits, and "
                        "the staff of {shop} are told. Tap Reverse to do it.", shop=shop))
    if members == 2:
        return (tr("Both members have been told.") if done
                else tr("The amount goes back to the payer, even past the credit limits, and "
                        "both members are told. Tap Reverse to do it."))
    return (tr("The member has been told.") if done
            else tr("The amount goes back to the payer, even past the credit limits, and the "
                    "member is told. Tap Reverse to do it."))


def price_text(tr: Translator, post: Post, community: Community) -> str:
    if post.price is None:
        return tr("negotiable")
    return tr.amount(post.price, escape(community.unit))


def post_text(tr: Translator, view: PostView, *, limit: int = TEXT_MAX) -> str:
    """The post; its description is cut with "…" where the whole would pass `limit` (a photo's
    caption takes 1024)."""
    head, tail = _post_frame(tr, view)
    if not view.post.description:
        return "\n".join(head + tail)
    room = limit - shown_length("\n".join(head + tail)) - 1
    return "\n".join([*head, escape(cut(view.post.description, max(room, 1))), *tail])


def post_fits(tr: Translator, view: PostView, limit: int) -> bool:
    """Whether the whole post, description and all, fits in `limit`."""
    head, tail = _post_frame(tr, view)
    description = [escape(view.post.description)] if view.post.description else []
    return shown_length("\n".join(head + description + tail)) <= limit


def _post_frame(tr: Translator, view: PostView) -> tuple[list[str], list[str]]:
    """The lines of a post above its description and below it."""
    post = view.post
    head = [
        f"<b>{escape(post.title)}</b>",
        f"{kind_label(tr, post.kind)} · {category_label(tr, post.category)} · "
        f"{price_text(tr, post, view.community)}",
    ]
    tail = [
        tr("By {author} · until {deadline}", author=member_label(view.author, tr),
           deadline=tr.date(post.expires_at))
    ]
    if post.status != "open":
        tail.append(tr("(closed)") if post.status == "closed" else tr("(expired)"))
    return head, tail


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
        author = escape(numbered_name(tr, post.author_number, post.author_name))
        lines.append(
            f"{index}. {icon} <b>{escape(post.title)}</b> · "
            f"{price_text(tr, post, page.community)} · {author}"
        )
    return "\n".join(lines)


def community_settings(tr: Translator, community: Community) -> str:
    """How a community lets people in and how far they may spend: set at creation."""
    joining = (tr("a coordinator approves each member") if community.approval == "coordinator"
               else tr("anyone with the code joins at once"))
    unit = escape(community.unit)
    return tr("Joining: {joining} · credit floor {floor} · highest balance {ceiling}",
              joining=joining, floor=tr.amount(community.credit_floor, unit),
              ceiling=tr.amount(community.credit_ceiling, unit))


def report_text(tr: Translator, report: NoticeReport) -> str:
    text = tr("📣 Notice N{id} delivered: {sent} sent, {unreachable} unreachable, "
              "{failed} failed, of {recipients}.", id=report.notice_id, sent=report.sent,
              unreachable=report.unreachable, failed=report.failed,
              recipients=report.recipients)
    if report.uncertain:
        text += " " + tr("For {count} of them the bot stopped while sending, so I can't tell "
                         "whether it arrived; if it matters, please check with them.",
                         count=report.uncertain)
    return text


def switched_text(tr: Translator, switched: Switched) -> str:
    text = tr("Now using {community}.", community=escape(switched.community.name))
    if switched.stopped:
        text += "\n" + tr("What you were entering before has stopped. Start it again if you "
                          "need to.")
    return text
