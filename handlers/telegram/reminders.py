"""Sending due reminders: one APScheduler job armed for the earliest pending reminder,
re-armed after every delivery round and whenever a new reminder may be earlier."""

from __future__ import annotations

from telegram.ext import Application, ContextTypes

from conversation import background
from handlers.telegram.common import leads, notifier_of, services_of

JOB_NAME = "reminders"


async def arm(application: Application) -> None:
    """Schedule delivery at the next due time (now, if some are overdue); only in the
    process that runs the jobs (it re-arms at every lease check, so a reminder another
    process added is armed within one interval)."""
    if application.job_queue is None or not leads(application):
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
    """Send every reminder that is due; then arm the timer for the next one."""
    if not leads(context.application):
        return 0
    sent = await background.deliver_due_reminders(services_of(context), notifier_of(context))
    await arm(context.application)
    return sent
