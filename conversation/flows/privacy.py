"""Privacy in chat: the joining notice (개인정보 수집·이용 안내) with its buttons, /leave,
/mydata, and the coordinators' /settle and /erase. The join itself is in flows.membership."""

from __future__ import annotations

from html import escape

from conversation import keyboards, personal_data
from conversation.error_text import contact_line, error_text
from conversation.flows.arguments import member_number, with_reason
from conversation.flows.events import tell_promotion
from conversation.i18n import Translator
from conversation.render import former_member, member_label, trade_summary
from conversation.replies import Rows, keyboard
from conversation.turn import Turn, parse_id
from core.errors import DomainError
from core.privacy import LEDGER_YEARS_AFTER_LEAVING, NOTICE_VERSION, LeavePlan, LeaveResult

button = keyboards.button
JOIN_AGREE = "jn:ok"  # jn:ok:<notice version>:<code>
JOIN_DECLINE = "jn:no"  # jn:no:<code>
# Errors after which an erase button can do nothing more.
_ERASE_FINAL = frozenset({"erasure_not_open", "erasure_not_found", "already_erased",
                          "erase_not_left", "erase_balance", "erase_member_elsewhere"})


# ----- the joining notice -------------------------------------------------------------------

def notice_text(tr: Translator, community: str, *, open_ledger: bool) -> str:
    """The notice, short enough for one chat message and KakaoTalk's 1,000 characters.
    `community` is already escaped."""
    who = (tr("• Who sees what: this community has an open ledger, so members see each "
              "other's balance and number of trades; only you, the other member and the "
              "coordinators see a trade's details; all members see your posts.")
           if open_ledger else
           tr("• Who sees what: only you, the other member and this community's coordinators "
              "see a trade; all members see your posts."))
    return "\n".join([
        tr("<b>Privacy notice</b> · {community}", community=community),
        tr("To join, please read this and agree."),
        tr("• What is kept: your name and username as shown in the chat, your member number, "
           "your channel id to reach you (Telegram, KakaoTalk), your trades, posts, and event "
           "sign-ups and attendance."),
        tr("• Why: to run the local currency (balances, trades, notices) and to prepare the "
           "community's yearly report."),
        who,
        tr("• How long: while you are a member. After you leave, trades are kept {years} years "
           "as accounting records; your name and channel id are erased when you ask, and the "
           "ledger then shows only \"former member #23\".", years=LEDGER_YEARS_AFTER_LEAVING),
        tr("• You may refuse, but then you can't join. Anytime, /mydata sends you your data "
           "and /leave takes you out of the community."),
    ])


def consent_buttons(tr: Translator, code: str) -> Rows:
    return keyboard([[button(tr("✅ Agree and join"), f"{JOIN_AGREE}:{NOTICE_VERSION}:{code}"),
                      button(tr("I don't agree"), f"{JOIN_DECLINE}:{code}")]])


async def ask_consent(turn: Turn, code: str, community: str, open_ledger: bool) -> None:
    """Show the notice; only its Agree button starts the application or membership."""
    text = notice_text(turn.tr, escape(community), open_ledger=open_ledger)
    if turn.event.is_action:
        await turn.edit(text, consent_buttons(turn.tr, code))
    else:
        await turn.reply(text, consent_buttons(turn.tr, code))


def parse_consent(data: str) -> tuple[bool, str | None, str] | None:
    """(agreed, notice version or None, code) from a notice button; None when forged."""
    parts = data.split(":")
    if data.startswith(JOIN_AGREE + ":") and len(parts) == 4:
        return True, parts[2], parts[3]
    if data.startswith(JOIN_DECLINE + ":") and len(parts) == 3:
        return False, None, parts[2]
    return None


async def declined(turn: Turn, code: str) -> None:
    await turn.edit(turn.tr(
        "You didn't agree, so you haven't joined. If you change your mind, open the invite "
        "link again or send /join {code}.", code=escape(code)))


# ----- leaving ------------------------------------------------------------------------------

async def leave(turn: Turn) -> None:
    """/leave: what leaving does now (or what stops it), and a Confirm button."""
    plan = await turn.services.privacy.leave_plan(turn.actor)
    tr = turn.tr
    if plan.blocker is not None:
        text = error_text(tr, plan.blocker)
        if plan.blocker.code == "leave_balance":  # a coordinator has to act: say whom to ask
            text += "\n" + _contact(tr, plan)
        await turn.reply(text)
        return
    membership_id = plan.member.membership_id
    await turn.reply(_leave_preview(tr, plan), keyboard([[
        button(tr("Leave {community}", community=plan.community.name)[:60],
               f"lv:ok:{membership_id}"),
        button(tr("Stay"), f"lv:no:{membership_id}"),
    ]]))


def _contact(tr: Translator, plan: LeavePlan) -> str:
    if not plan.coordinators:
        return tr("Please contact a coordinator of the community.")
    first = plan.coordinators[0]
    return contact_line(tr, {"contact_name": escape(first.display_name),
                             "contact_number": first.number,
                             "contact_username": escape(first.username or "")})


def _leave_preview(tr: Translator, plan: LeavePlan) -> str:
    result = plan.result
    assert result is not None
    unit = escape(plan.community.unit)
    lines = [tr("<b>Leave {community}?</b>", community=escape(plan.community.name))]
    if result.cancelled_requests:
        lines.append(tr("• Your {count} open requests will be cancelled.",
                        count=len(result.cancelled_requests)))
    if result.cancelled_events:
        lines.append(tr("• Your {count} event sign-ups will be cancelled.",
                        count=len(result.cancelled_events)))
    if result.refunded:
        lines.append(tr("• Fees given back: {amount}.", amount=tr.amount(result.refunded, unit)))
    if result.posts_closed:
        lines.append(tr("• Your {count} open posts will leave the market.",
                        count=result.posts_closed))
    lines += [
        tr("Your balance is 0, so nothing is owed either way."),
        tr("Your past trades stay in the community's ledger as accounting records. To have "
           "your name erased after leaving, ask a coordinator."),
        tr("For a copy of your data first, send /mydata."),
    ]
    return "\n".join(lines)


async def on_leave(turn: Turn) -> None:
    membership_id = parse_id(turn.data)
    if membership_id is None:
        return
    tr = turn.tr
    if turn.data.startswith("lv:no:"):
        await turn.edit(tr("Good, you stay a member. Nothing has changed."))
        return
    result = await turn.services.privacy.leave(turn.actor, membership_id)
    if not result.newly:
        await turn.answer(tr("You have already left {community}.",
                             community=result.community.name))
        await turn.drop_buttons()
        return
    await turn.refresh()
    await turn.edit(_left_text(tr, result))
    await _tell_about_leaving(turn, result)


def _left_text(tr: Translator, result: LeaveResult) -> str:
    lines = [tr("👋 You have left {community}.", community=escape(result.community.name))]
    done = []
    if result.cancelled_requests:
        done.append(tr("{count} open requests cancelled", count=len(result.cancelled_requests)))
    if result.cancelled_events:
        done.append(tr("{count} sign-ups cancelled", count=len(result.cancelled_events)))
    if result.refunded:
        done.append(tr("{amount} of fees given back",
                       amount=tr.amount(result.refunded, escape(result.community.unit))))
    if result.posts_closed:
        done.append(tr("{count} posts closed", count=result.posts_closed))
    if done:
        lines.append(" · ".join(done))
    lines.append(tr("Your past trades stay in the ledger. To have your name erased, ask a "
                    "coordinator. To come back one day, send /join with the community's code."))
    return "\n".join(lines)


async def _tell_about_leaving(turn: Turn, result: LeaveResult) -> None:
    leaver = result.member
    community = escape(result.community.name)
    for coordinator in result.coordinators:
        await turn.notify(coordinator, lambda tr: tr(
            "👋 {member} left {community}.", member=member_label(leaver, tr),
            community=community) + "\n" + tr(
            "If they ask for their name to be erased: /erase #{number} reason",
            number=leaver.number))
    for view in result.cancelled_requests:
        other = view.payee if view.payer.membership_id == leaver.membership_id else view.payer
        await turn.notify(other, lambda tr, view=view: tr(
            "This request was cancelled because {member} left the community.",
            member=member_label(leaver, tr)) + "\n" + trade_summary(tr, view))
    for event_view, _, promotion in result.cancelled_events:
        await tell_promotion(turn, event_view, promotion)


# ----- /mydata ------------------------------------------------------------------------------

async def my_data(turn: Turn) -> None:
    """Everything kept about the person who asks, as a file only they receive."""
    data = await turn.services.privacy.my_data(turn.actor)
    tr = turn.tr
    caption = tr("Your data kept by the 품앗이 bot: profile, memberships, trades, posts, "
                 "sign-ups and surveys (CSV files that open in Excel).")
    missing = personal_data.left_out(data)
    if missing:
        caption += "\n" + tr("The oldest lists were long: {count} rows are not included. "
                             "Please ask a coordinator for the rest.", count=missing)
    stamp = turn.services.clock.now().strftime("%Y%m%d")
    await turn.file(personal_data.zip_file(tr, data), f"pumasi-mydata-{stamp}.zip", caption)


# ----- coordinators: /settle and /erase -----------------------------------------------------

async def settle(turn: Turn) -> None:
    """/settle #23 reason: the member's balance goes to 0 against the community account."""
    tr = turn.tr
    usage = tr("Usage: /settle #23 reason, e.g. /settle #23 leaving, balance returned in cash")
    if not turn.args:
        await turn.reply(usage)
        return
    done = await with_reason(turn, usage, turn.services.privacy.settle(
        turn.actor, member_number(turn.args[0]), " ".join(turn.args[1:])))
    if done is None:
        return
    unit = escape(done.community.unit)
    amount = tr.amount(abs(done.balance_before), unit)
    moved = (tr("{amount} went from {member} to the community account.", amount=amount,
                member=member_label(done.member, tr)) if done.balance_before > 0 else
             tr("{amount} went from the community account to {member}.", amount=amount,
                member=member_label(done.member, tr)))
    await turn.reply("\n".join([
        tr("✅ Balance settled (T{transfer}). {member}'s balance is now 0.",
           transfer=done.transfer.id, member=member_label(done.member, tr)),
        moved,
        tr("If it was a mistake: /reverse T{transfer} reason", transfer=done.transfer.id),
    ]))
    reason = escape(done.transfer.reason or "")
    community = escape(done.community.name)
    before = done.balance_before
    await turn.notify(done.member, lambda tr: "\n".join([
        tr("A coordinator settled your balance in {community}: it was {balance} and is now 0.",
           community=community, balance=tr.amount(before, unit)),
        tr("Reason: {reason}", reason=reason),
    ]))


async def erase(turn: Turn) -> None:
    """/erase #23 reason: a former member's name and channel ids, after a Confirm."""
    tr = turn.tr
    usage = tr("Usage: /erase #23 reason, e.g. /erase #23 asked by phone on 3/14")
    if not turn.args:
        await turn.reply(usage)
        return
    preview = await with_reason(turn, usage, turn.services.privacy.prepare_erasure(
        turn.actor, member_number(turn.args[0]), " ".join(turn.args[1:])))
    if preview is None:
        return
    member = preview.member
    await turn.reply("\n".join([
        tr("<b>Erase {member}?</b>", member=member_label(member, tr)),
        tr("Their name, username and channel ids are removed for good, and their posts lose "
           "their text. Every trade stays in the ledger, shown as \"{label}\". This can't be "
           "undone.", label=escape(former_member(tr, member.number))),
        tr("Reason: {reason}", reason=escape(preview.reason)),
    ]), keyboard([[button(tr("Erase"), f"er:ok:{preview.request_id}"),
                   button(tr("Cancel"), f"er:no:{preview.request_id}")]]))


async def on_erase(turn: Turn) -> None:
    request_id = parse_id(turn.data)
    if request_id is None:
        return
    tr = turn.tr
    privacy = turn.services.privacy
    try:
        if turn.data.startswith("er:no:"):
            await privacy.cancel_erasure(turn.actor, request_id)
            await turn.edit(tr("Cancelled. Nothing was erased."))
            return
        done = await privacy.confirm_erasure(turn.actor, request_id)
    except DomainError as error:
        if error.code not in _ERASE_FINAL:
            raise
        await turn.answer(error_text(tr, error), alert=True)
        await turn.drop_buttons()
        return
    label = escape(former_member(tr, done.number))
    if not done.newly:
        await turn.answer(tr("That's already done, so I didn't do it again."))
        await turn.drop_buttons()
        return
    await turn.edit(tr("🗑 Erased. The ledger, statements, exports and the audit log now show "
                       "\"{label}\".", label=label))
