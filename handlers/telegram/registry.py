"""Every Telegram handler, registered in one place."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers.i18n import translator
from handlers.telegram import (
    errors,
    event_dialog,
    events,
    ledger,
    market,
    members,
    membership,
    notices,
    router,
    start,
    stats,
    throttle,
)
from handlers.telegram.common import turn_handler

# Only new messages are read. An edited message would otherwise run again as a new command
# (an edited `/pay #3 50000` sending a second preview, an edited `/reverse T1` reversing
# another transfer); edits get a short note instead (see _edited_message).
NEW = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE & NEW
GROUPS = filters.ChatType.GROUPS & NEW

_COMMANDS = {
    "start": start.start,
    "help": start.show_help,
    "lang": start.choose_language,
    "join": membership.join,
    "switch": membership.switch,
    "approve": membership.applications,
    "newcommunity": membership.new_community,
    "code": membership.invite_code,
    "whoami": start.whoami,
    "balance": ledger.balance,
    "history": ledger.history,
    "pay": ledger.pay,
    "charge": ledger.charge,
    "pending": ledger.pending,
    "reverse": ledger.reverse,
    "offer": market.offer,
    "request": market.request,
    "market": market.market,
    "cancel": market.cancel,
    "sessions": events.sessions,
    "mysessions": events.my_sessions,
    "calendar": events.calendar,
    "newevent": event_dialog.new_event,
    "checkin": events.checkin,
    "settings": events.settings,
    "notice": notices.notice,
    "notices": notices.reports,
    "members": members.members,
    "suspend": members.suspend,
    "reactivate": members.reactivate,
    "limit": members.limit,
    "promote": members.promote,
    "audit": members.audit,
    "stats": stats.stats,
    "export": stats.export,
}

_CALLBACKS = {
    r"^pay:(ok|no):": ledger.on_pay,
    r"^chg:(ok|no|x):": ledger.on_charge,
    r"^hist:": ledger.on_history,
    r"^rev:(ok|no):": ledger.on_reverse,
    r"^pend:": ledger.on_pending_page,
    r"^mkt:": market.on_market_page,
    r"^post:": market.on_post,
    r"^dlg:": market.on_dialog_button,
    r"^app:(ok|no):": membership.on_application,
    r"^lang:": start.on_language,
    r"^cm:": membership.on_switch,
    r"^code:new:": membership.on_code,
    r"^ev:": events.on_event,
    r"^eve:": event_dialog.start_edit,
    r"^evd:": event_dialog.on_button,
    r"^cal:": events.on_calendar,
    r"^set:": events.on_settings,
    r"^ntc:": notices.on_button,
    r"^mem:": members.on_members_page,
    r"^aud:": members.on_audit_page,
}


def register(application: Application) -> None:
    application.bot_data.setdefault(throttle.THROTTLE_KEY, throttle.Throttle())
    application.add_handler(TypeHandler(Update, throttle.guard), group=-1)
    for name, handler in _COMMANDS.items():
        application.add_handler(CommandHandler(name, turn_handler(handler), filters=PRIVATE))
    for pattern, handler in _CALLBACKS.items():
        application.add_handler(CallbackQueryHandler(turn_handler(handler), pattern=pattern))
    application.add_handler(CallbackQueryHandler(turn_handler(_stale_button)))
    application.add_handler(CommandHandler("link", turn_handler(notices.link), filters=GROUPS))
    application.add_handler(
        MessageHandler(GROUPS & filters.COMMAND, turn_handler(notices.in_group))
    )
    application.add_handler(
        MessageHandler(PRIVATE & filters.PHOTO, turn_handler(router.on_photo))
    )
    application.add_handler(
        MessageHandler(PRIVATE & filters.Document.ALL, turn_handler(router.on_document))
    )
    application.add_handler(
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, turn_handler(router.on_text))
    )
    application.add_handler(
        MessageHandler(PRIVATE & filters.COMMAND, turn_handler(start.unknown_command))
    )
    application.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE,
        turn_handler(_edited_message),
    ))
    application.add_error_handler(errors.on_error)


async def _stale_button(turn) -> None:
    await turn.answer(turn.tr("This button no longer works. Please start again."), alert=True)


async def _edited_message(turn) -> None:
    """One short note per edit, in the private chat only: the edit changes nothing."""
    await turn.reply(turn.tr("I don't read edited messages. Please send a new one."))


def bot_commands(locale: str) -> list[BotCommand]:
    tr = translator(locale)
    return [
        BotCommand("balance", tr("Balance and limits")),
        BotCommand("history", tr("Statement")),
        BotCommand("pay", tr("Pay a member")),
        BotCommand("charge", tr("Ask a member to pay you")),
        BotCommand("pending", tr("Open requests")),
        BotCommand("market", tr("Browse the market")),
        BotCommand("offer", tr("Post an offer (드려요)")),
        BotCommand("request", tr("Post a request (구해요)")),
        BotCommand("sessions", tr("Study sessions and meetings")),
        BotCommand("mysessions", tr("My sign-ups")),
        BotCommand("calendar", tr("This month's events")),
        BotCommand("checkin", tr("Check in at an event")),
        BotCommand("settings", tr("Settings")),
        BotCommand("join", tr("Join a community")),
        BotCommand("switch", tr("Change community")),
        BotCommand("lang", tr("Language")),
        BotCommand("whoami", tr("My Telegram user id")),
        BotCommand("help", tr("Help")),
        BotCommand("cancel", tr("Stop what you're doing")),
    ]
