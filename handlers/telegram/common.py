"""What the Telegram side shares: the services and the notifier in the Application, who is
writing, buttons as inline keyboards, and sending one message to one user."""

from __future__ import annotations

import logging

from telegram import Bot, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from conversation.notify import Notifier
from conversation.replies import Rows
from core.models import Actor
from core.services import Services
from handlers.telegram.sending import inline_keyboard, send_text

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SERVICES_KEY = "services"
NOTIFIER_KEY = "notifier"
# The process's bot.leader.Leader: whether it runs the jobs that must run once.
LEADER_KEY = "leader"


def clean_text(text: str | None) -> str:
    """Text as it can be stored: lone surrogates (never valid UTF-8) become '?'."""
    if not text:
        return ""
    return text.encode("utf-8", "replace").decode("utf-8")


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[SERVICES_KEY]


async def actor_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Actor:
    user = update.effective_user
    assert user is not None
    return await services_of(context).people.resolve(
        CHANNEL, str(user.id), clean_text(user.full_name), user.username, user.language_code
    )


class TelegramChannel:
    """Sends one message to one Telegram user (the notifier's way onto Telegram)."""

    name = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, address: str, text: str, buttons: Rows) -> bool:
        try:
            await send_text(self._bot, int(address), text, inline_keyboard(buttons))
        except Forbidden:
            log.info("a member has blocked the bot")
            return False
        except TelegramError as error:
            log.warning("could not send to a member: %s", type(error).__name__)
            return False
        return True


def leads(application) -> bool:
    """Whether this process runs the jobs (outbox, reminders, sweep, backup); where no
    leader was set up (tests driving pieces alone) it does."""
    leader = application.bot_data.get(LEADER_KEY)
    return leader is None or leader.leading


def notifier_of(context: ContextTypes.DEFAULT_TYPE) -> Notifier:
    return context.application.bot_data[NOTIFIER_KEY]
