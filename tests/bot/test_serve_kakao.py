"""`pumasi serve` as it is assembled for both messengers: the Telegram webhook and the Kakao
skill route in one ASGI app on one database, one notifier carrying messages across."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.app import build_application
from bot.fake_api import FakeBotApi
from bot.kakao import kakao_parts
from bot.updates import UpdateFactory
from bot.web import SECRET_HEADER, WEBHOOK_PATH, create_app
from core.notices import NoticeDraft
from core.services import Services
from handlers.kakao.validator import validate
from handlers.telegram.background import background_of
from handlers.telegram.outbox import RATE_KEY
from handlers.telegram.throttle import Throttle
from storage.leader import JobsLease
from tests.bot.test_web import PUBLIC_URL, running
from tests.conftest import KIM
from tests.kakao_support import SECRET, Answer, payload
from tests.support import seed_community, settings_for

KAKAO_KEY = "kakao-user-key-for-the-serve-test"


def assembled(tmp_path, clock, api: FakeBotApi):
    settings = replace(settings_for(tmp_path / "serve.db"), public_url=PUBLIC_URL,
                       kakao_skill_secret=SECRET)
    application = build_application(settings, request=api, clock=clock)
    application.bot_data["throttle"] = Throttle(limit=1_000_000)
    application.bot_data[RATE_KEY] = None
    routes, lifespans = kakao_parts(settings)
    return create_app(settings, application, routes, lifespans=lifespans), application


async def skill_call(client, utterance: str) -> Answer:
    response = await client.post(f"/kakao/skill/{SECRET}",
                                 json=payload("balance.json", user=KAKAO_KEY,
                                              utterance=utterance))
    assert response.status_code == 200
    validate(response.json())
    return Answer(response.status_code, response.json())


async def test_a_telegram_member_pays_a_kakao_member_who_reads_it_on_kakao(tmp_path, clock):
    api = FakeBotApi()
    app, application = assembled(tmp_path, clock, api)
    async with running(app) as client:
        services = app.state.services
        await seed_community(services, members=1)  # KIM (#1) on Telegram, a coordinator
        kakao = await services.people.resolve("kakao", KAKAO_KEY, "박카카오")
        await services.membership.join(kakao, "mapo")  # #2, on KakaoTalk
        assert "잔액" in (await skill_call(client, "/balance")).text

        updates = UpdateFactory(application.bot)
        secret = {SECRET_HEADER: app.state.webhook_secret}
        await client.post(WEBHOOK_PATH, json=updates.message_dict(KIM, "/pay #2 5천원 떡값"),
                          headers=secret)
        confirm = next(data for call in reversed(api.sent_to(KIM.id))
                       for label, data in call.buttons if "보내기" in label)
        await client.post(WEBHOOK_PATH, json=updates.callback_dict(KIM, confirm),
                          headers=secret)
        await background_of(application).finish()  # the payee is told after the reply

        answer = await skill_call(client, "/balance")
        assert "새 소식 1건" in answer.text and "5,000문" in answer.text  # the payment news
        assert "잔액: 5,000문" in answer.text
        assert (await services.verify()).ok


async def test_the_kakao_route_needs_its_secret_and_is_off_without_one(tmp_path, clock):
    app, _ = assembled(tmp_path, clock, FakeBotApi())
    async with running(app) as client:
        response = await client.post("/kakao/skill/wrong",
                                     json=payload("balance.json", user=KAKAO_KEY))
        assert response.status_code == 404
    settings = settings_for(tmp_path / "off.db")
    assert kakao_parts(settings) == ([], [])


async def kakao_notice_queued(services) -> None:
    """A notice from KIM (a coordinator) to a KakaoTalk member: one outbox row on Kakao."""
    [kim] = await seed_community(services, members=1)
    kakao = await services.people.resolve("kakao", KAKAO_KEY, "박카카오")
    await services.membership.join(kakao, "mapo")
    await services.notices.send(kim, NoticeDraft("토요일 대청소", "all"), message="토요일 대청소")


async def kakao_states(services) -> list[str]:
    async with services.db.read() as conn, conn.execute(
            "SELECT state FROM outbox WHERE channel = 'kakao'") as cursor:
        return [row[0] for row in await cursor.fetchall()]


def kakao_only(db_target):
    settings = replace(settings_for(db_target), telegram_token=None, public_url=PUBLIC_URL,
                       kakao_skill_secret=SECRET)
    routes, lifespans = kakao_parts(settings)
    return create_app(settings, None, routes, lifespans=lifespans)


async def test_a_kakao_only_server_recovers_what_it_was_sending_when_it_starts(db_target):
    """Without Telegram there was no start-up recovery: a Kakao row left 'sending' by a
    crash stayed so. Now taking the jobs lease recovers it, as for Telegram."""
    services = await Services.open(db_target)
    try:
        await kakao_notice_queued(services)
        assert len(await services.notices.claim(1, channel="kakao")) == 1  # then a crash
    finally:
        await services.close()
    app = kakao_only(db_target)
    async with running(app):
        assert app.state.leader.leading
        assert await kakao_states(app.state.services) == ["uncertain"]


@pytest.mark.postgres_only
async def test_a_kakao_process_without_the_lease_drains_nothing(db_target, monkeypatch):
    monkeypatch.setattr("bot.kakao.DRAIN_SECONDS", 0.02)
    services = await Services.open(db_target)
    other = JobsLease(services.db)  # another process holds the jobs lease
    try:
        assert await other.take()
        await kakao_notice_queued(services)
        app = kakao_only(db_target)
        async with running(app):
            await asyncio.sleep(0.3)
            assert not app.state.leader.leading
            assert await kakao_states(services) == ["pending"]
            await other.release()  # that process dies
            await app.state.leader.tick()
            assert app.state.leader.leading
            for _ in range(100):  # claimed ('sending') and finished are two transactions
                if await kakao_states(services) not in (["pending"], ["sending"]):
                    break
                await asyncio.sleep(0.02)
            assert await kakao_states(services) == ["sent"]  # kept as news for the member
    finally:
        await other.release()
        await services.close()


async def test_a_chart_shown_on_kakao_is_served_by_another_process(db_target):
    """Kakao fetches the image of a skill answer from whichever process the load balancer
    picks: the second process serves what the first stored."""
    answering, other = kakao_only(db_target), kakao_only(db_target)
    async with running(answering) as client, running(other) as elsewhere:
        services = answering.state.services
        await services.membership.create_community(
            code="mapo", name="마포 품앗이", credit_floor=-300_000, credit_ceiling=1_000_000,
            approval="auto")
        await services.membership.add_coordinator(code="mapo", channel="kakao",
                                                  external_id=KAKAO_KEY)
        coordinator = await services.people.resolve("kakao", KAKAO_KEY, "박카카오")
        await services.membership.join(coordinator, "mapo")
        answer = await skill_call(client, "/stats")
        [url] = [output["simpleImage"]["imageUrl"] for output in answer.outputs
                 if "simpleImage" in output]
        assert url.startswith(PUBLIC_URL + "/media/")
        image = await elsewhere.get(url.removeprefix(PUBLIC_URL))
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert image.content.startswith(b"\x89PNG")
