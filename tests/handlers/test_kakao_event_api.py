"""The Kakao Event API client against a mock Kakao that records every call and fails on cue:
at most 100 users a call, the KakaoAK header, the documented body; 5xx and timeouts retried a
bounded number of times; a 4xx makes a user unreachable without costing the others; and the
notice outbox's Kakao rows drained with the same report as Telegram's."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from bot.settings import Settings
from conversation.notify import Notifier
from core.notices import NoticeDraft
from handlers.kakao.event_api import (
    BATCH_MAX,
    FAILED,
    MAX_ATTEMPTS,
    SENT,
    UNREACHABLE,
    KakaoEventApi,
    drain_kakao_events,
    event_api_from,
)
from tests.support import seed_community

BOT_ID = "64f0bot"
KEY = "rest-api-key-123"


class MockKakao:
    """Answers each call with the next scripted answer (then 200 SUCCESS), recording it.
    An answer is a status code, an exception to raise, or a function of the user keys."""

    def __init__(self, *script) -> None:
        self.script = list(script)
        self.calls: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        answer = self.script.pop(0) if self.script else 200
        if callable(answer) and not isinstance(answer, type):
            answer = answer(self.keys(request))
        if isinstance(answer, Exception):
            raise answer
        if answer == 200:
            return httpx.Response(200, json={"taskId": f"task-{len(self.calls)}",
                                             "status": "SUCCESS", "message": "",
                                             "timestamp": 1700000000})
        return httpx.Response(answer, json={"status": "FAIL", "message": "refused"})

    @staticmethod
    def body(request: httpx.Request) -> dict:
        return json.loads(request.content)

    def keys(self, request: httpx.Request) -> list[str]:
        return [user["id"] for user in self.body(request)["user"]]


def client(kakao: MockKakao, sleeps: list[float] | None = None) -> KakaoEventApi:
    async def sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    return KakaoEventApi(BOT_ID, KEY, "pumasi_news", transport=httpx.MockTransport(kakao.handler),
                         sleep=sleep)


async def test_calls_carry_at_most_100_users_the_header_and_the_documented_body():
    kakao = MockKakao()
    api = client(kakao)
    keys = [f"bk-{n}" for n in range(250)]

    outcomes = await api.send(keys + ["bk-0"], "<b>회비</b> 안내 &amp; 공지")

    assert [len(kakao.keys(call)) for call in kakao.calls] == [100, 100, 50]
    assert max(len(kakao.keys(call)) for call in kakao.calls) <= BATCH_MAX
    first = kakao.calls[0]
    assert first.method == "POST"
    assert str(first.url) == f"https://bot-api.kakao.com/v2/bots/{BOT_ID}/talk"
    assert first.headers["Authorization"] == f"KakaoAK {KEY}"
    assert first.headers["Content-Type"] == "application/json"
    assert kakao.body(first) == {
        "event": {"name": "pumasi_news", "data": {"text": "회비 안내 & 공지"}},
        "user": [{"type": "botUserKey", "id": f"bk-{n}"} for n in range(100)],
    }
    assert sum((kakao.keys(call) for call in kakao.calls), []) == keys  # each once
    assert set(outcomes) == set(keys) and all(o.state == SENT for o in outcomes.values())
    await api.aclose()


async def test_a_500_is_retried_once_then_sent():
    kakao, sleeps = MockKakao(500), []
    api = client(kakao, sleeps)

    outcomes = await api.send(["bk-1", "bk-2"], "안내")

    assert len(kakao.calls) == 2 and kakao.keys(kakao.calls[1]) == ["bk-1", "bk-2"]
    assert len(sleeps) == 1
    assert {key: o.state for key, o in outcomes.items()} == {"bk-1": SENT, "bk-2": SENT}


async def test_timeouts_are_retried_a_bounded_number_of_times_then_failed():
    kakao = MockKakao(*[httpx.ReadTimeout("slow") for _ in range(MAX_ATTEMPTS + 2)])
    api = client(kakao, [])

    outcomes = await api.send(["bk-1"], "안내")

    assert len(kakao.calls) == MAX_ATTEMPTS
    assert outcomes["bk-1"].state == FAILED and outcomes["bk-1"].error == "ReadTimeout"


async def test_a_400_makes_the_user_unreachable_without_costing_the_others():
    def refuse_gone(keys: list[str]) -> int:
        return 400 if "bk-gone" in keys else 200

    kakao = MockKakao(*[refuse_gone] * 10)
    api = client(kakao, [])

    outcomes = await api.send(["bk-1", "bk-gone", "bk-3"], "안내")

    assert [kakao.keys(call) for call in kakao.calls] == [
        ["bk-1", "bk-gone", "bk-3"], ["bk-1"], ["bk-gone"], ["bk-3"]]
    assert {key: o.state for key, o in outcomes.items()} == {
        "bk-1": SENT, "bk-gone": UNREACHABLE, "bk-3": SENT}
    assert outcomes["bk-gone"].error == "HTTP 400"


async def test_wrong_credentials_fail_at_once_without_retrying():
    kakao = MockKakao(401, 401)
    api = client(kakao, [])

    outcomes = await api.send(["bk-1", "bk-2"], "안내")

    assert len(kakao.calls) == 1
    assert {o.state for o in outcomes.values()} == {FAILED}


def test_without_both_settings_there_is_no_client():
    assert event_api_from(None, KEY, "pumasi_news") is None
    assert event_api_from(BOT_ID, "", "pumasi_news") is None
    assert isinstance(event_api_from(BOT_ID, KEY, "pumasi_news"), KakaoEventApi)
    settings = Settings.from_env({"KAKAO_BOT_ID": BOT_ID, "KAKAO_REST_API_KEY": KEY})
    assert (settings.kakao_bot_id, settings.kakao_rest_api_key, settings.kakao_event_name) == (
        BOT_ID, KEY, "pumasi_news")
    assert Settings.from_env({}).kakao_bot_id is None


class Recorder:
    name = "telegram"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, address: str, text: str, buttons) -> bool:
        self.sent.append((address, text))
        return True


async def kakao_members(services, count: int, *, gone: Callable[[int], bool] = lambda n: False):
    for n in range(count):
        key = f"bk-gone-{n}" if gone(n) else f"bk-{n}"
        actor = await services.people.resolve("kakao", key, "카카오 회원")
        await services.membership.join(actor, "mapo")


async def send_notice(services, coordinator) -> int:
    report = await services.notices.send(coordinator, NoticeDraft(text="대청소 날",
                                                                  audience="all"),
                                         message="📢 마포 공지\n대청소 날")
    return report.notice_id


async def test_the_notice_outbox_kakao_rows_go_in_calls_of_100_and_the_author_is_told(
        services):
    kim, *_ = await seed_community(services, members=1)  # the coordinator, on Telegram
    await kakao_members(services, 150)
    notice_id = await send_notice(services, kim)
    kakao, sleeps = MockKakao(500), []
    api = client(kakao, sleeps)
    author_inbox = Recorder()

    handled = await drain_kakao_events(services, api, Notifier(author_inbox))

    assert handled == 150
    # the first call got a 500 and was made again (once); then the other 50
    assert len(sleeps) == 1
    assert [len(kakao.keys(call)) for call in kakao.calls] == [100, 100, 50]
    assert kakao.body(kakao.calls[0])["event"]["data"]["text"] == "📢 마포 공지\n대청소 날"
    reports = await services.notices.report(kim, notice_id)
    # the coordinator's own row waits for Telegram's outbox
    assert (reports[0].sent, reports[0].failed, reports[0].pending) == (150, 0, 1)
    assert reports[0].recipients == 151
    assert await drain_kakao_events(services, api, Notifier(author_inbox)) == 0  # none twice
    assert author_inbox.sent == []  # not done until Telegram's row is sent too


async def test_unreachable_kakao_members_are_reported_to_the_author(services):
    kim, *_ = await seed_community(services, members=1)
    async with services.db.write() as conn:  # the coordinator reads reports on Kakao too
        await conn.execute("UPDATE identities SET channel = 'kakao' WHERE external_id = '101'")
    await kakao_members(services, 4, gone=lambda n: n == 2)

    def refuse_gone(keys: list[str]) -> int:
        return 400 if any(key.startswith("bk-gone") for key in keys) else 200

    await send_notice(services, kim)
    kakao = MockKakao(*[refuse_gone] * 10)
    author_inbox = Recorder()
    author_inbox.name = "kakao"

    assert await drain_kakao_events(services, client(kakao, []), Notifier(author_inbox)) == 5

    assert len(author_inbox.sent) == 1
    address, text = author_inbox.sent[0]
    assert address == "101"
    assert "4명에게 보냈어요" in text and "연락 안 됨 1명" in text and "실패 0명" in text


@pytest.mark.parametrize("status", [401, 403])
async def test_rows_fail_when_kakao_refuses_the_bot(services, status):
    kim, *_ = await seed_community(services, members=1)
    await kakao_members(services, 3)
    notice_id = await send_notice(services, kim)

    await drain_kakao_events(services, client(MockKakao(status), []))

    report = (await services.notices.report(kim, notice_id))[0]
    assert (report.sent, report.failed) == (0, 3)
