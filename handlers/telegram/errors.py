"""The global error handler: log the failure, tell the user briefly, never show a traceback."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from conversation.i18n import translator
from handlers.telegram.common import services_of

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    locale = None
    user = update.effective_user
    try:
        if user is not None:
            actor = await services_of(context).people.resolve(
                "telegram", str(user.id), user.full_name, user.username, user.language_code
            )
            locale = actor.locale
    except Exception:  # the database may be what failed; answer in the default language
        log.debug("could not load the user's language", exc_info=True)
    tr = translator(locale)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(
                tr("Sorry, something went wrong. Please try again."), show_alert=True
            )
        else:
            await context.bot.send_message(
                update.effective_chat.id,
                tr("Sorry, something went wrong on my side. Please try again in a moment."),
            )
    except Exception:
        log.warning("could not tell the user about the error", exc_info=True)
