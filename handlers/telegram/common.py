"""What every Telegram handler shares: who is acting, their language, replying, notifying."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from core.delivery import Redelivered, handling
from core.dialogs import Dialog
from core.errors import DomainError
from core.models import Actor, Member
from core.services import Services
from handlers.error_text import error_text
from handlers.i18n import Translator, translator

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SERVICES_KEY = "services"
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None

# Errors after which the buttons that led there are useless and are taken away.
_FINAL_ERRORS = {
    "request_expired", "request_closed", "request_not_found", "post_not_found", "post_closed",
    "application_not_found", "preview_expired", "reversal_not_open", "already_reversed",
    "dialog_already_done",
}


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


@dataclass
class Turn:
    """One update being handled: the actor, their translator and ways to answer."""

    update: Update
    context: ContextTypes.DEFAULT_TYPE
    actor: Actor
    tr: Translator
    services: Services
    answered: bool = field(default=False)

    @property
    def args(self) -> list[str]:
        return [clean_text(arg) for arg in self.context.args or []]

    @property
    def message_text(self) -> str:
        message = self.update.effective_message
        return clean_text((message.text or message.caption or "") if message else "")

    @property
    def update_key(self) -> str:
        return f"{CHANNEL}:{self.update.update_id}"

    @property
    def request_key(self) -> str:
        """A key unique to this update's message, so a redelivered update is recognised."""
        message = self.update.effective_message
        if self.update.callback_query is not None:
            return f"tg:cb:{self.update.callback_query.id}"
        assert message is not None
        return f"tg:msg:{message.chat_id}:{message.message_id}"

    async def refresh(self) -> None:
        self.actor = await self.services.people.reload(
            self.actor.person.id, is_admin=self.actor.is_admin
        )
        self.tr = translator(self.actor.locale)

    async def dialog_for_button(self, name: str, *, stopped: str, over: str) -> Dialog | None:
        """The dialog a tapped button belongs to. A `…:cancel` button ends it (`stopped` is
        shown); a button of a dialog that has ended answers `over` and loses its buttons."""
        data = self.update.callback_query.data or ""
        person_id = self.actor.person.id
        if data.endswith(":cancel"):
            await self.services.dialogs.clear(person_id)
            await self.edit(stopped)
            return None
        dialog = await self.services.dialogs.get(person_id)
        if dialog is None or dialog.name != name:
            await self.answer(over, alert=True)
            await self.drop_buttons()
            return None
        return dialog

    async def reply(self, text: str, markup: Markup = None) -> None:
        message = self.update.effective_message
        if message is None:
            return
        await self.context.bot.send_message(message.chat_id, text, reply_markup=markup)

    async def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        query = self.update.callback_query
        if query is None or self.answered:
            return
        self.answered = True
        await query.answer(text[:200] if text else None, show_alert=alert)

    async def edit(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Replace the message whose button was tapped (or reply, if it can't be edited)."""
        query = self.update.callback_query
        if query is None or query.message is None:
            await self.reply(text, markup)
            return
        try:
            if getattr(query.message, "photo", None):
                await query.edit_message_caption(caption=text, reply_markup=markup)
            else:
                await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                await self.reply(text, markup)

    async def drop_buttons(self) -> None:
        query = self.update.callback_query
        if query is None or query.message is None:
            return
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except BadRequest:
            pass

    async def notify(
        self, member: Member | None, render: Callable[[Translator], str], markup_for=None
    ) -> bool:
        """Tell another member something in their own language; False if unreachable."""
        return await notify(self.context, member, render, markup_for)


async def notify(
    context: ContextTypes.DEFAULT_TYPE,
    member: Member | None,
    render: Callable[[Translator], str],
    markup_for: Callable[[Translator], Markup] | None = None,
) -> bool:
    if member is None or CHANNEL not in member.addresses:
        return False
    tr = translator(member.locale)
    try:
        await context.bot.send_message(
            int(member.addresses[CHANNEL]), render(tr),
            reply_markup=markup_for(tr) if markup_for else None,
        )
    except Forbidden:
        log.info("member %s has blocked the bot", member.membership_id)
        return False
    except TelegramError as error:
        log.warning("could not notify member %s: %s", member.membership_id, type(error).__name__)
        return False
    return True


Handler = Callable[[Turn], Awaitable[None]]


def turn_handler(fn: Handler) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    """Resolve the actor, run the handler, and turn domain errors into polite replies."""

    @functools.wraps(fn)
    async def wrapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_user is None or update.effective_user.is_bot:
            return
        services = services_of(context)
        update_key = f"{CHANNEL}:{update.update_id}"
        actor = await actor_of(update, context)
        turn = Turn(update, context, actor, translator(actor.locale), services)
        try:
            with handling(update_key):
                await fn(turn)
        except Redelivered:
            log.info("update %s was already processed; skipped", update.update_id)
        except DomainError as error:
            if error.code == "membership_suspended":
                # Wherever the refusal came from, it says why and whom to ask.
                error = await services.membership.suspension_error(
                    turn.actor.person.id, error.params.get("community_id"))
            text = error_text(turn.tr, error)
            if update.callback_query is not None:
                await turn.answer(text, alert=True)
                if error.code in _FINAL_ERRORS:
                    await turn.drop_buttons()
            else:
                await turn.reply(text)
        finally:
            await turn.answer()

    return wrapped


def parse_id(data: str) -> int | None:
    """The number at the end of callback data like `pay:ok:12`; None when forged."""
    tail = data.rsplit(":", 1)[-1]
    if not tail.isdigit() or len(tail) > 12:
        return None
    return int(tail)
