"""Telegram ⇄ conversation: an update becomes an Event, an Outcome becomes Bot API calls."""

from __future__ import annotations

import logging
from functools import partial

from telegram import (
    Bot,
    InputFile,
    Message,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, TelegramError
from telegram.ext import ContextTypes

from conversation.app import Conversation
from conversation.event import ChannelInfo, Event, Sender
from conversation.replies import (
    DropButtons,
    Edit,
    File,
    Outcome,
    Photo,
    Say,
    Toast,
)
from handlers.telegram.background import background_of
from handlers.telegram.common import CHANNEL, clean_text, notifier_of, services_of
from handlers.telegram.outbox import group_refused
from handlers.telegram.sending import (
    answer_button,
    drop_buttons,
    edit_text,
    inline_keyboard,
    menu_keyboard,
    send_photo,
    send_text,
)

log = logging.getLogger(__name__)

CONVERSATION_KEY = "conversation"


def event_from_update(update: Update, bot_username: str | None) -> Event | None:
    """The conversation's view of an update; None for updates it has nothing to say to."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot or chat is None:
        return None
    sender = Sender(CHANNEL, str(user.id), clean_text(user.full_name), user.username,
                    user.language_code)
    channel = ChannelInfo(
        CHANNEL, start_link=f"https://t.me/{bot_username}?start=" if bot_username else None
    )
    base = {"sender": sender, "channel": channel, "update_key": f"{CHANNEL}:{update.update_id}",
            "chat": str(chat.id), "private": chat.type == "private"}
    query = update.callback_query
    if query is not None:
        on_photo = bool(query.message is not None and getattr(query.message, "photo", None))
        return Event(request_key=f"tg:cb:{query.id}", action=clean_text(query.data) or "",
                     on_photo=on_photo, **base)
    message = update.effective_message
    if message is None:
        return None
    text = clean_text(message.text or message.caption)
    command, args = _command(message, text)
    return Event(
        request_key=f"tg:msg:{message.chat_id}:{message.message_id}", text=text,
        command=command, args=args,
        photo=message.photo[-1].file_id if message.photo else None,
        document=message.document.file_id if message.document else None,
        edited=update.edited_message is not None, **base,
    )


def _command(message: Message, text: str) -> tuple[str | None, tuple[str, ...]]:
    entities = message.entities or ()
    if not entities or entities[0].type != "bot_command" or entities[0].offset != 0:
        return None, ()
    words = text.split()
    return words[0][1:].split("@", 1)[0].lower(), tuple(words[1:])


async def render(outcome: Outcome, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the replies in order; the other members and groups are told in the background,
    so the sender's update is done without waiting for them."""
    chat = update.effective_chat
    query = update.callback_query
    bot = context.bot
    for reply in outcome.replies:
        if isinstance(reply, Say):
            markup = menu_keyboard(reply.menu) if reply.menu else inline_keyboard(reply.buttons)
            await send_text(bot, chat.id, reply.text, markup)
        elif isinstance(reply, Edit):
            await _edit(update, context, reply)
        elif isinstance(reply, Toast):
            if query is not None:
                await answer_button(bot, query.id, reply.text, reply.alert)
        elif isinstance(reply, DropButtons):
            if query is not None and query.message is not None:
                try:
                    await drop_buttons(bot, query.message.chat.id, query.message.message_id)
                except BadRequest:
                    pass
        elif isinstance(reply, Photo):
            photo = reply.ref or InputFile(reply.content or b"", filename=reply.filename)
            await send_photo(bot, chat.id, photo, reply.caption,
                             inline_keyboard(reply.buttons))
        elif isinstance(reply, File):
            await _send_document(bot, chat.id, reply)
    sends = [partial(notifier_of(context).deliver, notification)
             for notification in outcome.notifications]
    sends += [partial(_to_group, context, int(group.chat), group.text)
              for group in outcome.groups if group.channel == CHANNEL]
    if sends:
        background_of(context.application).start(sends)


async def _send_document(bot: Bot, chat_id: int, reply: File) -> None:
    if reply.source is None:
        await bot.send_document(chat_id, reply.content, filename=reply.filename,
                                caption=reply.caption or None)
        return
    # Streamed from the file as it is uploaded, not read into memory first.
    with reply.source:
        reply.source.seek(0)
        document = InputFile(reply.source, filename=reply.filename, read_file_handle=False)
        await bot.send_document(chat_id, document, caption=reply.caption or None)


async def _edit(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Edit) -> None:
    query = update.callback_query
    bot = context.bot
    markup = inline_keyboard(reply.buttons)
    if query is None or query.message is None:
        await send_text(bot, update.effective_chat.id, reply.text, markup)
        return
    message = query.message
    try:
        await edit_text(bot, message.chat.id, message.message_id, reply.text, markup,
                        caption=bool(getattr(message, "photo", None)))
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            await send_text(bot, update.effective_chat.id, reply.text, markup)


async def _to_group(context: ContextTypes.DEFAULT_TYPE, chat: int, text: str, *,
                    moved: bool = False) -> None:
    """A linked group that refuses a message fails neither the sender nor other groups."""
    services = services_of(context)
    try:
        await send_text(context.bot, chat, text)
    except ChatMigrated as error:  # the group became a supergroup: follow it, once
        await services.notices.move_group(chat, error.new_chat_id)
        if not moved:
            await _to_group(context, error.new_chat_id, text, moved=True)
    except TelegramError as error:
        await group_refused(services, chat, error)


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every private message, group command and button press goes through here."""
    event = event_from_update(update, context.bot.username if context.bot else None)
    if event is None:
        return
    conversation: Conversation = context.application.bot_data[CONVERSATION_KEY]
    outcome = await conversation.handle(event)
    await render(outcome, update, context)
    await wake_jobs(context, outcome.wake)


async def wake_jobs(context: ContextTypes.DEFAULT_TYPE, jobs: set[str]) -> None:
    if "reminders" in jobs:
        from handlers.telegram.reminders import rearm

        await rearm(context)
    if "outbox" in jobs and context.job_queue is not None:
        from handlers.telegram.outbox import outbox_job

        context.job_queue.run_once(outbox_job, when=0)
