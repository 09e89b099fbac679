"""KakaoTalk's Event API: the bot speaks first, to Kakao members who are not writing to it.

Kakao i Open Builder's Event API (https://kakaobusiness.gitbook.io/main/tool/chatbot/
main_notions/event-api): `POST https://bot-api.kakao.com/v2/bots/{bot id}/talk` with
`Authorization: KakaoAK {REST API key}` and the JSON body

    {"event": {"name": <the event block's name>, "data": {"text": <the message>}},
     "user": [{"type": "botUserKey", "id": <key>}, ...]}      (at most 100 users, none twice)

runs the bot's event block for each user; the block shows the text as
`{{#current.event.data.text}}`. Kakao answers `{"taskId", "status": "SUCCESS" | "FAIL",
"message"}` when it accepts the task; what each user got is known only later, from the task,
so an accepted call counts as sent. An event block is informational: no buttons travel with
it (a message with buttons is news the member sees, with its buttons, in their next reply).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx

from conversation import background
from conversation.limits import cut, plain_text
from conversation.notify import Notifier
from core.notices import Delivery
from core.services import Services

log = logging.getLogger(__name__)

CHANNEL = "kakao"
BASE_URL = "https://bot-api.kakao.com"
BATCH_MAX = 100  # users in one call
TEXT_MAX = 1000  # a text bubble (simpleText) shows at most this much
MAX_ATTEMPTS = 3  # calls per batch when Kakao is busy or unreachable (5xx, 429, timeouts)
RETRY_AFTER_MAX = 30.0

SENT, UNREACHABLE, FAILED = "sent", "unreachable", "failed"
_REFUSED = "refused"  # a 4xx for the call: the user (or one of the users) can't get it


@dataclass(frozen=True)
class Outcome:
    """What became of the message for one user, as the notice outbox records it."""

    state: str  # SENT, UNREACHABLE or FAILED
    error: str | None = None

    @property
    def sent(self) -> bool:
        return self.state == SENT


class KakaoEventApi:
    """The Event API client. `send` is the seam the Kakao notifier channel and the notice
    outbox share; `transport` lets tests put a recording mock in place of Kakao."""

    def __init__(self, bot_id: str, api_key: str, event_name: str = "pumasi_news", *,
                 transport: httpx.AsyncBaseTransport | None = None, base_url: str = BASE_URL,
                 timeout: float = 10.0, max_attempts: int = MAX_ATTEMPTS,
                 backoff: float = 1.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.event_name = event_name
        self._path = f"/v2/bots/{bot_id}/talk"
        self._client = httpx.AsyncClient(
            base_url=base_url, transport=transport, timeout=timeout,
            headers={"Authorization": f"KakaoAK {api_key}"})
        self._max_attempts = max(1, max_attempts)
        self._backoff = backoff
        self._sleep = sleep

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, user_keys: Sequence[str], text: str) -> dict[str, Outcome]:
        """Send `text` (conversation markup; sent as plain text) to every user, in calls of at
        most BATCH_MAX users; the outcome for each user key."""
        keys = list(dict.fromkeys(key for key in user_keys if key))  # Kakao refuses repeats
        message = cut(plain_text(text).strip(), TEXT_MAX)
        outcomes: dict[str, Outcome] = {}
        for start in range(0, len(keys), BATCH_MAX):
            outcomes.update(await self._send_batch(keys[start:start + BATCH_MAX], message))
        return outcomes

    async def _send_batch(self, keys: list[str], message: str) -> dict[str, Outcome]:
        state, error = await self._call(keys, message)
        if state == _REFUSED and len(keys) > 1:
            # One unknown or blocked user key must not cost the others their message.
            alone = {}
            for key in keys:
                state, error = await self._call([key], message)
                alone[key] = Outcome(UNREACHABLE if state == _REFUSED else state, error)
            return alone
        return {key: Outcome(UNREACHABLE if state == _REFUSED else state, error)
                for key in keys}

    async def _call(self, keys: list[str], message: str) -> tuple[str, str | None]:
        body = {"event": {"name": self.event_name, "data": {"text": message}},
                "user": [{"type": "botUserKey", "id": key} for key in keys]}
        problem = ""
        for attempt in range(1, self._max_attempts + 1):
            wait = self._backoff * 2 ** (attempt - 1)
            try:
                response = await self._client.post(self._path, json=body)
            except httpx.TransportError as error:  # timeouts and connection failures
                problem = type(error).__name__
            else:
                code = response.status_code
                if response.is_success:
                    if _status(response) == "FAIL":
                        return _REFUSED, "FAIL"
                    return SENT, None
                if code in (401, 403):  # the bot id or REST API key is wrong: every call fails
                    log.error("Kakao Event API refused the bot's credentials (HTTP %s)", code)
                    return FAILED, f"HTTP {code}"
                if code != 429 and code < 500:
                    return _REFUSED, f"HTTP {code}"
                problem = f"HTTP {code}"
                wait = max(wait, _retry_after(response))
            if attempt < self._max_attempts:
                log.info("Kakao Event API: %s; trying again in %.1f s", problem, wait)
                await self._sleep(wait)
        return FAILED, problem


def _status(response: httpx.Response) -> str | None:
    try:
        found = response.json()
    except ValueError:
        return None
    return found.get("status") if isinstance(found, dict) else None


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(float(response.headers.get("Retry-After", "0")), RETRY_AFTER_MAX)
    except ValueError:
        return 0.0


async def drain_kakao_events(services: Services, api: KakaoEventApi,
                             notifier: Notifier | None = None) -> int:
    """Send the notice outbox's KakaoTalk rows through the Event API, BATCH_MAX users a call
    (one notice's rows share its text); record each row's outcome and tell each notice's
    author how it went, as the Telegram outbox does. Returns how many rows were handled.

    Rows are claimed a call's worth at a time: after a crash during a call, those rows are
    reported uncertain, never sent twice."""
    handled = 0
    while batch := await services.notices.claim(BATCH_MAX, channel=CHANNEL):
        outcomes: list[tuple[Delivery, str, str | None]] = []
        by_notice: dict[int, list[Delivery]] = {}
        for delivery in batch:
            by_notice.setdefault(delivery.notice_id, []).append(delivery)
        for deliveries in by_notice.values():
            text = deliveries[0].text
            if not plain_text(text).strip():  # a photo or file alone: the API carries text
                outcomes += [(delivery, FAILED, "KakaoTextOnly") for delivery in deliveries]
                continue
            results = await api.send([delivery.address for delivery in deliveries], text)
            for delivery in deliveries:
                result = results.get(delivery.address, Outcome(FAILED, "KakaoNoKey"))
                outcomes.append((delivery, result.state, result.error))
        for report in await services.notices.finish_many(outcomes):
            if notifier is not None:
                await background.tell_author(services, notifier, report)
        handled += len(batch)
    return handled


def event_api_from(bot_id: str | None, api_key: str | None, event_name: str,
                   **options) -> KakaoEventApi | None:
    """The client when both the bot id and the REST API key are set, else None (news for
    Kakao members then waits for their next message)."""
    if not bot_id or not api_key:
        return None
    return KakaoEventApi(bot_id, api_key, event_name, **options)
