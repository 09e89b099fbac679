"""Work no member started: expiring requests and posts, warnings, event reminders.

Written once for every channel; the notifier carries each message to the member."""

from __future__ import annotations

import logging

from conversation import keyboards, render, survey_text
from conversation.i18n import translator
from conversation.notify import Notifier
from conversation.render_events import reminder_text
from conversation.replies import Notification
from core.notices import NoticeReport
from core.reminders import ReminderJob
from core.services import Services
from core.survey_models import Survey

log = logging.getLogger(__name__)


async def sweep(services: Services, notifier: Notifier) -> None:
    await survey_sweep(services, notifier)
    for view in await services.ledger.expire_due():
        if view.request.kind == "charge":
            for member in (view.payee, view.payer):
                await notifier.deliver(Notification(
                    member, lambda tr, v=view: render.request_expired_text(tr, v)))
    await services.merchant_pay.expire_due()
    await services.delivery.forget_old()
    for post in await services.market.take_due_warnings():
        await notifier.deliver(Notification(
            post.author,
            lambda tr, p=post: tr("⏰ Your post expires {deadline}. Renew it?",
                                  deadline=tr.date(p.post.expires_at))
            + "\n" + render.post_text(tr, p),
            lambda tr, p=post: keyboards.renew_button(tr, p.post.id),
        ))
    for post in await services.market.expire_due():
        await notifier.deliver(Notification(
            post.author,
            lambda tr, p=post: tr("Your post has expired and left the market. You can renew "
                                  "it for 30 days.") + "\n" + render.post_text(tr, p),
            lambda tr, p=post: keyboards.renew_button(tr, p.post.id),
        ))


async def recover(services: Services, notifier: Notifier) -> None:
    """When a process takes up the jobs (at start-up, or from a leader that died): reminders
    and outbox rows left 'sending' become 'uncertain' (never sent twice); a notice that this
    leaves finished is reported to its author now. Only the process that runs the jobs may
    do this, since no live one is then sending them (bot/leader.py)."""
    await services.reminders.recover()
    for report in await services.notices.recover():
        await tell_author(services, notifier, report)


async def deliver_due_reminders(services: Services, notifier: Notifier) -> int:
    """Send every reminder that is due, one at a time; return how many were sent.

    Each is claimed before it is sent and marked sent after, so a crash in between leaves it
    'uncertain' rather than sent twice (see ReminderService.recover)."""
    sent = 0
    while (job := await services.reminders.claim()) is not None:
        if await notifier.deliver(_reminder(services, job)):
            await services.reminders.sent(job.id)
            sent += 1
        else:
            await services.reminders.undeliverable(job.id)
    return sent


def _reminder(services: Services, job: ReminderJob) -> Notification:
    if job.kind == "charge":
        trade = job.trade
        return Notification(job.member, lambda tr: render.charge_reminder_text(tr, trade),
                            lambda tr: keyboards.charge_answer(tr, trade.request.id))
    now = services.clock.now()
    return Notification(job.member, lambda tr: reminder_text(tr, job.event, now))


async def tell_author(services: Services, notifier: Notifier, report: NoticeReport) -> bool:
    """The coordinator who sent a notice learns how its delivery went, on their channel."""
    author = await services.notices.author_of(report)
    if author is None:
        return False
    return await notifier.deliver(Notification(author, lambda tr: render.report_text(tr, report)))


async def survey_sweep(services: Services, notifier: Notifier) -> None:
    """Surveys whose opening day has come go out (their invitations through the notice
    outbox, sent by the outbox job), unless their closing day has passed (their coordinator
    is told); those past their closing day close; members who have
    not finished one closing soon are reminded, once."""
    handled = await services.surveys.open_due(
        lambda survey, community: survey_text.invitation_parts(translator(None), survey,
                                                               community))
    for held in (s for s in handled if s.status == "draft"):  # its closing day had passed
        coordinator = await services.surveys.coordinator_of(held)
        if coordinator is not None:
            await notifier.deliver(Notification(
                coordinator, lambda tr, s=held: survey_text.held_back(tr, s)[0],
                lambda tr, s=held: survey_text.held_back(tr, s)[1]))
    await services.surveys.close_due()
    for reminder in await services.surveys.take_due_reminders():
        await notifier.deliver(Notification(
            reminder.member,
            lambda tr, s=reminder.survey: survey_text.reminder_text(tr, s),
            lambda tr, s=reminder.survey: _go(tr, s)))


def _go(tr, survey: Survey):
    return survey_text.start_button(tr, survey.id)
