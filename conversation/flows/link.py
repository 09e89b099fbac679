"""One person on every messenger: `/connect` or `연결` makes a one-time code, `연결 123456` on
another messenger joins the two into one person; in /settings, where notifications go."""

from __future__ import annotations

import re
from html import escape

from conversation import keyboards
from conversation.flows import membership
from conversation.i18n import Translator, translator
from conversation.replies import Button
from conversation.turn import Turn
from core.linking import CODE_TTL, LinkResult
from core.models import Member

button = keyboards.button

CONNECT_ACTION = "set:link"
CHANNEL_ACTION = "set:ch:"  # + a channel name, or "last" for the one used last
LAST = "last"

# The phrases typed on any messenger (KakaoTalk has no commands): exact, so that ordinary
# sentences, post titles or names never match.
_CONNECT = re.compile(r"^연결(?:\s*(\d{1,12}))?$")
_JOIN = re.compile(r"^가입\s+([A-Za-z0-9_-]{1,40})$")


def channel_label(tr: Translator, channel: str) -> str:
    labels = {"telegram": tr("Telegram"), "kakao": tr("KakaoTalk"),
              "console": tr("the console")}
    return labels.get(channel, channel)


async def on_phrase(turn: Turn) -> bool:
    """`연결`, `연결 123456` and `가입 CODE` typed as text; False for anything else."""
    text = turn.message_text.strip()
    found = _CONNECT.match(text)
    if found:
        if found.group(1) is None:
            await make_code(turn)
        else:
            await use_code(turn, found.group(1))
        return True
    found = _JOIN.match(text)
    if found:
        await membership.join_with_code(turn, found.group(1))
        return True
    return False


async def connect(turn: Turn) -> None:
    """/connect makes a code; /connect 123456 uses one made on another messenger."""
    if turn.args:
        await use_code(turn, turn.args[0])
    else:
        await make_code(turn)


async def make_code(turn: Turn) -> None:
    sender = turn.event.sender
    made = await turn.services.linking.new_code(turn.actor.person.id, sender.channel,
                                                sender.external_id)
    tr = turn.tr
    minutes = int(CODE_TTL.total_seconds() // 60)
    await turn.reply("\n".join([
        tr("🔗 Your link code: <b>{code}</b>", code=made.code),
        tr("Within {minutes} minutes (until {deadline}), send this to me from your other "
           "messenger (KakaoTalk or Telegram): 연결 {code}",
           minutes=minutes, deadline=tr.datetime(made.expires_at), code=made.code),
        tr("Then both are one account: the same balance and communities on each."),
        tr("Don't give this code to anyone: whoever sends it gets your account."),
    ]))


async def use_code(turn: Turn, code: str) -> None:
    sender = turn.event.sender
    result = await turn.services.linking.link(sender.channel, sender.external_id, code)
    if result.linked:
        await _linked(turn, result)
        return
    await turn.reply(_refusal(turn.tr, result))


async def _linked(turn: Turn, result: LinkResult) -> None:
    assert result.person_id is not None and result.maker is not None
    turn.actor = await turn.services.people.reload(result.person_id,
                                                   is_admin=turn.actor.is_admin)
    turn.tr = tr = translator(turn.actor.locale)
    channels = await turn.services.linking.channels(result.person_id)
    lines = [tr("✅ Linked! {channels} are now one account, with the same balance and "
                "communities on each.",
                channels=" · ".join(channel_label(tr, c) for c in channels))]
    if turn.actor.community is not None and turn.actor.membership is not None:
        lines.append(tr("You're in {community} as #{number}.",
                        community=escape(turn.actor.community.name),
                        number=turn.actor.membership.number))
    lines.append(tr("Choose where notifications come in /settings."))
    await turn.reply("\n".join(lines), keyboards.main_menu(tr))
    # Whoever made the code hears of it where they made it: if it was not them, they know.
    used_on = turn.event.sender.channel
    await turn.notify(_at(result.maker, result.person_id, turn.actor.locale), lambda tr: tr(
        "🔗 Your code was used: {channel} is now linked to this account. If that wasn't you, "
        "please tell a coordinator right away.", channel=channel_label(tr, used_on)))


def _at(address: tuple[str, str], person_id: int, locale: str | None) -> Member:
    """The person at one of their addresses, for a message about their identities (not a
    membership: a person may have none yet)."""
    return Member(membership_id=0, community_id=0, person_id=person_id, number=None,
                  display_name="", username=None, locale=locale, role="member",
                  status="active", addresses={address[0]: address[1]})


def _refusal(tr: Translator, result: LinkResult) -> str:
    again = tr("Send 연결 on your other messenger to get a new code.")
    if result.status == "already":
        return tr("These are already linked. Nothing more to do.")
    if result.status == "wrong":
        return tr("That code isn't right. Please check the 6 digits and send it again "
                  "({left} tries left this hour).", left=max(result.tries_left or 0, 0))
    if result.status == "expired":
        return tr("That code has expired (a code lasts 10 minutes).") + " " + again
    if result.status == "used":
        return tr("That code has already been used.") + " " + again
    if result.status == "too_many":
        return tr("Too many codes that didn't work. Please try again after {time}.",
                  time=tr.datetime(result.retry_at)) if result.retry_at else again
    if result.status == "own":
        return tr("That's the code you made here. Please send it to me from your other "
                  "messenger.")
    if result.status == "same_channel":
        return tr("Both accounts are on {channel}. Only accounts on different messengers can "
                  "be linked.", channel=channel_label(tr, result.channel or ""))
    if result.status == "conflict":
        names = ", ".join(escape(name) for name in result.communities)
        return tr("Both accounts are members of {communities}, and one person has one account "
                  "in a community, so I didn't link them. Please ask a coordinator of "
                  "{communities} to settle one of the two first.", communities=names)
    return again


# ----- /settings: where notifications go, and linking ----------------------------------------

async def settings_part(turn: Turn) -> tuple[list[str], list[list[Button]]]:
    """Lines and buttons /settings shows for the person's messengers."""
    tr = turn.tr
    person_id = turn.actor.person.id
    channels = await turn.services.linking.channels(person_id)
    rows: list[list[Button]] = []
    lines: list[str] = []
    if len(channels) > 1:
        chosen, last = await turn.services.people.notify_choice(person_id)
        if chosen in channels:
            lines.append(tr("Notifications: on {channel}", channel=channel_label(tr, chosen)))
        else:
            lines.append(tr("Notifications: where you wrote last ({channel})",
                            channel=channel_label(tr, last or channels[0])))
        rows += [[button(tr("Get notifications on {channel}", channel=channel_label(tr, c)),
                         CHANNEL_ACTION + c)] for c in channels if c != chosen]
        if chosen in channels:
            rows.append([button(tr("Notifications where I wrote last"), CHANNEL_ACTION + LAST)])
    rows.append([button(tr("🔗 Link another messenger"), CONNECT_ACTION)])
    return lines, rows


async def choose_channel(turn: Turn) -> bool:
    """A tap on a notification-channel button; False (and an alert) for a stale one."""
    choice = turn.data[len(CHANNEL_ACTION):]
    person_id = turn.actor.person.id
    tr = turn.tr
    if choice != LAST and choice not in await turn.services.linking.channels(person_id):
        await turn.answer(tr("This button no longer works. Please open /settings again."),
                          alert=True)
        return False
    await turn.services.people.set_notify_channel(person_id, None if choice == LAST else choice)
    await turn.answer(tr("Notifications will come where you wrote last.") if choice == LAST
                      else tr("Notifications will come on {channel}.",
                              channel=channel_label(tr, choice)))
    return True
