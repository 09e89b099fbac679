"""Periodic work on Telegram's job queue: the sweep (expiries, warnings) and a reminder
safety net; what they say is the conversation's (`conversation/background.py`)."""

from __future__ import annotations

from telegram.ext import ContextTypes

from conversation import background
from handlers.telegram.common import leads, notifier_of, services_of
from handlers.telegram.reminders import deliver_due


async def sweep(context: ContextTypes.DEFAULT_TYPE) -> None:
    if not leads(context.application):  # another process sweeps
        return
    await background.sweep(services_of(context), notifier_of(context))
    await deliver_due(context)  # a safety net; reminders are normally armed to the second
