"""Building the python-telegram-bot Application and wiring the services into it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from datetime import time as dt_time
from zoneinfo import ZoneInfo

from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    ContextTypes,
    Defaults,
)
from telegram.request import BaseRequest

from bot.leader import Leader
from bot.settings import Settings
from conversation import background
from conversation.app import Conversation
from conversation.i18n import compile_catalogs
from conversation.notify import Notifier
from conversation.routes import ROUTES
from core.backups import RetentionPolicy, scheduled_backup
from core.clock import Clock
from core.services import Services
from handlers.telegram.adapter import CONVERSATION_KEY
from handlers.telegram.background import finish_background_sends
from handlers.telegram.common import (
    LEADER_KEY,
    NOTIFIER_KEY,
    SERVICES_KEY,
    TelegramChannel,
    leads,
)
from handlers.telegram.jobs import sweep
from handlers.telegram.outbox import outbox_job
from handlers.telegram.registry import bot_commands, register
from handlers.telegram.reminders import arm as arm_reminders
from storage.leader import JobsLease
from storage.port import is_postgres_url

log = logging.getLogger(__name__)

SWEEP_INTERVAL_SECONDS = 60
SEOUL = ZoneInfo("Asia/Seoul")
CONSOLE_TOKEN = "1:console"


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    clock: Clock | None = None,
    rate_limiter: BaseRateLimiter | None | bool = True,
) -> Application:
    """`rate_limiter` True means the production AIORateLimiter (about 30 messages a second,
    20 a minute per group, RetryAfter retried); the tests pass None or their own."""
    """The Application with every handler registered; services open in `prepare`."""
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token or CONSOLE_TOKEN)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=SEOUL,
                           disable_notification=False))
        .concurrent_updates(16)
        .post_init(prepare)
        .post_stop(finish_background_sends)  # while the bot can still send
        .post_shutdown(close)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
        if rate_limiter is True:
            rate_limiter = None
    else:
        builder = builder.base_url(settings.api_base_url)
    if rate_limiter is True:
        rate_limiter = AIORateLimiter(max_retries=3)
    if rate_limiter:
        builder = builder.rate_limiter(rate_limiter)
    application = builder.build()
    application.bot_data["settings"] = settings
    application.bot_data["clock"] = clock
    register(application)
    return application


async def prepare(application: Application) -> None:
    """Open the database (migrations run here), publish the command menu, arm the sweep.
    The jobs (and the crash recovery before them) run only while this process leads
    (bot/leader.py); `pumasi serve` brings its own leader and starts it once every channel
    is ready, otherwise it is made and started here."""
    settings: Settings = application.bot_data["settings"]
    compile_catalogs()
    if SERVICES_KEY not in application.bot_data:
        application.bot_data[SERVICES_KEY] = await Services.open(
            settings.db_path, clock=application.bot_data.get("clock"), admins=settings.admins
        )
    application.bot_data[NOTIFIER_KEY] = Notifier(TelegramChannel(application.bot))
    application.bot_data[CONVERSATION_KEY] = Conversation(
        application.bot_data[SERVICES_KEY], ROUTES, application.bot_data[NOTIFIER_KEY]
    )
    for locale in ("ko", "en"):
        await application.bot.set_my_commands(bot_commands(locale), language_code=locale)
    await application.bot.set_my_commands(bot_commands(settings.locale))
    services: Services = application.bot_data[SERVICES_KEY]
    leader: Leader | None = application.bot_data.get(LEADER_KEY)
    own_leader = leader is None
    if leader is None:
        leader = Leader(JobsLease(services.db), settings.jobs_lease_seconds)
        application.bot_data[LEADER_KEY] = leader
    notifier = application.bot_data[NOTIFIER_KEY]
    leader.on_lead(lambda: background.recover(services, notifier),
                   every_tick=lambda: arm_reminders(application))
    if application.job_queue is not None:
        application.job_queue.run_repeating(outbox_job, interval=5, first=1, name="outbox")
        application.job_queue.run_repeating(
            sweep, interval=SWEEP_INTERVAL_SECONDS, first=5, name="sweep"
        )
        if is_postgres_url(settings.db_path):
            # Several processes share the database: its backups are the server's (pg_dump
            # from cron, or the provider's snapshots), not each bot process's.
            log.info("PostgreSQL: no daily backup from the bot; use pg_dump or snapshots")
        else:
            hour, minute = (int(part) for part in settings.backup_time.split(":"))
            application.job_queue.run_daily(
                daily_backup, time=dt_time(hour, minute, tzinfo=SEOUL), name="backup"
            )
    if own_leader:
        await leader.start()


async def daily_backup(context: ContextTypes.DEFAULT_TYPE) -> None:
    if not leads(context.application):
        return
    settings: Settings = context.application.bot_data["settings"]
    policy = RetentionPolicy(settings.backup_keep_daily, settings.backup_keep_weekly)
    made = await scheduled_backup(settings.db_path, settings.backup_dir, datetime.now(UTC),
                                  policy)
    log.info("backup written: %s", ", ".join(path.name for path in made))


async def close(application: Application) -> None:
    await finish_background_sends(application)  # none left when post_stop ran (run_polling)
    leader: Leader | None = application.bot_data.get(LEADER_KEY)
    if leader is not None:
        await leader.stop()  # the lease goes to another process now, not at a timeout
    services: Services | None = application.bot_data.pop(SERVICES_KEY, None)
    if services is not None:
        await services.close()
