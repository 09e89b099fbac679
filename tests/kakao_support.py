"""KakaoTalk driven over HTTP: skill payloads (recorded in tests/handlers/kakao/payloads/) posted
through the ASGI app with httpx's ASGITransport. Every response is checked by the Kakao
validator (strict: no HTML left either), so no Kakao test can pass with a response Kakao would
refuse.

`KakaoClient` speaks skill JSON; `KakaoHarness` drives it like tests/support.py's BotHarness
drives Telegram, so the same scenarios run on Kakao (tests/conversation/test_scenarios.py)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from bot.updates import FakeUser
from conversation.app import Conversation, Routes
from conversation.flows import naming
from conversation.notify import Notifier
from conversation.replies import Rows
from conversation.routes import ROUTES
from core.clock import ManualClock
from core.services import Services
from handlers.kakao.app import KakaoSkill
from handlers.kakao.channel import CHANNEL, KakaoChannel
from handlers.kakao.render import MORE
from handlers.kakao.text import plain
from handlers.kakao.validator import validate
from storage.db import fetch_all
from storage.kakao import KakaoStore
from tests.support import ADMIN, START

PAYLOADS = Path(__file__).parent / "handlers" / "kakao" / "payloads"
SECRET = "test-skill-secret"


def payload(name: str, *, user: str, utterance: str | None = None,
            extra: Any = ...) -> dict[str, Any]:
    """A recorded skill payload, as another user said something else or tapped something."""
    body = copy.deepcopy(json.loads((PAYLOADS / name).read_text(encoding="utf-8")))
    request = body["userRequest"]
    request["user"]["id"] = user
    request["user"]["properties"]["botUserKey"] = user
    if utterance is not None:
        request["utterance"] = utterance
    if extra is not ...:
        body["action"]["clientExtra"] = extra
    return body


@dataclass
class Answer:
    """One skill response, read as a person would."""

    status: int
    body: dict[str, Any]

    @property
    def outputs(self) -> list[dict[str, Any]]:
        return self.body["template"]["outputs"]

    @property
    def quick_replies(self) -> list[dict[str, Any]]:
        return self.body["template"].get("quickReplies", [])

    @property
    def texts(self) -> list[str]:
        return [bubble_text(output) for output in self.outputs]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def tappable(self) -> list[tuple[str, dict[str, Any]]]:
        """(what the person reads, the element) for every quick reply, button and list item."""
        found = []
        for output in self.outputs:
            (kind, body), = output.items()
            for item in body.get("items", []) if kind == "listCard" else ():
                found.append((item["title"], item))
            for button in body.get("buttons", []):
                found.append((button.get("messageText") or button["label"], button))
        found += [(reply["messageText"], reply) for reply in self.quick_replies]
        return found

    def token(self, label_part: str) -> str:
        for shown, element in self.tappable():
            if label_part in shown and (element.get("extra") or {}).get("token"):
                return element["extra"]["token"]
        raise AssertionError(f"no button with {label_part!r} in {self.tappable()}")

    def labels(self) -> list[str]:
        return [shown for shown, _ in self.tappable()]


def bubble_text(output: dict[str, Any]) -> str:
    (kind, body), = output.items()
    if kind == "simpleText":
        return body["text"]
    if kind == "simpleImage":
        return body["altText"]
    if kind == "listCard":
        lines = [body["header"]["title"]]
        lines += [" · ".join(filter(None, [item["title"], item.get("description")]))
                  for item in body["items"]]
        return "\n".join(lines)
    if kind == "carousel":
        return "\n".join(filter(None, [item.get("title"), item.get("description")])
                         for item in body["items"])
    return "\n".join(filter(None, [body.get("title"), body.get("description")]))


class RecordingKakaoChannel(KakaoChannel):
    """The Kakao channel, remembering what it kept as news (as the fake Bot API records)."""

    def __init__(self, store: KakaoStore) -> None:
        super().__init__(store)
        self.sent: list[tuple[str, str, Rows]] = []

    async def send(self, address: str, text: str, buttons: Rows) -> bool:
        self.sent.append((address, text, buttons))
        return await super().send(address, text, buttons)


class KakaoClient:
    """A Kakao skill server in-process, and the person's side of it."""

    def __init__(self, services: Services, skill: KakaoSkill, http: httpx.AsyncClient,
                 channel: RecordingKakaoChannel) -> None:
        self.services = services
        self.skill = skill
        self.http = http
        self.channel = channel
        self.answers: list[Answer] = []

    @classmethod
    async def start(cls, db_path: Path | str, clock: ManualClock | None = None, *,
                    budget: float = 4.0, conversation_type: type[Conversation] = Conversation,
                    routes: Routes = ROUTES, media=None,
                    admins: frozenset[tuple[str, str]] = frozenset()) -> KakaoClient:
        services = await Services.open(str(db_path), clock=clock or ManualClock(START),
                                       admins=admins)
        notifier = Notifier()
        conversation = conversation_type(services, routes, notifier)
        channel = RecordingKakaoChannel(KakaoStore(services.db, services.clock))
        skill = KakaoSkill(conversation, notifier, channel=channel, budget=budget, media=media)
        app = Starlette(routes=skill.routes(SECRET))
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://pumasi.test")
        return cls(services, skill, http, channel)

    async def stop(self) -> None:
        await self.skill.idle()
        await self.http.aclose()
        await self.services.close()

    async def post(self, body: Any, *, secret: str = SECRET) -> Answer:
        """POST a skill call; a response that parses as JSON must pass the validator."""
        response = await self.http.post(f"/kakao/skill/{secret}", json=body)
        answer = Answer(response.status_code, response.json() if response.headers.get(
            "content-type", "").startswith("application/json") else {})
        if answer.body:
            validate(answer.body, strict=True)
            self.answers.append(answer)
        return answer

    async def say(self, user: str, text: str) -> Answer:
        return await self.post(payload("balance.json", user=user, utterance=text))

    async def tap(self, user: str, token: str, said: str = "") -> Answer:
        return await self.post(payload("quick_reply_tap.json", user=user, utterance=said,
                                       extra={"token": token}))

    async def see_result(self, user: str) -> Answer:
        return await self.post(payload("see_result.json", user=user))


# ----- the same scenarios as on Telegram and the console ---------------------------------


@dataclass(frozen=True)
class Seen:
    """A bubble a Kakao user saw, shaped like the fake Bot API's ApiCall. The answer to a tap
    is named an edit: on Telegram the tapped message is mostly edited, and Kakao shows that
    answer in its place (a new bubble), so counts of messages compare across channels. News
    shown at the top of any answer ("📬") is named a message sent, as Telegram sends it."""

    person: str
    method: str
    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (label, action)
    news: bool = False  # kept as news, not shown yet

    @property
    def chat_id(self) -> int:
        return int(self.person)


class KakaoHarness:
    channel = CHANNEL

    def __init__(self, client: KakaoClient, clock: ManualClock) -> None:
        self.client = client
        self.clock = clock
        self.seen: list[Seen] = []
        self._news_recorded = 0

    @classmethod
    async def start(cls, db_path: Path | str, clock: ManualClock | None = None
                    ) -> KakaoHarness:
        clock = clock or ManualClock(START)
        client = await KakaoClient.start(db_path, clock,
                                         admins=frozenset({(CHANNEL, str(ADMIN.id))}))
        return cls(client, clock)

    async def stop(self) -> None:
        await self.client.stop()

    @property
    def services(self) -> Services:
        return self.client.services

    @property
    def store(self) -> KakaoStore:
        return self.client.channel.store

    async def send(self, user: FakeUser, text: str) -> list[Seen]:
        return await self._record(str(user.id), await self.client.say(str(user.id), text),
                                  "sendMessage")

    async def tap(self, user: FakeUser, data: str) -> list[Seen]:
        person = str(user.id)
        token = await self._token_for(person, data)
        return await self._record(person, await self.client.tap(person, token),
                                  "editMessageText")

    async def join(self, user: FakeUser, code: str) -> list[Seen]:
        """`/join CODE`, agreeing to the privacy notice when it is shown, as BotHarness.join.
        Kakao gives no name, so one met for the first time is asked theirs first: they
        answer with their first name."""
        seen = await self.send(user, f"/join {code}")
        if await self._asked_for_name(user):
            seen += await self.send(user, user.first_name)
        agree = [data for item in seen for _, data in item.buttons if data.startswith("jn:ok:")]
        if agree:
            seen += await self.tap(user, agree[-1])
        return seen

    async def deliver_notices(self) -> None:
        await self.client.skill.idle()
        await self.client.skill.drain()
        self._take_news()

    def sent_to(self, user: FakeUser) -> list[Seen]:
        self._take_news()
        return [seen for seen in self.seen if seen.person == str(user.id)]

    def last_message_to(self, user: FakeUser) -> Seen:
        sent = self.sent_to(user)
        assert sent, f"nothing was shown to {user.first_name}"
        return sent[-1]

    def button_data(self, user: FakeUser, label_part: str) -> str:
        for seen in reversed(self.sent_to(user)):
            for label, data in seen.buttons:
                if label_part in label:
                    return data
        raise AssertionError(f"no button with {label_part!r} shown to {user.first_name}")

    # ----- inside ---------------------------------------------------------------------------

    async def _asked_for_name(self, user: FakeUser) -> bool:
        async with self.services.db.read() as conn:
            rows = await fetch_all(conn, "SELECT person_id FROM identities WHERE channel = ?"
                                   " AND external_id = ?", (CHANNEL, str(user.id)))
        if not rows:
            return False
        dialog = await self.services.dialogs.get(rows[0]["person_id"])
        return dialog is not None and dialog.name == naming.DIALOG

    def _take_news(self) -> None:
        """What the channel kept as news since last looked: waiting for its person."""
        for address, text, buttons in self.client.channel.sent[self._news_recorded:]:
            self.seen.append(Seen(address, "sendMessage", plain(text), [
                (button.label, button.action) for row in buttons for button in row
                if not button.url], news=True))
        self._news_recorded = len(self.client.channel.sent)

    async def _record(self, person: str, answer: Answer, method: str) -> list[Seen]:
        self._take_news()
        actions = {token: found.action for token in _tokens(answer)
                   if (found := await self.store.token(token)) is not None}
        news = bool(answer.texts) and answer.texts[0].startswith("📬")  # the news, now shown
        if news:
            self.seen = [seen for seen in self.seen if not (seen.person == person and seen.news)]
        seen = []
        outputs = answer.outputs
        for index, output in enumerate(outputs):
            buttons = [(shown, actions.get((element.get("extra") or {}).get("token"), ""))
                       for shown, element in _tappable_of(output)]
            if index == len(outputs) - 1:
                buttons += [(reply["messageText"], actions.get(
                    (reply.get("extra") or {}).get("token"), "")) for reply in
                    answer.quick_replies]
            kind = ("sendPhoto" if "simpleImage" in output
                    else "sendMessage" if news and index == 0 else method)
            seen.append(Seen(person, kind, bubble_text(output), buttons))
        self.seen += seen
        return seen

    async def _token_for(self, person: str, action: str) -> str:
        """The token of a button for `action` the person was shown; if it was in their news or
        behind "더 보기", they look there first, as a person would."""
        token = await self.store.latest_token(person, action)
        in_news = any(data == action for seen in self.seen
                      if seen.person == person and seen.news for _, data in seen.buttons)
        if token is None and in_news:
            await self._record(person, await self.client.see_result(person), "sendMessage")
            token = await self.store.latest_token(person, action)
        if token is None:
            async with self.services.db.read() as conn:
                rows = await fetch_all(conn, "SELECT token, more FROM kakao_tokens WHERE"
                                       " user_key = ? AND action = ? ORDER BY rowid DESC",
                                       (person, MORE))
            for row in rows:
                if any(data == action for _, data in json.loads(row["more"])):
                    await self._record(person, await self.client.tap(person, row["token"]),
                                       "editMessageText")
                    token = await self.store.latest_token(person, action)
                    break
        assert token is not None, f"no button for {action!r} was shown to {person}"
        return token


def _tappable_of(output: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return Answer(200, {"template": {"outputs": [output]}}).tappable()


def _tokens(answer: Answer) -> list[str]:
    return [token for _, element in answer.tappable()
            if (token := (element.get("extra") or {}).get("token"))]
