"""Sending due reminders: one APScheduler job armed for the earliest pending reminder,
re-armed after every delivery round and whenever a new reminder may be earlier."""

from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes

from core.reminders import ReminderJob
from handlers import render
from handlers.i18n import translator
from handlers.render_events import reminder_text
from handlers.telegram import keyboards
from handlers.telegram.common import CHANNEL, services_of

log = logging.getLogger(__name__)
JOB_NAME = "reminders"


async def arm(application: Application) -> None:
    """Schedule delivery at the next due time (now, if some are overdue)."""
    if application.job_queue is None:
        return
    services = application.bot_data["services"]
    due = await services.reminders.next_due()
    for job in application.job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    if due is None:
        return
    delay = max(0.0, (due - services.clock.now()).total_seconds())
    application.job_queue.run_once(deliver_due, when=delay, name=JOB_NAME)


async def rearm(context: ContextTypes.DEFAULT_TYPE) -> None:
    await arm(context.application)


async def deliver_due(context: ContextTypes.DEFAULT_TYPE) -> int:
    """Send every reminder that is due, one at a time; return how many were sent."""
    services = services_of(context)
    sent = 0
    while (job := await services.reminders.claim()) is not None:
        if await _send(context, job):
            await services.reminders.sent(job.id)
            sent += 1
        else:
            await services.reminders.undeliverable(job.id)
    await arm(context.application)
    return sent


async def _send(context: ContextTypes.DEFAULT_TYPE, job: ReminderJob) -> bool:
    chat = job.member.addresses.get(CHANNEL)
    if chat is None:
        return False
    tr = translator(job.member.locale)
    if job.kind == "charge":
        text = render.charge_reminder_text(tr, job.trade)
        markup = keyboards.charge_answer(tr, job.trade.request.id)
    else:
        text = reminder_text(tr, job.event, services_of(context).clock.now())
        markup = None
    try:
        await context.bot.send_message(int(chat), text, reply_markup=markup)
    except Exception as error:  # blocked, deleted account: this reminder cannot be delivered
        log.info("reminder %s not delivered: %s", job.id, type(error).__name__)
        return False
    return True
