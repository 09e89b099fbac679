"""Periodic work: expire and remind charges, warn about and expire posts."""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from handlers import render
from handlers.telegram import keyboards
from handlers.telegram.common import notify, services_of
from handlers.telegram.reminders import deliver_due

log = logging.getLogger(__name__)


async def sweep(context: ContextTypes.DEFAULT_TYPE) -> None:
    services = services_of(context)
    for view in await services.ledger.expire_due():
        if view.request.kind == "charge":
            await notify(context, view.payee, lambda tr, v=view: render.request_expired_text(tr, v))
            await notify(context, view.payer, lambda tr, v=view: render.request_expired_text(tr, v))
    await deliver_due(context)  # a safety net; reminders are normally armed to the second
    await services.delivery.forget_old()
    for post in await services.market.take_due_warnings():
        await notify(
            context, post.author,
            lambda tr, p=post: tr("⏰ Your post expires {deadline}. Renew it?",
                                  deadline=tr.date(p.post.expires_at))
            + "\n" + render.post_text(tr, p),
            lambda tr, p=post: keyboards.renew_button(tr, p.post.id),
        )
    for post in await services.market.expire_due():
        await notify(
            context, post.author,
            lambda tr, p=post: tr("Your post has expired and left the market. You can renew "
                                  "it for 30 days.") + "\n" + render.post_text(tr, p),
            lambda tr, p=post: keyboards.renew_button(tr, p.post.id),
        )
