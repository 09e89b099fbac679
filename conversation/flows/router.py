"""Plain text and photos: the menu labels first, then an open dialog (where a typed button
label works as the button), then free text read by the utterance grammar."""

from __future__ import annotations

from conversation import keyboards
from conversation.flows import (
    directory,
    event_dialog,
    labels,
    ledger,
    link,
    market,
    merchants,
    naming,
    notices,
    relay,
    shop_dialog,
    start,
    stories,
    survey_builder,
    survey_opening,
    surveys,
    talk,
    trade,
)
from conversation.i18n import translator
from conversation.turn import Flow as Handler
from conversation.turn import Turn
from conversation.utterances import parse_utterance
from core.amounts import DEFAULT_UNIT
from core.dialogs import Dialog
from core.errors import DomainError
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


def _menu_action(text: str, *, loose: bool = False) -> Handler | None:
    """The menu button whose label this is; `loose` also takes it without its emoji and
    spaces (`대기 요청`), which outside a dialog cannot be meant as anything else."""
    for locale in ("ko", "en"):
        labels_ = keyboards.menu_labels(translator(locale))
        command = labels_.get(text)
        if command is None and loose:
            key = labels.label_key(text)
            command = next((c for label, c in labels_.items()
                            if key and labels.label_key(label) == key), None)
        if command is not None:
            return _MENU_ACTIONS[command]
    return None


async def on_text(turn: Turn) -> None:
    if await link.on_phrase(turn):  # 연결, 연결 123456, 가입 CODE: exact phrases, any channel
        return
    if await surveys.on_phrase(turn):  # 설문: the invitation says so, on every channel
        return
    text = turn.message_text.strip()
    action = _menu_action(text)
    if action is not None:
        await action(turn)
        return
    dialog = await turn.services.dialogs.get(turn.actor.person.id)
    if dialog is not None and await _typed_button(turn, dialog):
        return
    if dialog is not None and dialog.name == REVERSE_DIALOG:
        dialog = None  # a reversal waits for its buttons, not for text
    if dialog is not None:
        await _DIALOG_TEXT.get(dialog.name, market.on_dialog_text)(turn, dialog)
        return
    if await turn.services.delivery.already_processed(turn.update_key):
        return  # a redelivered answer to a dialog that has since ended
    await _outside_dialog(turn)


async def _outside_dialog(turn: Turn) -> None:
    """Free text read as if no dialog were open."""
    if not await _word_command(turn):
        await talk.on_utterance(turn)


async def _word_command(turn: Turn) -> bool:
    """A menu label without its emoji (`대기 요청`) or the shops' word (`가게`, `가맹점 떡`,
    `가게 1234`), done; False for any other text."""
    action = _menu_action(turn.message_text.strip(), loose=True)
    if action is not None:
        await action(turn)
        return True
    return await merchants.on_words(turn)


async def _typed_button(turn: Turn, dialog: Dialog) -> bool:
    """A typed label of the step's buttons works as the tap; `취소`, `그만` leave any dialog."""
    action = await labels.typed_button(turn, dialog)
    if action is not None:
        flow = _action_flow(action)
        if flow is not None:
            await flow(turn.pressing(action))
            return True
    if labels.is_stop(turn.message_text):
        await market.cancel(turn)
        return True
    return False


def _action_flow(action: str) -> Handler | None:
    from conversation.routes import ROUTES  # the routes table imports this module

    for pattern, flow in ROUTES.actions:
        if pattern.match(action):
            return flow
    return None


async def _trade_text(turn: Turn, dialog: Dialog) -> None:
    """Whom or how much, for a pay or charge being started; text that is neither but reads
    as something else (`잔액`, `장터 떡`) leaves the trade and does that instead."""
    if await trade.on_dialog_text(turn, dialog):
        return
    community = turn.actor.community
    intent = parse_utterance(turn.message_text, community.unit if community else DEFAULT_UNIT)
    if intent.name in ("unknown", "confirm"):
        await trade.not_fitting(turn, dialog)
        return
    if intent.name == "cancel":  # `아니요` to "whom?" stops the trade, nothing else
        await market.cancel(turn)
        return
    await turn.services.dialogs.clear(turn.actor.person.id)
    await talk.run(turn, intent)


async def _shop_pay_text(turn: Turn, dialog: Dialog) -> None:
    """The bill (or the smaller 품앗이 part) for a shop; text that is no amount but reads as
    something else (`잔액`, `장터 떡`, `가게 1234`) leaves the payment and does that instead."""
    try:
        await merchants.on_dialog_text(turn, dialog)
    except DomainError as error:
        if not error.code.startswith("amount_"):
            raise
        community = turn.actor.community
        intent = parse_utterance(turn.message_text,
                                 community.unit if community else DEFAULT_UNIT)
        if intent.name in ("unknown", "confirm"):
            if await merchants.on_words(turn):  # `가게 1234` again: that shop, afresh
                return
            raise
        if intent.name == "cancel":
            await market.cancel(turn)
            return
        await turn.services.dialogs.clear(turn.actor.person.id)
        await talk.run(turn, intent)


async def _survey_day_text(turn: Turn, dialog: Dialog) -> None:
    """A survey's opening day; once the survey is no longer the coordinator's to schedule
    (gone out another way, or they switched community), or for text that is no day but reads
    as something else (`잔액`, `이영희에게 500문 보내줘`, `가게 1234`), the question ends and
    the text is read as if it had not been asked."""
    try:
        if await survey_opening.on_text(turn, dialog):
            return
    except DomainError as error:
        if error.code != "when_day_invalid":
            raise
        community = turn.actor.community
        intent = parse_utterance(turn.message_text,
                                 community.unit if community else DEFAULT_UNIT)
        if intent.name in ("unknown", "confirm"):
            try:
                done = await _word_command(turn)  # as in a shop payment: that, instead
            except DomainError:  # it was one (`가게 99번`, no such shop): the question ends
                await survey_opening.leave(turn)
                raise
            if not done:
                raise
            await survey_opening.leave(turn)  # after it, so a shop payment it opened stays
            return
        if intent.name == "cancel":
            await market.cancel(turn)
            return
        await survey_opening.leave(turn)
    await _outside_dialog(turn)


async def on_photo(turn: Turn) -> None:
    dialog = await turn.services.dialogs.get(turn.actor.person.id)
    if dialog is not None and dialog.name == REVERSE_DIALOG:
        dialog = None
    if dialog is not None and dialog.name == notices.DIALOG:
        await notices.on_content(turn, dialog)
        return
    if dialog is not None and dialog.name == stories.DIALOG:
        await stories.on_content(turn, dialog)
        return
    if dialog is not None and dialog.name in (shop_dialog.APPLY, shop_dialog.PROFILE):
        await shop_dialog.on_photo(turn, dialog)
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


# Which flow reads the text typed in each dialog; any other dialog is a market post's.
_DIALOG_TEXT = {
    notices.DIALOG: notices.on_content,
    event_dialog.NEW: event_dialog.on_text,
    event_dialog.EDIT: event_dialog.on_text,
    trade.DIALOG: _trade_text,
    relay.RELAY_DIALOG: relay.on_text,
    directory.INTRO_DIALOG: directory.on_intro_text,
    surveys.DIALOG: surveys.on_text,
    survey_builder.DIALOG: survey_builder.on_text,
    survey_opening.DIALOG: _survey_day_text,
    naming.DIALOG: naming.on_text,
    **dict.fromkeys(shop_dialog.DIALOGS, shop_dialog.on_text),
    merchants.PAY_DIALOG: _shop_pay_text,
    stories.DIALOG: stories.on_content,
}
