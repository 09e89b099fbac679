"""Telegram's side of the wiring: every update goes to the conversation through the adapter.

Which flow answers what is the conversation's business (`conversation/routes.py`); here
only the flood guard, the one handler for messages and buttons, and the error handler."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, TypeHandler, filters

from conversation.i18n import translator
from handlers.telegram import adapter, errors, throttle

PRIVATE = filters.ChatType.PRIVATE
GROUPS = filters.ChatType.GROUPS


def register(application: Application) -> None:
    """Private messages (an edit included: the conversation answers that edits are not
    read), commands in groups, and button presses all go to the conversation."""
    application.bot_data.setdefault(throttle.THROTTLE_KEY, throttle.Throttle())
    application.add_handler(TypeHandler(Update, throttle.guard), group=-1)
    application.add_handler(CallbackQueryHandler(adapter.on_update))
    application.add_handler(MessageHandler(PRIVATE | (GROUPS & filters.COMMAND),
                                           adapter.on_update))
    application.add_error_handler(errors.on_error)


def bot_commands(locale: str) -> list[BotCommand]:
    tr = translator(locale)
    return [
        BotCommand("balance", tr("Balance and limits")),
        BotCommand("history", tr("Statement")),
        BotCommand("pay", tr("Pay a member")),
        BotCommand("charge", tr("Ask a member to pay you")),
        BotCommand("pending", tr("Open requests")),
        BotCommand("market", tr("Browse the market")),
        BotCommand("directory", tr("Members of my community")),
        BotCommand("offer", tr("Post an offer (드려요)")),
        BotCommand("request", tr("Post a request (구해요)")),
        BotCommand("merchants", tr("Shops that take 품앗이")),
        BotCommand("shop", tr("My shop (가맹점)")),
        BotCommand("takings", tr("My shop's takings")),
        BotCommand("sessions", tr("Study sessions and meetings")),
        BotCommand("mysessions", tr("My sign-ups")),
        BotCommand("calendar", tr("This month's events")),
        BotCommand("checkin", tr("Check in at an event")),
        BotCommand("survey", tr("Answer a survey")),
        BotCommand("experts", tr("Find an expert")),
        BotCommand("story", tr("Nominate a best-practice story")),
        BotCommand("settings", tr("Settings")),
        BotCommand("connect", tr("Link KakaoTalk and Telegram")),
        BotCommand("join", tr("Join a community")),
        BotCommand("switch", tr("Change community")),
        BotCommand("mydata", tr("A copy of my data")),
        BotCommand("leave", tr("Leave this community")),
        BotCommand("lang", tr("Language")),
        BotCommand("whoami", tr("My Telegram user id")),
        BotCommand("help", tr("Help")),
        BotCommand("cancel", tr("Stop what you're doing")),
    ]
