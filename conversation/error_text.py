"""Domain error codes as short polite sentences that say what to do next."""

from __future__ import annotations

import html
from collections.abc import Callable

from conversation.error_text_pool import MESSAGES as pool_messages
from conversation.i18n import Translator
from conversation.shop_errors import SHOP_MESSAGES
from core.amounts import DEFAULT_UNIT
from core.errors import DomainError

_Render = Callable[[Translator, dict], str]
REASON_SHOWN = 80

_MESSAGES: dict[str, _Render] = {
    "amount_invalid": lambda tr, p: tr(
        "I couldn't read that amount. Write it like 5000, 5,000, 5천 or 1만5천."
    ),
    "amount_zero": lambda tr, p: tr("The amount must be more than 0. Please enter an amount."),
    "amount_negative": lambda tr, p: tr(
        "The amount can't be negative. To get paid, use /charge instead."
    ),
    "amount_not_whole": lambda tr, p: tr("Amounts are whole numbers. Please drop the decimals."),
    "amount_too_large": lambda tr, p: tr(
        "That amount is too large. The most you can enter is {maximum}.",
        maximum=tr.amount(p["maximum"], p["unit"]),
    ),
    "amount_needed": lambda tr, p: tr("This post has no fixed price. Please enter an amount."),
    "memo_too_long": lambda tr, p: tr(
        "The memo is too long. Please keep it within {maximum} characters.", maximum=p["maximum"]
    ),
    "member_ref_invalid": lambda tr, p: tr(
        "Please name the member as #23, 23 or @username."
    ),
    "member_not_found": lambda tr, p: tr(
        "There is no member {ref} in this community. Did you mean {closest}? Please write the "
        "name or number again.", ref=p.get("ref", ""), closest=_members(p["closest"]),
    ) if p.get("closest") else tr(
        "There is no member {ref} in this community. Please check the number with them.",
        ref=p.get("ref", ""),
    ),
    "member_ambiguous": lambda tr, p: tr(
        "Several members match {ref}: {choices}. Please write the number, e.g. #{number}.",
        ref=p.get("ref", ""), choices=_members(p["choices"]), number=p["choices"][0][0],
    ),
    "member_unavailable": lambda tr, p: tr(
        "That member can't trade right now. Please ask a coordinator."
    ),
    "self_trade": lambda tr, p: tr("You can't trade with yourself. Please choose another member."),
    "over_floor": lambda tr, p: tr(
        "This goes past your credit floor. You can still spend {can_spend}.",
        can_spend=tr.amount(p["can_spend"], p["unit"]),
    ),
    # Says nothing about how close the receiver is, so their balance cannot be probed.
    "over_ceiling": lambda tr, p: tr(
        "That member can't receive this amount right now, so nothing was sent. "
        "Please settle it with them another way, or ask a coordinator."
    ),
    "over_own_ceiling": lambda tr, p: tr(
        "This would put your balance over its ceiling. You can still receive {can_receive}.",
        can_receive=tr.amount(p["can_receive"], p["unit"]),
    ),
    "request_not_found": lambda tr, p: tr("That trade isn't available any more."),
    "request_not_yours": lambda tr, p: tr("Only the member this trade is for can answer it."),
    "request_expired": lambda tr, p: tr(
        "This request has expired. Please start a new one if you still need it."
    ),
    "request_closed": lambda tr, p: _closed_request(tr, p.get("status", "")),
    "preview_expired": lambda tr, p: tr(
        "This payment check has expired or was replaced by a newer one. Nothing was sent. "
        "To pay, please start the payment again."
    ),
    "membership_pending": lambda tr, p: tr(
        "Your application to {community} is waiting for a coordinator. I'll tell you when "
        "it's decided.",
        community=p["community"],
    ),
    "membership_suspended": lambda tr, p: _suspended(tr, p),
    "no_community": lambda tr, p: tr(
        "You're not in a community yet. Join with /join CODE (ask your coordinator for the code)."
    ),
    "not_member": lambda tr, p: tr("You're not an active member of that community."),
    "community_not_found": lambda tr, p: tr(
        "There is no community with the code {code}. The code may have changed: please ask "
        "your coordinator for the current code or invite link.",
        code=p.get("code", ""),
    ),
    "telegram_id_invalid": lambda tr, p: tr(
        "A Telegram user id is a number like 123456789, not {text}. Ask the person to send "
        "/whoami to the bot and use the number it shows.",
        text=p.get("text", ""),
    ),
    "community_code_invalid": lambda tr, p: tr(
        "A community code is 3 to 32 letters, digits, - or _. Please check it."
    ),
    "community_code_taken": lambda tr, p: tr(
        "The code {code} is already used. Please choose another.", code=p.get("code", "")
    ),
    "community_name_invalid": lambda tr, p: tr(
        "Please give the community a name (up to 60 characters)."
    ),
    "community_unit_invalid": lambda tr, p: tr("The currency unit must be 1 to 8 characters."),
    "community_limits_invalid": lambda tr, p: tr(
        "The credit floor must be 0 or less and the ceiling 0 or more."
    ),
    "community_approval_invalid": lambda tr, p: tr("Approval must be auto or coordinator."),
    "not_coordinator": lambda tr, p: tr("Only coordinators of this community can do that."),
    "not_admin": lambda tr, p: tr("Only foundation admins can do that."),
    "application_not_found": lambda tr, p: tr("That application isn't available any more."),
    "transfer_not_found": lambda tr, p: tr(
        "There is no transfer T{transfer_id} that you can correct.", transfer_id=p["transfer_id"]
    ),
    "cannot_reverse_reversal": lambda tr, p: tr(
        "T{transfer_id} is itself a correction and can't be reversed.",
        transfer_id=p["transfer_id"],
    ),
    "already_reversed": lambda tr, p: tr(
        "T{transfer_id} has already been reversed.", transfer_id=p["transfer_id"]
    ),
    "fee_already_refunded": lambda tr, p: tr(
        "T{transfer_id} is an event fee that was already refunded when the sign-up or the "
        "event was cancelled, so there is nothing to reverse.", transfer_id=p["transfer_id"]
    ),
    "reason_required": lambda tr, p: tr(
        "Please give a reason, e.g. /reverse T12 paid twice by mistake"
    ),
    "reversal_reason_short": lambda tr, p: tr(
        "Please give a reason of at least {minimum} characters, e.g. "
        "/reverse T12 paid twice by mistake",
        minimum=p["minimum"],
    ),
    "reversal_not_open": lambda tr, p: tr(
        "This confirmation is already closed (done or cancelled). To check T{transfer_id}, "
        "see the member's statement with /history #23.",
        transfer_id=p["transfer_id"],
    ),
    "history_private": lambda tr, p: tr(
        "Only coordinators can see another member's statement. Your own is at /history."
    ),
    "balance_private": lambda tr, p: tr(
        "Balances are private in this community. You can only see your own."
    ),
    "locale_unsupported": lambda tr, p: tr("Please choose 한국어 or English."),
    "post_not_found": lambda tr, p: tr("That post isn't available any more."),
    "post_closed": lambda tr, p: tr("That post is closed or expired."),
    "post_not_yours": lambda tr, p: tr("Only the author can change this post."),
    "post_title_invalid": lambda tr, p: tr(
        "A title is {minimum} to {maximum} characters. Please write it again.",
        minimum=p["minimum"], maximum=p["maximum"],
    ),
    "post_description_too_long": lambda tr, p: tr(
        "The description is too long. Please keep it within {maximum} characters.",
        maximum=p["maximum"],
    ),
    "post_category_invalid": lambda tr, p: tr("Please choose a category from the buttons."),
    "post_kind_invalid": lambda tr, p: tr("Please start with /offer or /request."),
    "when_invalid": lambda tr, p: tr(
        "I couldn't read that date and time. Try 다음주 화요일 오후 2시, 3월 14일 오후 3시 or "
        "3/14 15:00."
    ),
    "when_ambiguous": lambda tr, p: tr(
        "Is that morning or afternoon? Please add 오전 or 오후, e.g. 오후 3시."
    ),
    "when_this_week_past": lambda tr, p: tr(
        "That day has already passed: {day}. For next week, write e.g. 다음주 화요일 오후 2시.",
        day=tr.date(p["day"]),
    ),
    "when_weekday_mismatch": lambda tr, p: tr(
        "The date and the weekday don't match: it is {day}. Please check and send it again.",
        day=tr.date(p["day"]),
    ),
    "when_impossible": lambda tr, p: tr(
        "That date or time doesn't exist. Please check the month, day and hour."
    ),
    "when_past": lambda tr, p: tr("That time has already passed. Please give a future time."),
    "when_needs_time": lambda tr, p: tr("Please add a time too, e.g. 3/14 15:00."),
    "when_day_invalid": lambda tr, p: tr(
        "I couldn't read that day. Try 내일, 다음주 월요일, 4월 1일 or 2026-04-01."),
    "survey_opens_invalid": lambda tr, p: tr(
        "Please choose an opening day from tomorrow to {days} days on. To send it today, tap "
        "Send now.", days=p["days"]),
    "when_end_before_start": lambda tr, p: tr(
        "The end must be after the start. Please give a later time."
    ),
    "when_too_long": lambda tr, p: tr("An event can last at most 14 days."),
    "event_kind_invalid": lambda tr, p: tr("Please choose the kind of event from the buttons."),
    "event_capacity_invalid": lambda tr, p: tr(
        "Seats must be a number from 1 to 10000, like 20명. For no limit, write 없음."
    ),
    "event_audience_invalid": lambda tr, p: tr("Please choose who it is for from the buttons."),
    "event_all_no_currency": lambda tr, p: tr(
        "Events for all communities can't have a fee or reward (each community has its own "
        "currency)."
    ),
    "event_not_found": lambda tr, p: tr("That event isn't available. See /sessions."),
    "event_cancelled": lambda tr, p: tr("That event was cancelled. See /sessions for others."),
    "event_started": lambda tr, p: tr("That event has already started. See /sessions."),
    "event_full": lambda tr, p: tr(
        "It's full. Tap 'Join the waiting list' and I'll tell you if a seat opens."
    ),
    "event_not_signed_up": lambda tr, p: tr("You're not signed up for that event."),
    "member_not_signed_up": lambda tr, p: tr(
        "That member isn't signed up for this event, so they can't be checked in."
    ),
    "checkin_code_invalid": lambda tr, p: tr(
        "That check-in code doesn't match an event. Please ask the coordinator for it."
    ),
    "checkin_code_wrong": lambda tr, p: tr(
        "That code doesn't match. Please check it with the coordinator (tries left: {left}).",
        left=p["left"],
    ) if p["left"] > 0 else tr(
        "That code doesn't match, and that was the last try. Please ask the coordinator to "
        "check you in."
    ),
    "checkin_locked": lambda tr, p: tr(
        "Too many wrong codes for this event. Please ask the coordinator to check you in."
    ),
    "checkin_not_open": lambda tr, p: tr(
        "Check-in for {title} is open from {opens} to {closes}. Please send the code then.",
        title=p["title"], opens=tr.datetime(p["opens"]), closes=tr.datetime(p["closes"]),
    ),
    "checkin_not_yet": lambda tr, p: tr(
        "Check-in opens at {opens}, a little before the start. Please take attendance then.",
        opens=tr.datetime(p["opens"]),
    ),
    "checkin_nothing_open": lambda tr, p: tr(
        "None of your sign-ups is open for check-in now. Check-in opens {minutes} minutes "
        "before the start; to attend, sign up in /sessions first.",
        minutes=p["minutes"],
    ),
    "event_orientation_fee": lambda tr, p: tr(
        "An orientation can't have a fee: new members can't pay before they attend it."
    ),
    "event_fee_orientation_needed": lambda tr, p: tr(
        "This event has a fee, and your account opens only after you attend an orientation. "
        "Please sign up for an orientation first (see /sessions)."
    ),
    "reminder_hours_invalid": lambda tr, p: tr(
        "Reminder hours are whole hours before the event, e.g. 24,1."
    ),
    "notice_empty": lambda tr, p: tr("The notice is empty. Please send some text or a photo."),
    "notice_caption_too_long": lambda tr, p: tr(
        "With a photo or file, the text can be at most {maximum} characters. Please shorten "
        "it and send it again.", maximum=p["maximum"]
    ),
    "dialog_already_done": lambda tr, p: tr("That's already done, so I didn't do it again."),
    "notice_audience_invalid": lambda tr, p: tr("Please choose the audience from the buttons."),
    "notice_days_invalid": lambda tr, p: tr("Please choose the number of days from the buttons."),
    "notice_not_found": lambda tr, p: tr("That notice isn't available. See /notices."),
    "no_coordinator": lambda tr, p: tr(
        "This community has no coordinator yet. Appoint one with pumasi coordinator add."
    ),
    "orientation_needed": lambda tr, p: tr(
        "Your account opens after you attend an orientation. See /sessions to sign up."
    ),
    "leave_balance": lambda tr, p: tr(
        "Your balance in {community} is {balance}. Before you leave, a coordinator settles it "
        "to 0 with the community account: please ask them to send /settle #{number} with a "
        "reason, then send /leave again.",
        community=p["community"], balance=tr.amount(p["balance"], p["unit"]),
        number=p["number"],
    ),
    "leave_last_coordinator": lambda tr, p: tr(
        "You're the only coordinator of {community}. Please make another member coordinator "
        "with /promote #23 first, then send /leave again.", community=p["community"],
    ),
    "settle_self": lambda tr, p: tr(
        "Another coordinator must settle your own balance. Please ask one of them."
    ),
    "settle_nothing": lambda tr, p: tr(
        "The balance of #{number} is already 0. Nothing to settle.", number=p["number"]
    ),
    "erase_not_left": lambda tr, p: tr(
        "#{number} is still a member. Only a former member can be erased: they leave with "
        "/leave first.", number=p["number"],
    ),
    "erase_balance": lambda tr, p: tr(
        "The balance of #{number} isn't 0. Please settle it first: /settle #{number} reason",
        number=p["number"],
    ),
    "erase_member_elsewhere": lambda tr, p: tr(
        "#{number} still belongs to another community on this bot, so their name can't be "
        "erased yet. Please ask the foundation admin.", number=p["number"],
    ),
    "already_erased": lambda tr, p: tr(
        "#{number} has already been erased.", number=p["number"]
    ),
    "erasure_not_open": lambda tr, p: tr(
        "This confirmation has expired or is closed. To erase #{number}, send /erase #{number} "
        "reason again.", number=p["number"],
    ),
    "erasure_not_found": lambda tr, p: tr("That erasure isn't available."),
    "survey_key_twice": lambda tr, p: tr(
        "The survey file gives “{key}” twice (line {line}). Please keep one of them.",
        key=p["key"], line=p["line"]),
    "survey_yaml_invalid": lambda tr, p: tr(
        "The survey file could not be read (line {line}). Please check it against the example "
        "in the README.", line=p.get("line", 0)),
    "survey_no_questions": lambda tr, p: tr(
        "The survey has no questions. Please add at least one under questions."),
    "survey_question_kind": lambda tr, p: tr(
        "Question {number}: the kind must be scale, choice, multi or text.",
        number=p["number"]),
    "survey_question_text": lambda tr, p: tr(
        "Question {number}: please write the question (at most 300 characters).",
        number=p["number"]),
    "survey_options_missing": lambda tr, p: tr(
        "Question {number}: please give 2 to 10 different options, each at most 40 "
        "characters.", number=p["number"]),
    "survey_question_optional": lambda tr, p: tr(
        "Question {number}: optional must be yes or no.", number=p["number"]),
    "survey_title_missing": lambda tr, p: tr(
        "Please give the survey a title of at most {maximum} characters.",
        maximum=p.get("maximum", 100)),
    "survey_too_many_questions": lambda tr, p: tr(
        "A survey can have at most {maximum} questions. Please split it in two.",
        maximum=p["maximum"]),
    "survey_audience_invalid": lambda tr, p: tr(
        "The audience must be all, coordinators, active or inactive (with audience_days), or "
        "event (with audience_event)."),
    "survey_days_invalid": lambda tr, p: tr(
        "Please give audience_days as a number of days from 1 to 3650."),
    "survey_date_invalid": lambda tr, p: tr(
        "{field}: “{text}” is not a date. Please write it as YYYY-MM-DD.",
        field=p["field"], text=p["text"]),
    "survey_dates_order": lambda tr, p: tr(
        "The closing day is before the opening day. Please swap them."),
    "survey_closes_past": lambda tr, p: tr(
        "The closing day has already passed. Please choose a later day."),
    "survey_closes_soon": lambda tr, p: tr(
        "The closing day has passed (or is less than an hour away), so it was not sent. "
        "Choose a new closing day below, then send it."),
    "survey_already_sent": lambda tr, p: tr(
        "This survey has already been sent. See its results in /surveys."),
    "survey_not_open": lambda tr, p: tr("This survey is not open. See /surveys."),
    "survey_not_found": lambda tr, p: tr("That survey isn't available. See /surveys."),
    "survey_no_coordinator": lambda tr, p: tr(
        "This community has no coordinator to send the survey in their name. Appoint one with "
        "pumasi coordinator add."),
    "survey_answered": lambda tr, p: tr("You have already answered this survey. Thank you!"),
    "survey_closed": lambda tr, p: tr("This survey is closed. Thank you for your interest!"),
    "survey_not_invited": lambda tr, p: tr(
        "This survey was not sent to you. Send /survey to see the ones waiting for you."),
    "survey_step_over": lambda tr, p: tr(
        "This question is over. Send /survey to go on where you left off."),
    "survey_answer_needed": lambda tr, p: tr(
        "This question needs an answer. Please choose or write one."),
    "survey_pick_one": lambda tr, p: tr("Please tick at least one option, then tap Done."),
    "survey_key_unknown": lambda tr, p: _unknown_key(tr, p, tr(
        "The survey file has an unknown key “{key}”. The keys a survey can have are: "
        "{allowed}.", key=p["key"], allowed=p["allowed"])),
    "survey_question_key_unknown": lambda tr, p: _unknown_key(tr, p, tr(
        "Question {number}: unknown key “{key}”. The keys a question can have are: "
        "{allowed}.", number=p["number"], key=p["key"], allowed=p["allowed"])),
    "survey_column_unknown": lambda tr, p: _unknown_key(tr, p, tr(
        "The CSV has an unknown column “{key}”. The columns can be: {allowed}.",
        key=p["key"], allowed=p["allowed"])),
    "survey_row_too_long": lambda tr, p: tr(
        "Question {number}: the row has more values than the header has columns. Please "
        "separate the options with | (not commas), or put the text in quotes.",
        number=p["number"]),
    **SHOP_MESSAGES,
}
_MESSAGES.update(pool_messages)


def _unknown_key(tr: Translator, p: dict, sentence: str) -> str:
    if not p.get("suggestion"):
        return sentence
    return sentence + " " + tr("Did you mean “{key}”?", key=p["suggestion"])


def _members(members: tuple[tuple[int, str], ...]) -> str:
    """`#23 김영희, #31 김영희` from (number, name) pairs; names are user text, so escaped."""
    return ", ".join(f"#{number} {html.escape(name)}" for number, name in members)


def _suspended(tr: Translator, p: dict) -> str:
    """Which community, the coordinator's reason, and whom to contact, when known."""
    if not p.get("community"):
        return tr("Your membership is suspended, so you can't trade now. Please contact a "
                  "coordinator.")
    return "\n".join([
        tr("Your membership in {community} is suspended, so you can't do this now.",
           community=p["community"]),
        suspension_details(tr, p)])


def suspension_details(tr: Translator, p: dict) -> str:
    """The coordinator's reason for a suspension, when given, and whom to contact."""
    lines = []
    if p.get("reason"):
        # Cut so the whole refusal fits a button's alert (200 characters).
        reason = html.unescape(p["reason"])
        if len(reason) > REASON_SHOWN:
            reason = reason[:REASON_SHOWN - 1] + "…"
        lines.append(tr("Reason: {reason}", reason=html.escape(reason)))
    lines.append(contact_line(tr, p))
    return "\n".join(lines)


def contact_line(tr: Translator, p: dict) -> str:
    """A coordinator to contact: name, member number and @username, never a channel id."""
    if not p.get("contact_name"):
        return tr("Please contact a coordinator of the community.")
    details = f"#{p['contact_number']}" if p.get("contact_number") else ""
    if p.get("contact_username"):
        details = ", ".join(part for part in (details, f"@{p['contact_username']}") if part)
    contact = f"{p['contact_name']} ({details})" if details else p["contact_name"]
    return tr("Please contact coordinator {contact}.", contact=contact)


def _closed_request(tr: Translator, status: str) -> str:
    if status == "committed":
        return tr("This trade is already done.")
    if status == "declined":
        return tr("This request was declined.")
    if status == "cancelled":
        return tr("This request was cancelled.")
    return tr("This request is closed.")


def error_text(tr: Translator, error: DomainError, unit: str = DEFAULT_UNIT) -> str:
    """The sentence for an error, with every piece of user text HTML-escaped; amounts carry
    `unit`, the currency of the community the person is acting in."""
    render = _MESSAGES.get(error.code)
    if render is None:
        return tr("Something went wrong. Please try again in a moment.")
    params = {
        key: html.escape(value) if isinstance(value, str) else value
        for key, value in error.params.items()
    }
    params.setdefault("unit", html.escape(unit))
    return render(tr, params)
