"""Plain text and photos: an open dialog takes them first, then the menu labels."""

from __future__ import annotations

from conversation import keyboards
from conversation.flows import (
    directory,
    event_dialog,
    ledger,
    link,
    market,
    naming,
    notices,
    relay,
    start,
)
from conversation.i18n import translator
from conversation.turn import Flow as Handler
from conversation.turn import Turn
from core.ledger import REVERSE_DIALOG

_MENU_ACTIONS: dict[str, Handler] = {
    "balance": ledger.balance,
    "history": ledger.history,
    "market": market.market,
    "pending": ledger.pending,
    "offer": market.offer,
    "request": market.request,
    "directory": directory.directory,
    "help": start.show_help,
}


def _menu_action(text: str) -> Handler | None:
    for locale in ("ko", "en"):
        command = keyboards.menu_labels(translator(locale)).get(text)
        if command is not None:
            return _MENU_ACTIONS[command]
    return None


async def on_text(turn: Turn) -> None:
    if await link.on_phrase(turn):  # 연결, 연결 123456, 가입 CODE: exact phrases, any channel
        return
    text = turn.message_text.strip()
    action = _menu_action(text)
    if action is not None:
        await action(turn)
        return
    dialog = await turn.services.dialogs.get(turn.actor.person.id)
    if dialog is not None and dialog.name == REVERSE_DIALOG:
        dialog = None  # a reversal waits for its buttons, not for text
    if dialog is not None and dialog.name == notices.DIALOG:
        await notices.on_content(turn, dialog)
        return
    if dialog is not None and dialog.name in (event_dialog.NEW, event_dialog.EDIT):
        await event_dialog.on_text(turn, dialog)
        return
    if dialog is not None and dialog.name == relay.RELAY_DIALOG:
        await relay.on_text(turn, dialog)
        return
    if dialog is not None and dialog.name == directory.INTRO_DIALOG:
        await directory.on_intro_text(turn, dialog)
    if dialog is not None and dialog.name == naming.DIALOG:
        await naming.on_text(turn, dialog)
        return
    if dialog is not None:
        await market.on_dialog_text(turn, dialog)
        return
    if await turn.services.delivery.already_processed(turn.update_key):
        return  # a redelivered answer to a dialog that has since ended
    await start.not_understood(turn)


async def on_photo(turn: Turn) -> None:
    dialog = await turn.services.dialogs.get(turn.actor.person.id)
    if dialog is not None and dialog.name == REVERSE_DIALOG:
        dialog = None
    if dialog is not None and dialog.name == notices.DIALOG:
        await notices.on_content(turn, dialog)
        return
    if dialog is not None:
        await market.on_dialog_photo(turn, dialog)
        return
    await turn.reply(turn.tr("Nice photo! To post it, start with /offer or /request."))


async def on_document(turn: Turn) -> None:
    dialog = await turn.services.dialogs.get(turn.actor.person.id)
    if dialog is not None and dialog.name == notices.DIALOG:
        await notices.on_content(turn, dialog)
        return
    await start.not_understood(turn)
