"""`pumasi serve`: the web server against the real Application and the recording fake Bot API,
and for real in a subprocess (no token, polling, webhook)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from telegram.ext import Application

from bot.app import build_application
from bot.fake_api import FakeBotApi
from bot.media import MediaStore, MediaUnavailable
from bot.settings import Settings
from bot.updates import UpdateFactory
from bot.web import SECRET_HEADER, WEBHOOK_PATH, create_app, webhook_secret
from handlers.telegram.outbox import RATE_KEY
from handlers.telegram.throttle import Throttle
from tests.conftest import KIM, LEE
from tests.emulator import BotApiEmulator
from tests.support import count_rows, seed_community, settings_for

PUBLIC_URL = "https://pumasi.example.org"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Served:
    app: Starlette
    client: httpx.AsyncClient
    api: FakeBotApi
    application: Application
    updates: UpdateFactory

    @property
    def secret(self) -> str:
        return self.app.state.webhook_secret

    async def post(self, update: dict, secret: str | None = "right") -> httpx.Response:
        headers = {}
        if secret is not None:
            headers[SECRET_HEADER] = self.secret if secret == "right" else secret
        return await self.client.post(WEBHOOK_PATH, json=update, headers=headers)

    def button(self, user, label_part: str) -> str:
        for call in reversed(self.api.sent_to(user.id)):
            for label, data in call.buttons:
                if label_part in label:
                    return data
        raise AssertionError(f"no button {label_part!r} sent to {user.first_name}")


@asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan, as uvicorn runs it, reached through httpx in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


@asynccontextmanager
async def served(tmp_path: Path, clock, api: FakeBotApi | None = None,
                 **overrides) -> AsyncIterator[Served]:
    api = api or FakeBotApi()
    settings = replace(settings_for(tmp_path / "web.db"), public_url=PUBLIC_URL, **overrides)
    application = build_application(settings, request=api, clock=clock)
    application.bot_data["throttle"] = Throttle(limit=1_000_000)
    application.bot_data[RATE_KEY] = None  # the fake API has no limit to respect
    app = create_app(settings, application)
    async with running(app) as client:
        yield Served(app, client, api, application, UpdateFactory(application.bot))


async def trade_ready(s: Served) -> str:
    """KIM (#1) has asked to pay LEE (#2) 5,000; the data of the preview's send button."""
    await seed_community(s.app.state.services)
    assert (await s.post(s.updates.message_dict(KIM, "/pay #2 5천 떡값"))).status_code == 200
    return s.button(KIM, "보내기")


async def balance_of(s: Served, user) -> int:
    services = s.app.state.services
    actor = await services.people.resolve("telegram", str(user.id), user.first_name)
    return (await services.ledger.balance(actor)).balance


def money_in(s: Served, user) -> int:
    return sum("금액이 들어왔어요" in call.text for call in s.api.sent_to(user.id))


# --- the webhook ---------------------------------------------------------------------------


async def test_set_webhook_at_start_with_the_shared_secret(tmp_path, clock):
    async with served(tmp_path, clock) as s:
        [call] = [c for c in s.api.calls if c.method == "setWebhook"]
        assert call.params["url"] == PUBLIC_URL + WEBHOOK_PATH
        assert call.params["secret_token"] == s.secret == webhook_secret(
            s.app.state.settings)
        assert "callback_query" in call.params["allowed_updates"]


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_processed(tmp_path, clock):
    async with served(tmp_path, clock) as s:
        send = await trade_ready(s)
        tap = s.updates.callback_dict(KIM, send)
        before = len(s.api.calls)
        for secret in ("wrong", None, "", s.secret[:-1], s.secret + "x"):
            response = await s.post(tap, secret=secret)
            assert response.status_code == 403, secret
        assert s.api.calls[before:] == []
        assert await count_rows(s.app.state.services, "transfers") == 0
        # The same update, delivered with the secret, is processed: it was never recorded.
        assert (await s.post(tap)).status_code == 200
        assert await count_rows(s.app.state.services, "transfers") == 1


async def test_a_command_is_answered_over_the_webhook(tmp_path, clock):
    async with served(tmp_path, clock) as s:
        await seed_community(s.app.state.services)
        response = await s.post(s.updates.message_dict(LEE, "/balance"))
        assert response.status_code == 200
        [reply] = [c for c in s.api.sent_to(LEE.id) if c.method == "sendMessage"]
        assert "잔액" in reply.text


async def test_a_pay_confirmation_posted_twice_moves_money_once(tmp_path, clock):
    async with served(tmp_path, clock) as s:
        tap = s.updates.callback_dict(KIM, await trade_ready(s))
        assert (await s.post(tap)).status_code == 200
        assert (await s.post(tap)).status_code == 200  # Telegram's redelivery
        assert await count_rows(s.app.state.services, "transfers") == 1
        assert await balance_of(s, LEE) == 5000
        assert money_in(s, LEE) == 1
        assert (await s.app.state.services.verify()).ok


async def test_the_same_confirmation_posted_twice_at_once_moves_money_once(tmp_path, clock):
    async with served(tmp_path, clock) as s:
        tap = s.updates.callback_dict(KIM, await trade_ready(s))
        first, second = await asyncio.gather(s.post(tap), s.post(tap))
        assert first.status_code == second.status_code == 200
        assert await count_rows(s.app.state.services, "transfers") == 1
        assert await balance_of(s, LEE) == 5000
        assert money_in(s, LEE) == 1


class SlowBotApi(FakeBotApi):
    """Telegram answering slowly: a reply still being sent is not yet recorded."""

    async def do_request(self, url, method, *args, **kwargs):
        if url.endswith("/sendMessage"):
            await asyncio.sleep(0.3)
        return await super().do_request(url, method, *args, **kwargs)


async def test_the_webhook_answers_only_after_the_update_is_handled(tmp_path, clock):
    async with served(tmp_path, clock, api=SlowBotApi()) as s:
        await seed_community(s.app.state.services)
        response = await s.post(s.updates.message_dict(LEE, "/balance"))
        # No waiting here: the reply must already have gone out when the 200 came back.
        assert response.status_code == 200
        assert any("잔액" in c.text for c in s.api.sent_to(LEE.id))


async def test_a_body_that_is_not_an_update_is_refused(tmp_path, clock):
    async with served(tmp_path, clock) as s:
        headers = {SECRET_HEADER: s.secret}
        for body in (b"not json", b"[1, 2]", b'{"message": "no id"}'):
            response = await s.client.post(WEBHOOK_PATH, content=body, headers=headers)
            assert response.status_code == 400, body
        assert [c for c in s.api.calls if c.method == "sendMessage"] == []


async def test_without_a_public_url_there_is_no_webhook_route(tmp_path, clock):
    settings = settings_for(tmp_path / "web.db")  # polling mode; the lifespan is not run
    application = build_application(settings, request=FakeBotApi(), clock=clock)
    app = create_app(settings, application)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(WEBHOOK_PATH, json={"update_id": 1},
                                     headers={SECRET_HEADER: webhook_secret(settings)})
    assert response.status_code == 404


def test_the_webhook_secret_is_shared_derived_and_in_telegrams_alphabet():
    base = settings_for("x.db")
    derived = webhook_secret(base)
    assert derived == webhook_secret(replace(base))  # every process behind the URL agrees
    assert len(derived) == 64 and all(ch in "0123456789abcdef" for ch in derived)
    assert derived not in base.telegram_token
    assert webhook_secret(replace(base, telegram_token="999:OTHER")) != derived
    assert webhook_secret(replace(base, telegram_webhook_secret="my_Secret-1")) == "my_Secret-1"
    assert webhook_secret(replace(base, telegram_token=None)) is None


def test_server_settings_from_the_environment():
    settings = Settings.from_env({})
    assert (settings.port, settings.host, settings.public_url) == (8080, "127.0.0.1", None)
    settings = Settings.from_env({
        "PORT": "9000", "PUMASI_HOST": "0.0.0.0", "PUMASI_PUBLIC_URL": "https://a.example/",
        "TELEGRAM_WEBHOOK_SECRET": "abc_DEF-123", "KAKAO_SKILL_SECRET": "k",
        "KAKAO_BOT_ID": "b", "KAKAO_REST_API_KEY": "r"})
    assert (settings.port, settings.host, settings.public_url) == (9000, "0.0.0.0",
                                                                  "https://a.example")
    assert settings.telegram_webhook_secret == "abc_DEF-123"
    assert (settings.kakao_skill_secret, settings.kakao_bot_id,
            settings.kakao_rest_api_key) == ("k", "b", "r")
    for env, word in (({"PORT": "http"}, "PORT"), ({"PORT": "70000"}, "PORT"),
                      ({"PUMASI_PUBLIC_URL": "http://a.example"}, "https"),
                      ({"TELEGRAM_WEBHOOK_SECRET": "has space"}, "A-Z"),
                      ({"TELEGRAM_WEBHOOK_SECRET": "x" * 257}, "256")):
        with pytest.raises(ValueError, match=word):
            Settings.from_env(env)


# --- health --------------------------------------------------------------------------------


async def test_healthz_is_200_with_the_checks_result(tmp_path, clock):
    async with served(tmp_path, clock) as s:
        await seed_community(s.app.state.services)
        response = await s.client.get("/healthz")
        assert response.status_code == 200
        body = response.json()
        assert body["ok"] is True and body["problems"] == []
        assert "1 communities, 4 accounts" in body["facts"]
        assert "telegram: webhook" in body["facts"]


async def test_healthz_is_503_when_the_ledger_is_broken(tmp_path, clock):
    async with served(tmp_path, clock) as s:
        await seed_community(s.app.state.services)
        with sqlite3.connect(tmp_path / "web.db") as conn:
            conn.execute("UPDATE accounts SET balance = 7 WHERE id = 1")
        response = await s.client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["ok"] is False
        assert any("sum to 7" in problem for problem in response.json()["problems"])


async def test_healthz_is_503_when_migrations_are_behind(tmp_path):
    settings = settings_for(tmp_path / "web.db")
    app = create_app(settings, None)
    async with running(app) as client:
        assert (await client.get("/healthz")).json()["facts"][-1] == "telegram: off"
        with sqlite3.connect(tmp_path / "web.db") as conn:
            conn.execute("DELETE FROM schema_migrations WHERE version = "
                         "(SELECT MAX(version) FROM schema_migrations)")
        response = await client.get("/healthz")
        assert response.status_code == 503
        assert any("migrations are not current" in p for p in response.json()["problems"])


# --- images and the channel hook -----------------------------------------------------------


class Ticking:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_an_image_is_served_until_it_expires(db_target):
    tick = Ticking()
    media = MediaStore(PUBLIC_URL, clock=tick)
    app = create_app(settings_for(db_target), None, media=media)
    async with running(app) as client:
        url = await media.put(PNG, "image/png")
        assert url.startswith(PUBLIC_URL + "/media/")
        path = url.removeprefix(PUBLIC_URL)
        assert len(path.rsplit("/", 1)[1]) >= 32  # unguessable
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        assert response.content == PNG
        assert (await client.get("/media/unknown-token")).status_code == 404
        tick.now += media.ttl - 1
        assert (await client.get(path)).status_code == 200
        tick.now += 2
        assert (await client.get(path)).status_code == 404
        assert await media.count() == 0


async def test_an_image_stored_by_one_process_is_served_by_another(db_target):
    """Several `pumasi serve` behind one URL: Kakao fetches the image from whichever one the
    load balancer picks, not necessarily the one that answered the skill call."""
    tick = Ticking()
    made_here, served_there = MediaStore(PUBLIC_URL, clock=tick), MediaStore(PUBLIC_URL,
                                                                             clock=tick)
    first = create_app(settings_for(db_target), None, media=made_here)
    second = create_app(settings_for(db_target), None, media=served_there)
    async with running(first), running(second) as other:
        jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
        path = (await made_here.put(jpeg, "image/jpeg")).removeprefix(PUBLIC_URL)
        response = await other.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        assert response.content == jpeg
        tick.now += made_here.ttl
        assert (await other.get(path)).status_code == 404


async def media_store(services, **bounds) -> MediaStore:
    media = MediaStore(PUBLIC_URL, **bounds)
    media.attach(services.db)
    return media


async def test_the_media_store_is_bounded_and_needs_a_public_url(services):
    media = await media_store(services, max_bytes=250, max_item_bytes=100, max_items=3)
    urls = [await media.put(bytes([i]) * 100, "image/png") for i in range(3)]
    assert len(set(urls)) == 3
    token = [url.rsplit("/", 1)[1] for url in urls]
    assert await media.get(token[0]) is None  # the oldest made room
    assert (await media.get(token[2])).content == bytes([2]) * 100
    with pytest.raises(ValueError):
        await media.put(b"x" * 101, "image/png")
    with pytest.raises(ValueError):
        await media.put(b"<html>", "text/html")
    small = await media_store(services, max_items=2)
    for _ in range(5):
        await small.put(PNG, "image/png")
    assert await small.count() == 2
    off = MediaStore(None)
    assert not off.enabled
    with pytest.raises(MediaUnavailable):
        await off.put(PNG, "image/png")


async def test_the_media_bounds_hold_across_processes(services):
    """Two stores on one database (two processes' worth) share one bound: the oldest image,
    whichever process stored it, makes room."""
    one = await media_store(services, max_items=3)
    other = await media_store(services, max_items=3)
    first = (await one.put(PNG, "image/png")).rsplit("/", 1)[1]
    await other.put(PNG, "image/png")
    await one.put(PNG, "image/png")
    assert await other.get(first) is not None
    await other.put(PNG, "image/png")
    assert await other.get(first) is None and await one.count() == 3


async def test_a_channel_adds_its_route_and_lifespan(tmp_path):
    seen: list[str] = []

    @asynccontextmanager
    async def channel_lifespan(app: Starlette) -> AsyncIterator[None]:
        communities = await count_rows(app.state.services, "communities")  # already open
        seen.append(f"start {type(app.state.notifier).__name__} {communities}")
        yield
        await count_rows(app.state.services, "communities")  # still open
        seen.append("stop")

    async def skill(request: Request) -> JSONResponse:
        services = request.app.state.services
        return JSONResponse({"communities": await count_rows(services, "communities")})

    app = create_app(settings_for(tmp_path / "web.db"), None,
                     [Route("/kakao/skill/{secret}", skill, methods=["POST"])],
                     lifespans=[channel_lifespan])
    async with running(app) as client:
        await seed_community(app.state.services)
        response = await client.post("/kakao/skill/s")
        assert response.json() == {"communities": 1}
    assert seen == ["start Notifier 0", "stop"]


# --- `pumasi serve` for real ---------------------------------------------------------------


def test_serve_is_in_the_help(capsys):
    from bot.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    assert "serve" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "웹 서버 실행" in out and "/healthz" in out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`python -m bot serve` in a subprocess on 127.0.0.1."""

    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.port = free_port()
        environment = {key: value for key, value in os.environ.items()
                       if not key.startswith(("TELEGRAM_", "PUMASI_", "KAKAO_"))}
        environment.update(PORT=str(self.port), PUMASI_DB=str(tmp_path / "serve.db"),
                           PUMASI_HOST="127.0.0.1", **env)
        self.log = tmp_path / "serve.log"
        self._log = self.log.open("wb")
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=tmp_path,
                                        env=environment, stdout=self._log,
                                        stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_healthy(self, timeout: float = 30.0) -> httpx.Response:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                return httpx.get(self.url + "/healthz", timeout=5)
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("the server did not answer:\n" + self.log.read_text())

    def terminate(self, timeout: float = 15.0) -> float:
        """Seconds until a clean stop. uvicorn shuts the app down, then lets the signal end
        the process, as supervisors expect (systemd counts SIGTERM as a clean exit)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        took = time.monotonic() - started
        self._log.close()
        log = self.log.read_text()
        assert code in (0, -signal.SIGTERM), log
        assert "Application shutdown complete" in log, log
        assert "Traceback" not in log, log
        return took

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()


def test_serve_without_telegram_answers_health_and_stops_on_sigterm(tmp_path):
    server = Server(tmp_path)
    try:
        response = server.wait_healthy()
        assert response.status_code == 200, response.text
        assert "telegram: off" in response.json()["facts"]
        assert server.terminate() < 10
    finally:
        server.kill()


def test_serve_polls_telegram_and_serves_http_in_one_process(tmp_path):
    emulator = BotApiEmulator()
    emulator.start()
    server = Server(tmp_path, TELEGRAM_BOT_TOKEN="123456:TEST",
                    TELEGRAM_API_BASE_URL=emulator.base_url)
    try:
        response = server.wait_healthy()
        assert response.status_code == 200, response.text
        assert "telegram: polling" in response.json()["facts"]
        emulator.push(UpdateFactory(None).message_dict(LEE, "/start"))
        emulator.wait_for(lambda m, p: m == "sendMessage" and int(p["chat_id"]) == LEE.id,
                          timeout=20)
        assert any(method == "deleteWebhook" for method, _ in emulator.calls)
        assert server.wait_healthy().status_code == 200  # still serving HTTP meanwhile
        assert server.terminate() < 10
    finally:
        server.kill()
        emulator.stop()


def test_serve_with_a_public_url_takes_updates_by_webhook(tmp_path):
    emulator = BotApiEmulator()
    emulator.start()
    server = Server(tmp_path, TELEGRAM_BOT_TOKEN="123456:TEST",
                    TELEGRAM_API_BASE_URL=emulator.base_url, PUMASI_PUBLIC_URL=PUBLIC_URL)
    try:
        assert "telegram: webhook" in server.wait_healthy().json()["facts"]
        _, hook = emulator.wait_for(lambda m, p: m == "setWebhook")
        assert hook["url"] == PUBLIC_URL + WEBHOOK_PATH
        update = UpdateFactory(None).message_dict(LEE, "/start")
        refused = httpx.post(server.url + WEBHOOK_PATH, json=update, timeout=10)
        assert refused.status_code == 403
        answered = httpx.post(server.url + WEBHOOK_PATH, json=update, timeout=20,
                              headers={SECRET_HEADER: hook["secret_token"]})
        assert answered.status_code == 200
        # The reply was sent before the 200: it is there without waiting.
        assert [p for m, p in emulator.calls
                if m == "sendMessage" and int(p["chat_id"]) == LEE.id]
        assert emulator.poll_times == []  # no polling beside the webhook
        server.terminate()
    finally:
        server.kill()
        emulator.stop()
