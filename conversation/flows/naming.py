"""A name for someone first met on a messenger that gives none (KakaoTalk): asked once,
before they join a community, since other members pay and find them by it."""

from __future__ import annotations

from html import escape

from conversation.turn import Turn
from core.dialogs import Dialog
from core.errors import DomainError
from core.people import NAME_MAX

DIALOG = "name"


async def ask(turn: Turn, code: str) -> None:
    """Ask for the name; the join with `code` goes ahead once it is given. A wrong code is
    refused first, so nobody answers a question for nothing."""
    community = await turn.services.membership.community_by_code(code)
    await turn.services.dialogs.put(turn.actor.person.id, Dialog(DIALOG, "name", {"code": code}))
    await turn.reply(turn.tr("Before you join {community}, one question: what name should other "
                             "members see? Please send it, e.g. 김영희.",
                             community=escape(community.name)))


async def on_text(turn: Turn, dialog: Dialog) -> None:
    # Imported here: joining asks for a name first (membership imports this module).
    from conversation.flows import membership

    tr = turn.tr
    try:
        name = await turn.services.people.set_name(turn.actor.person.id, turn.message_text,
                                                   finishing=dialog)
    except DomainError as error:
        if error.code != "name_invalid":
            raise
        await turn.reply(tr("Please send just your name, up to {maximum} characters, e.g. "
                            "김영희. (/cancel to stop)", maximum=NAME_MAX))
        return
    await turn.refresh()
    await turn.reply(tr("Thank you, {name}!", name=escape(name)))
    await membership.join_with_code(turn, str(dialog.data.get("code", "")))
