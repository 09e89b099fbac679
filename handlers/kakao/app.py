"""The Kakao skill endpoint: `POST /kakao/skill/{secret}`, a skill call in, a skill response out.

Every call is answered with well-formed JSON within the time budget (4 s; Kakao gives up at
5). If the conversation has not answered by then, the person is told it is being prepared;
the work carries on, and its answer is delivered as news (never lost: a committed effect's
answer reaches the person with their next reply, or pushed by the Event API when there is
one)."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from conversation.app import Conversation
from conversation.event import Event
from conversation.i18n import Translator, translator
from conversation.notify import Notifier
from conversation.replies import (
    Button,
    DropButtons,
    GroupMessage,
    Outcome,
    Say,
    Toast,
    keyboard,
)
from handlers.kakao.channel import KakaoChannel, drain_kakao_outbox
from handlers.kakao.events import message_event, tap_event, token_key
from handlers.kakao.models import (
    MalformedRequest,
    QuickReply,
    SimpleText,
    SkillRequest,
    SkillResponse,
)
from handlers.kakao.pieces import Media, pieces
from handlers.kakao.render import MORE, NEWS_SHOWN_MAX, Rendered, render, render_more
from handlers.kakao.text import cut, label
from handlers.kakao.validator import InvalidResponse, validate
from storage.kakao import Choices, KakaoPerson, KakaoStore

log = logging.getLogger(__name__)

PATH = "/kakao/skill/{secret}"
BUDGET = 4.0  # seconds: Kakao waits 5 for a skill's answer
CLEANUP_EVERY = 3600.0  # seconds between forgetting expired tokens and old news
BODY_MAX = 256 * 1024

Wake = Callable[[set[str]], Awaitable[None]]
ToGroup = Callable[[GroupMessage], Awaitable[None]]


@dataclass
class _Call:
    """One skill call on its way to an answer."""

    request: SkillRequest
    tr: Translator
    person: KakaoPerson | None = None
    handling: asyncio.Future[Outcome] | None = None  # the conversation's work, once started
    more: Choices = ()
    news_only: bool = False
    used: str | None = None  # the token whose tap was committed
    drain: bool = False  # its outcome queued notices: drained once its reply is composed


class KakaoSkill:
    """The Kakao side of the process: answers skill calls, keeps news, drains the outbox."""

    def __init__(self, conversation: Conversation, notifier: Notifier, *,
                 channel: KakaoChannel | None = None, budget: float = BUDGET,
                 media: Media | None = None, block_id: str | None = None,
                 wake: Wake | None = None, to_group: ToGroup | None = None,
                 drains: Callable[[], bool] = lambda: True) -> None:
        """`media`: put(bytes, content_type) -> public URL, awaited when it is a coroutine (the
        web server's image store, which writes to the database);
        `block_id`: the Open Builder block quick replies call (default: the calling block);
        `wake`: runs the jobs an outcome asks for ("reminders", "outbox") in this process;
        `to_group`: posts a message to a community's linked (Telegram) group chat;
        `drains`: whether this process drains the outbox (it holds the jobs lease)."""
        self.conversation = conversation
        self.services = conversation.services
        self.notifier = notifier
        self.channel = channel or KakaoChannel(KakaoStore(self.services.db, self.services.clock))
        self.store = self.channel.store
        notifier.add(self.channel)
        self.budget = budget
        self.media = media
        self.block_id = block_id
        self._wake = wake
        self._to_group = to_group
        self._drains = drains
        self._background: set[asyncio.Future[Any]] = set()
        self._drain_lock = asyncio.Lock()
        self._cleaned_at: float | None = None

    # ----- HTTP -----------------------------------------------------------------------------

    def routes(self, secret: str | None) -> list[Route]:
        """The skill's route; none without a secret (the channel is then off)."""
        if not secret:
            return []

        async def skill(request: Request) -> Response:
            return await self.endpoint(request, secret)

        return [Route(PATH, skill, methods=["POST"], name="kakao_skill")]

    async def endpoint(self, request: Request, secret: str) -> Response:
        """One HTTP call of the skill route: 404 unless the path carries the secret."""
        given = str(request.path_params.get("secret", "")).encode("utf-8")
        if not hmac.compare_digest(given, secret.encode("utf-8")):
            return PlainTextResponse("Not Found", status_code=404)
        body = await request.body()
        try:
            payload = json.loads(body) if len(body) <= BODY_MAX else None
        except ValueError:
            payload = None
        status, answer = await self.answer(payload)
        return JSONResponse(answer, status_code=status)

    # ----- one skill call -------------------------------------------------------------------

    async def answer(self, payload: Any) -> tuple[int, dict[str, Any]]:
        """(HTTP status, skill response) for one call; never raises, never takes longer than
        the budget (plus a few milliseconds)."""
        try:
            request = SkillRequest.parse(payload)
        except MalformedRequest as error:
            log.info("refused a Kakao skill call: %s", error)
            tr = translator(None)
            return 400, _text_response(tr("Sorry, I couldn't read that. Please say it again."))
        call = _Call(request, translator(None))
        # asyncio.wait, not wait_for: a timed-out answer is cancelled without waiting for its
        # cancellation (a rollback queued behind a slow statement) to finish.
        answering = asyncio.ensure_future(self._answer(call))
        try:
            done, _ = await asyncio.wait({answering}, timeout=self.budget)
        except asyncio.CancelledError:  # the request itself went (server stopping, client gone)
            self._track(answering)  # what it does still happens, and so does its drain
            answering.add_done_callback(lambda _: self._drain_for(call))
            raise
        if answering not in done:
            answering.cancel()
            self._track(answering)
            return 200, self._too_slow(call)
        try:
            body = answering.result()
        except Exception:
            log.exception("a Kakao skill call failed")
            if call.handling is not None and call.handling.done():
                return 200, self._too_slow(call)  # the answer of what was done follows
            return 200, _text_response(call.tr(
                "Something went wrong on my side. Please try again in a moment."))
        self._drain_for(call)
        return 200, body

    async def _answer(self, call: _Call) -> dict[str, Any]:
        call.person = await self.store.person(call.request.user_id)
        call.tr = translator(call.person.locale if call.person else None)
        outcome = await self._outcome(call)
        return await self._respond(call, outcome)

    async def _outcome(self, call: _Call) -> Outcome:
        request, tr = call.request, call.tr
        if request.client_extra.get("news"):
            call.news_only = True
            return Outcome()
        token = request.token
        if token is None:
            event = message_event(request, call.person)
        else:
            found = await self.store.token(token)
            if (found is None or found.user_key != request.user_id
                    or found.expires_at <= self.store.now()):
                return _say(tr("This button no longer works. Please start again."))
            if found.action == MORE:
                call.more = found.more
                return Outcome()
            if found.used_at is not None or await self.services.delivery.already_processed(
                    token_key(token)):
                return _say(tr("That's already done, so I didn't do it again."))
            event = tap_event(request, call.person, token, found.action)
        # Shielded: when the budget runs out the work goes on, and its answer becomes news.
        call.handling = asyncio.ensure_future(self._handle(event, call, token))
        return await asyncio.shield(call.handling)

    async def _handle(self, event: Event, call: _Call, token: str | None) -> Outcome:
        try:
            outcome = await self.conversation.handle(event)
        except Exception:
            log.exception("the conversation failed on %s", event.update_key)
            return _say(call.tr("Something went wrong on my side. Please try again in a "
                                "moment."))
        if token is not None and await self.services.delivery.already_processed(
                event.update_key):
            call.used = token  # noted with the reply's own write
            if not _visible(outcome):  # a second tap that lost the race to the first
                outcome.replies.append(Say(call.tr(
                    "That's already done, so I didn't do it again.")))
        await self._follow_up(outcome, call)
        return outcome

    async def _follow_up(self, outcome: Outcome, call: _Call) -> None:
        """What an outcome asks of the process besides the reply."""
        for notification in outcome.notifications:
            try:
                await self.notifier.deliver(notification)
            except Exception:
                log.exception("a notification from Kakao could not be delivered")
        for group in outcome.groups:
            if self._to_group is None:
                log.info("no way to post to %s group %s from here", group.channel, group.chat)
                continue
            try:
                await self._to_group(group)
            except Exception:
                log.exception("a group message from Kakao could not be posted")
        # Not drained yet: a drain that won the race to the reply would put the notice and its
        # result above "sending, I'll tell you when done" (news comes first). `_drain_for`.
        call.drain = "outbox" in outcome.wake and self._drains()
        if self._wake is not None and outcome.wake:
            try:
                await self._wake(set(outcome.wake))
            except Exception:
                log.exception("waking %s from Kakao failed", sorted(outcome.wake))

    async def _respond(self, call: _Call, outcome: Outcome) -> dict[str, Any]:
        user, tr = call.request.user_id, call.tr
        news, waiting = await self.store.waiting(user, NEWS_SHOWN_MAX)
        if call.more:
            rendered = render_more(tr, self._block(call), call.more, news=news, waiting=waiting)
        else:
            replies = outcome.replies
            if call.news_only and not news:
                replies = [Say(escape(tr("Nothing new yet. It will be at the top of your next "
                                         "reply as soon as it's ready.")))]
            found = await pieces(replies, tr, self.media)
            rendered = render(found, tr, self._block(call), news=news, waiting=waiting)
        return await self._sent(user, rendered, call.used)

    async def _sent(self, user: str, rendered: Rendered, used: str | None) -> dict[str, Any]:
        tokens = await self.store.reply_shown(user, [issue for issue, _ in rendered.issues],
                                              rendered.news_shown, used)
        body = rendered.fill(tokens)
        try:
            validate(body)
        except InvalidResponse as error:  # a bug: answer something Kakao will show
            log.error("a Kakao response was out of bounds (%s): %s", error, body)
            texts = [output["simpleText"]["text"] for output in body["template"]["outputs"]
                     if "simpleText" in output]
            return _text_response("\n\n".join(texts) or "…")
        return body

    def _block(self, call: _Call) -> str | None:
        return self.block_id or call.request.block_id

    def _too_slow(self, call: _Call) -> dict[str, Any]:
        """The budget ran out. No database here: the database may be what is slow."""
        tr, handling = call.tr, call.handling
        if handling is None:  # nothing was started, so nothing is lost
            return _text_response(tr("Sorry, that took too long. Please try again."))
        self.spawn(self._deliver_late(call, handling))
        see = tr("See result")
        block = self._block(call)
        quick = QuickReply(label(see), "block" if block else "message", see, block_id=block,
                           extra={"news": True})
        return SkillResponse([SimpleText(tr(
            "One moment, I'm preparing it. It will be at the top of your next reply; tap “See "
            "result” in a little while."))], [quick]).to_dict()

    async def _deliver_late(self, call: _Call, handling: asyncio.Future[Outcome]) -> None:
        """The answer of work that outran the budget, as news for the person."""
        try:
            outcome = await handling
            if call.used is not None:
                await self.store.mark_used(call.used)
            for piece in await pieces(outcome.replies, call.tr, self.media):
                text = escape(piece.shown_text, quote=False)
                if piece.image_url:
                    text += f"\n🖼 {escape(piece.image_url, quote=False)}"
                buttons = keyboard([[Button(text_, action) for text_, action in piece.choices]])
                await self.channel.send(call.request.user_id, text, buttons)
        finally:
            self._drain_for(call)

    def _drain_for(self, call: _Call) -> None:
        """The drain a call's outcome asked for, started once its reply is composed (or kept
        as news), so what the drain delivers follows that reply, as on Telegram."""
        if call.drain:
            call.drain = False
            self.spawn(self.drain())

    # ----- background -----------------------------------------------------------------------

    async def drain(self) -> int:
        """The notice outbox's Kakao rows, handed to the channel; one drain at a time. The
        process runs it from its periodic outbox job too (a notice sent from Telegram queues
        Kakao rows); now and then it also forgets expired tokens and old news."""
        async with self._drain_lock:
            handled = await drain_kakao_outbox(self.services, self.channel, self.notifier)
            now = asyncio.get_running_loop().time()
            if self._cleaned_at is None or now - self._cleaned_at >= CLEANUP_EVERY:
                self._cleaned_at = now
                await self.store.forget_old()
            return handled

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        self._track(asyncio.ensure_future(work))

    def _track(self, task: asyncio.Future[Any]) -> None:
        self._background.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Kakao background work failed", exc_info=task.exception())

    async def idle(self) -> None:
        """Wait for the background work (late answers, drains) to finish."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)


def kakao_routes(conversation: Conversation, notifier: Notifier, secret: str | None, *,
                 budget: float = BUDGET, media: Media | None = None) -> list[Route]:
    """`POST /kakao/skill/{secret}`, or nothing without KAKAO_SKILL_SECRET."""
    if not secret:
        return []
    return KakaoSkill(conversation, notifier, budget=budget, media=media).routes(secret)


def _say(text: str) -> Outcome:
    return Outcome(replies=[Say(escape(text, quote=False))])


def _visible(outcome: Outcome) -> bool:
    return any(not isinstance(reply, Toast | DropButtons) or (
        isinstance(reply, Toast) and reply.text) for reply in outcome.replies)


def _text_response(text: str) -> dict[str, Any]:
    return SkillResponse([SimpleText(cut(text, 1000))]).to_dict()
