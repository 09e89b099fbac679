"""Messages, photos, edits and button answers sent without reading Telegram's answer back.

python-telegram-bot turns every answered message into a Message object, buttons and text
entities included: for a statement of ten lines with its buttons that is about a third of
the time /history takes, and nothing here ever reads that object. These calls go through the
same Bot (its request, its rate limiter, its errors: BadRequest, Forbidden, RetryAfter …)
with the answer left as Telegram's JSON. The keyboards are written as the Bot API's JSON
for the same reason: building button objects only to turn them back into JSON is work too.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Bot, InputFile
from telegram.constants import ParseMode
from telegram.warnings import PTBUserWarning

from conversation.replies import Menu, Rows

# do_api_request suggests the typed method for an endpoint it knows; here the raw answer is
# the point.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.\w+' instead of",
                        category=PTBUserWarning)

Markup = dict[str, Any]


def inline_keyboard(buttons: Rows | None) -> Markup | None:
    if not buttons:
        return None
    return {"inline_keyboard": [
        [{"text": b.label, "url": b.url} if b.url else
         {"text": b.label, "callback_data": b.action} for b in row]
        for row in buttons
    ]}


def menu_keyboard(menu: Menu) -> Markup:
    return {"keyboard": [[{"text": label} for label in row] for row in menu.labels],
            "resize_keyboard": True}


async def send_text(bot: Bot, chat_id: int | str, text: str,
                    markup: Markup | None = None) -> None:
    await _call(bot, "sendMessage", chat_id=chat_id, text=text, parse_mode=ParseMode.HTML,
                reply_markup=markup)


async def send_photo(bot: Bot, chat_id: int | str, photo: str | InputFile,
                     caption: str | None, markup: Markup | None = None) -> None:
    """A photo by Telegram's file id, or uploaded (an InputFile)."""
    await _call(bot, "sendPhoto", chat_id=chat_id, photo=photo, caption=caption,
                parse_mode=ParseMode.HTML if caption else None, reply_markup=markup)


async def edit_text(bot: Bot, chat_id: int | str, message_id: int, text: str,
                    markup: Markup | None, *, caption: bool = False) -> None:
    """Replace a message's text, or a photo's caption, and its buttons."""
    if caption:
        await _call(bot, "editMessageCaption", chat_id=chat_id, message_id=message_id,
                    caption=text, parse_mode=ParseMode.HTML, reply_markup=markup)
    else:
        await _call(bot, "editMessageText", chat_id=chat_id, message_id=message_id,
                    text=text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def drop_buttons(bot: Bot, chat_id: int | str, message_id: int) -> None:
    await _call(bot, "editMessageReplyMarkup", chat_id=chat_id, message_id=message_id)


async def answer_button(bot: Bot, query_id: str, text: str | None = None,
                        alert: bool = False) -> None:
    await _call(bot, "answerCallbackQuery", callback_query_id=query_id, text=text,
                show_alert=alert or None)


async def _call(bot: Bot, endpoint: str, **params: Any) -> None:
    await bot.do_api_request(
        endpoint, api_kwargs={key: value for key, value in params.items() if value is not None})
