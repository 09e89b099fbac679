"""✉️ 연락하기: a message to a post's author or a member, carried by the bot, and the answer
back. Nobody sees anyone's messenger id or username: names and member numbers only."""

from __future__ import annotations

from html import escape

from conversation import keyboards
from conversation.i18n import Translator
from conversation.turn import Turn, parse_id
from core.dialogs import Dialog
from core.errors import DomainError
from core.models import Member
from core.relay import (
    DIALOG_LIFETIME,
    PER_HOUR,
    PER_PAIR_PER_DAY,
    RELAY_DIALOG,
    RELAY_TEXT_MAX,
    Relay,
)


def who(member: Member) -> str:
    """`김영희 (#1)`: how a relayed message names a member."""
    return f"{escape(member.display_name)} (#{member.number})"


def _refusal(tr: Translator, status: str, member: Member | None) -> str:
    if status == "declines" and member is not None:
        return tr("{name} isn't taking messages through the bot right now. A coordinator can "
                  "help you reach them.", name=who(member))
    if status == "sender_off":
        return tr("You've turned messages off in /settings, so no one could answer you. Please "
                  "turn them on there first.")
    if status == "self":
        return tr("That's you: there's no one to send it to.")
    if status == "stale":
        return tr("This button no longer works. Please start again.")
    return tr("This member can't receive messages right now.")


async def on_button(turn: Turn) -> None:
    """`rly:p:<post>`, `rly:m:<member>`, `rly:r:<relayed message>` open the dialog;
    `rly:cancel` ends it."""
    tr = turn.tr
    data = turn.data
    if data == "rly:cancel":
        await turn.dialog_for_button(RELAY_DIALOG, stopped=tr("Stopped. Nothing was sent."),
                                     over=tr("This step is over."))
        return
    kind, target = data.split(":")[1], parse_id(data)
    if kind not in ("p", "m", "r") or target is None:
        return
    start = await turn.services.relay.begin(
        turn.actor, post_id=target if kind == "p" else None,
        membership_id=target if kind == "m" else None, reply_to=target if kind == "r" else None)
    if start.status != "ok" or start.recipient is None:
        await turn.answer(_refusal(tr, start.status, start.recipient), alert=True)
        return
    name = who(start.recipient)
    if start.is_reply:
        ask = tr("↩️ What would you like to answer {name}?", name=name)
    elif start.post_title is not None:
        ask = tr("✉️ What would you like to say to {name} about “{title}”?", name=name,
                 title=escape(start.post_title))
    else:
        ask = tr("✉️ What would you like to say to {name}?", name=name)
    await turn.reply(ask + "\n" + tr("Write it in one message. They'll see your name and member "
                                     "number, nothing else. (/cancel to stop)"),
                     keyboards.relay_cancel(tr))


async def on_text(turn: Turn, dialog: Dialog) -> None:
    """The member's message, relayed once (see core.relay)."""
    tr = turn.tr
    result = await turn.services.relay.send(turn.actor, dialog, turn.message_text)
    status = result.status
    if status == "sent" and result.relay is not None:
        relay = result.relay
        await turn.reply(tr("✉️ Sent to {name}. Their answer will come here.",
                            name=who(relay.recipient)))
        await turn.notify(relay.recipient, lambda tr: relayed_text(tr, relay),
                          lambda tr: keyboards.relay_reply(tr, relay.id))
    elif status == "empty":
        await turn.reply(tr("Please write your message in words."))
    elif status == "too_long":
        await turn.reply(tr("That's a bit long. Please keep it to {maximum} characters and send "
                            "it again.", maximum=RELAY_TEXT_MAX))
    elif status == "expired":
        await turn.reply(tr("That wasn't sent: more than {minutes} minutes passed after you "
                            "tapped ✉️ Contact. Please tap it again.",
                            minutes=int(DIALOG_LIFETIME.total_seconds() // 60)))
    elif status == "suspended":
        raise DomainError("membership_suspended", community_id=result.community_id)
    elif status == "hour_limit":
        await turn.reply(tr("Nothing was sent: you've sent {count} messages in the last hour, "
                            "as many as I can pass on. Please try again in a while.",
                            count=PER_HOUR))
    elif status == "pair_limit" and result.recipient is not None:
        await turn.reply(tr("Nothing was sent: you've sent {name} {count} messages today, as "
                            "many as I can pass on in a day. Please try again tomorrow.",
                            name=who(result.recipient), count=PER_PAIR_PER_DAY))
    else:
        await turn.reply(tr("Nothing was sent.") + " " + _refusal(tr, status, result.recipient))


def relayed_text(tr: Translator, relay: Relay) -> str:
    """What the recipient reads. The sender is named by name and member number only."""
    name = who(relay.sender)
    title = escape(relay.post_title) if relay.post_title is not None else None
    if relay.is_reply:
        head = (tr("↩️ {name} answered about “{title}”:", name=name, title=title) if title
                else tr("↩️ {name} answered:", name=name))
    else:
        head = (tr("✉️ {name} asks about “{title}”:", name=name, title=title) if title
                else tr("✉️ {name} sent you a message:", name=name))
    return "\n".join([head, escape(relay.text), "", tr(
        "<i>Passed on by the bot: tap Reply to answer. Only names and member numbers are "
        "shared. You can turn messages off in /settings.</i>")])
