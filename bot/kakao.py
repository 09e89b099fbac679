"""KakaoTalk in `pumasi serve`: the skill route, the Kakao channel on the process's notifier
(pushed through the Event API when configured, kept as news otherwise), and the periodic
work: the notice outbox's Kakao rows, and — when no Telegram bot runs the job queue — the
sweep and the event reminders."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.settings import Settings
from conversation import background
from conversation.app import Conversation
from conversation.replies import GroupMessage
from conversation.routes import ROUTES
from handlers.kakao.app import PATH, KakaoSkill
from handlers.kakao.channel import KakaoChannel
from handlers.kakao.event_api import KakaoEventApi, drain_kakao_events, event_api_from
from storage.kakao import Choices, KakaoStore

log = logging.getLogger(__name__)

DRAIN_SECONDS = 5.0  # the notice outbox's Kakao rows, like Telegram's outbox job
SWEEP_SECONDS = 60.0  # expiries, warnings and reminders when no Telegram job queue runs


class EventApiPush:
    """The Event API as the Kakao channel's push: one member, text only (an event block
    carries no buttons, so a message with buttons stays news for the next reply)."""

    def __init__(self, api: KakaoEventApi) -> None:
        self.api = api

    async def push(self, user_key: str, text: str, buttons: Choices) -> bool:
        if buttons:
            return False
        outcome = (await self.api.send([user_key], text)).get(user_key)
        return outcome is not None and outcome.sent


def kakao_parts(settings: Settings) -> tuple[list[BaseRoute], list]:
    """The route and the lifespan `pumasi serve` adds; nothing without KAKAO_SKILL_SECRET."""
    secret = settings.kakao_skill_secret
    if not secret:
        return [], []

    async def skill(request: Request) -> Response:
        kakao: KakaoSkill | None = getattr(request.app.state, "kakao", None)
        if kakao is None:  # still starting
            return PlainTextResponse("Service Unavailable", status_code=503)
        return await kakao.endpoint(request, secret)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with _kakao(app, settings):
            yield

    return [Route(PATH, skill, methods=["POST"], name="kakao_skill")], [lifespan]


@asynccontextmanager
async def _kakao(app: Starlette, settings: Settings) -> AsyncIterator[None]:
    services, notifier = app.state.services, app.state.notifier
    application = app.state.application
    api = event_api_from(settings.kakao_bot_id, settings.kakao_rest_api_key,
                         settings.kakao_event_name)
    channel = KakaoChannel(KakaoStore(services.db, services.clock),
                           EventApiPush(api) if api is not None else None)
    conversation = Conversation(services, ROUTES, notifier)

    async def wake(jobs: set[str]) -> None:
        if application is not None and "reminders" in jobs:
            from handlers.telegram.reminders import arm

            await arm(application)

    async def to_group(group: GroupMessage) -> None:
        if application is None or group.channel != "telegram":
            return
        try:
            await application.bot.send_message(int(group.chat), group.text)
        except Exception as error:  # a group that refuses fails nobody else
            log.warning("could not post to group %s: %s", group.chat, type(error).__name__)

    leader = getattr(app.state, "leader", None)

    def leads() -> bool:  # only the process holding the jobs lease drains and sweeps
        return leader is None or leader.leading

    skill = KakaoSkill(conversation, notifier, channel=channel, media=app.state.media.put
                       if app.state.media.enabled else None, wake=wake, to_group=to_group,
                       drains=leads)
    app.state.kakao = skill
    tasks = [asyncio.create_task(_every(DRAIN_SECONDS, lambda: _drain(skill, api), leads))]
    if application is None:  # the Telegram job queue is not there to do it
        tasks.append(asyncio.create_task(_every(SWEEP_SECONDS, lambda: _sweep(services,
                                                                              notifier),
                                                leads)))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await skill.idle()  # answers still being prepared reach their news first
        if api is not None:
            await api.aclose()
        app.state.kakao = None


async def _drain(skill: KakaoSkill, api: KakaoEventApi | None) -> None:
    if api is not None:
        await drain_kakao_events(skill.services, api, skill.notifier)
    else:
        await skill.drain()


async def _sweep(services, notifier) -> None:
    await background.sweep(services, notifier)
    await background.deliver_due_reminders(services, notifier)


async def _every(seconds: float, work, when=lambda: True) -> None:
    while True:
        await asyncio.sleep(seconds)
        if not when():
            continue
        try:
            await work()
        except Exception:
            log.exception("periodic Kakao work failed; trying again later")
