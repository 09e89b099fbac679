"""`pumasi serve`: one web server for every messenger, on one ledger.

Routes: `GET /healthz`, `GET /media/{token}` (short-lived images, kept in the database so any
process serves them), `POST /telegram/webhook` (with PUMASI_PUBLIC_URL; without it Telegram is
polled in this same process), and whatever routes a channel adds through `extra_routes`
(Kakao's skill endpoint)."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.ext import Application

from bot.app import prepare
from bot.leader import Leader
from bot.media import MEDIA_PATH, MediaStore
from bot.settings import Settings
from conversation import background
from conversation.notify import Notifier
from core.health import check_health
from core.services import Services
from handlers.telegram.common import LEADER_KEY, NOTIFIER_KEY, SERVICES_KEY
from storage.leader import JobsLease

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
GRACEFUL_SHUTDOWN_SECONDS = 10

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


def webhook_secret(settings: Settings) -> str | None:
    """The secret_token Telegram sends with every update. Derived from the bot token when
    TELEGRAM_WEBHOOK_SECRET is not set, so every process behind one URL shares it without
    configuration; hex fits Telegram's alphabet (A-Z a-z 0-9 _ -) and length (≤ 256)."""
    if settings.telegram_webhook_secret:
        return settings.telegram_webhook_secret
    if not settings.telegram_token:
        return None
    return hmac.new(settings.telegram_token.encode(), b"pumasi-webhook",
                    hashlib.sha256).hexdigest()


def webhook_mode(settings: Settings) -> bool:
    return settings.public_url is not None


def create_app(settings: Settings, application: Application | None,
               extra_routes: Sequence[BaseRoute] = (), *, media: MediaStore | None = None,
               lifespans: Sequence[Lifespan] = ()) -> Starlette:
    """The ASGI app. `application` is the Telegram bot (None: no Telegram token, the server
    carries the other channels only). While the app runs, `app.state` holds `settings`,
    `services` (opened once for every channel), `notifier` (the Telegram one, or an empty
    Notifier; a channel adds itself with `notifier.add`), `media` and `application`.
    `lifespans` are entered in order after all that is ready and left before it closes."""
    media = media if media is not None else MediaStore(settings.public_url)
    routes: list[BaseRoute] = [
        Route("/healthz", _healthz, methods=["GET"]),
        Route(MEDIA_PATH + "/{token}", _media, methods=["GET"]),
    ]
    if application is not None and webhook_mode(settings):
        routes.append(Route(WEBHOOK_PATH, _telegram_webhook, methods=["POST"]))
    routes.extend(extra_routes)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        clock = application.bot_data.get("clock") if application is not None else None
        services = await Services.open(settings.db_path, clock=clock, admins=settings.admins)
        app.state.services = services
        app.state.notifier = Notifier()
        media.attach(services.db)  # shared by every process on this database
        # One per process: the jobs run only where it leads (several processes may share a
        # PostgreSQL database); started once every channel is ready to send.
        leader = app.state.leader = Leader(JobsLease(services.db), settings.jobs_lease_seconds)
        try:
            async with AsyncExitStack() as stack:
                stack.push_async_callback(leader.stop)
                if application is not None:
                    application.bot_data[LEADER_KEY] = leader
                    await stack.enter_async_context(_telegram(app, application, services))
                else:  # the Telegram bot's prepare registers the recovery otherwise
                    leader.on_lead(lambda: background.recover(services, app.state.notifier))
                for extra in lifespans:
                    await stack.enter_async_context(extra(app))
                await leader.start()
                log.info("serving on %s:%s (Telegram: %s)", settings.host, settings.port,
                         _telegram_mode(settings, application))
                yield
        finally:
            media.attach(None)
            await services.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.application = application
    app.state.media = media
    app.state.webhook_secret = webhook_secret(settings)
    return app


def _telegram_mode(settings: Settings, application: Application | None) -> str:
    if application is None:
        return "off"
    return "webhook" if webhook_mode(settings) else "polling"


@asynccontextmanager
async def _telegram(app: Starlette, application: Application,
                    services: Services) -> AsyncIterator[None]:
    """The bot's life inside the server's: the same steps and order as run_polling."""
    settings: Settings = app.state.settings
    application.bot_data[SERVICES_KEY] = services
    await application.initialize()
    try:
        await prepare(application)
        app.state.notifier = application.bot_data[NOTIFIER_KEY]
        if webhook_mode(settings):
            await application.bot.set_webhook(
                settings.public_url + WEBHOOK_PATH, secret_token=app.state.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:  # start_polling deletes any webhook left from an earlier deployment
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        try:
            await application.start()
            yield
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
                if application.post_stop:  # the background sends, while the bot can send
                    await application.post_stop(application)
    finally:
        application.bot_data.pop(SERVICES_KEY, None)  # the server closes them, once
        await application.shutdown()


async def _healthz(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    report = await check_health(settings.db_path, thorough=False)
    application: Application | None = request.app.state.application
    mode = _telegram_mode(settings, application)
    report.facts.append(f"telegram: {mode}")
    if application is not None and not application.running:
        report.problems.append("the Telegram bot is not running")
    elif mode == "polling" and not application.updater.running:
        report.problems.append("Telegram polling has stopped")
    body = {"ok": report.ok, "problems": report.problems, "facts": report.facts}
    return JSONResponse(body, status_code=200 if report.ok else 503)


async def _media(request: Request) -> Response:
    media = await request.app.state.media.get(request.path_params["token"])
    if media is None:
        return Response("not found (images live a few minutes)", status_code=404,
                        media_type="text/plain")
    return Response(media.content, media_type=media.content_type, headers={
        "Cache-Control": f"private, max-age={int(request.app.state.media.ttl)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'",
    })


async def _telegram_webhook(request: Request) -> Response:
    """Answers 200 only once the update has been handled: a crash before that leaves it to
    Telegram to deliver again, and the ledger's update keys make a second delivery
    harmless. (A handler's error is logged and told to the user, as when polling.)"""
    secret: str = request.app.state.webhook_secret
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return Response(status_code=403)
    application: Application = request.app.state.application
    try:
        data = await request.json()
        update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
    except Exception:  # whatever it is, it is not an update
        log.warning("the webhook got a body that is not an update", exc_info=True)
        update = None
    if update is None:
        return Response(status_code=400)
    # Through the update processor, so webhook updates share polling's concurrency bound.
    await application.update_processor.process_update(update,
                                                      application.process_update(update))
    return Response(status_code=200)


def serve(settings: Settings, *, extra_routes: Sequence[BaseRoute] = (),
          lifespans: Sequence[Lifespan] = ()) -> int:
    """Run the web server until SIGTERM or Ctrl-C; 0 after a clean stop."""
    import uvicorn

    from bot.app import build_application

    application = build_application(settings) if settings.telegram_token else None
    if application is None and not extra_routes:
        log.warning("TELEGRAM_BOT_TOKEN is not set and no other channel is configured: "
                    "only /healthz is served")
    app = create_app(settings, application, extra_routes, lifespans=lifespans)
    server = uvicorn.Server(uvicorn.Config(
        app, host=settings.host, port=settings.port, lifespan="on",
        log_config=None,  # keep bot/logs.py's format
        access_log=False,  # paths carry secrets (Kakao's skill URL, image tokens)
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    ))
    server.run()
    return 0 if server.started else 1
