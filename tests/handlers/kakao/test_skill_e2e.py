"""KakaoTalk end to end: recorded skill payloads posted through the ASGI app (httpx's
ASGITransport), every response checked by the Kakao validator (tests/kakao_support.py)."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from starlette.applications import Starlette

from conversation.app import Conversation
from conversation.notify import Notifier
from conversation.replies import Button, keyboard
from conversation.routes import ROUTES
from core.events import EventDraft
from handlers.kakao.app import kakao_routes
from tests.kakao_support import SECRET, Answer, KakaoClient, payload
from tests.support import count_rows

KIM, LEE, PARK = "kakao-kim-7f3a9c", "kakao-lee-b81d2e", "kakao-park-4c0f6b"
NAMES = {KIM: "김영희", LEE: "이철수", PARK: "박민지"}


@pytest.fixture
async def kakao(tmp_path, clock):
    client = await KakaoClient.start(tmp_path / "kakao.db", clock)
    yield client
    await client.stop()


async def community(kakao: KakaoClient) -> None:
    services = kakao.services
    await services.membership.create_community(code="mapo", name="마포 품앗이",
                                               credit_floor=-300_000, approval="auto")
    await services.membership.add_coordinator(code="mapo", channel="kakao", external_id=KIM)
    await kakao.say(KIM, "/start")
    for user in (LEE, PARK):
        answer = await join(kakao, user)
        assert answer.status == 200 and "환영해요" in answer.text


async def join(kakao: KakaoClient, user: str) -> Answer:
    """/join mapo as Kakao sends it: Kakao gives no name, so the name question comes first,
    then the privacy notice, whose Agree joins."""
    asked = await kakao.post(payload("join.json", user=user))
    assert "보일 이름" in asked.text
    notice = await kakao.say(user, NAMES[user])
    assert "개인정보" in notice.text
    return await kakao.tap(user, notice.token("동의하고 가입"))


async def test_join_gives_a_placeholder_name_and_the_menu(kakao):
    """Until the person answers the name question, a placeholder name stands for them."""
    await kakao.services.membership.create_community(code="mapo", name="마포 품앗이",
                                                     approval="auto")
    await kakao.post(payload("join.json", user=LEE))
    person = await kakao.channel.store.person(LEE)
    assert person is not None and person.display_name.startswith("카카오 회원 ")
    answer = await kakao.say(LEE, "이철수")
    answer = await kakao.tap(LEE, answer.token("동의하고 가입"))
    assert "마포 품앗이" in answer.text and "#1" in answer.text
    assert "💰 잔액" in answer.labels()  # the main menu, as quick replies


async def test_a_given_name_is_kept(kakao):
    """Kakao sends no name; once a person has one (the name question), it stays."""
    await kakao.services.people.resolve("kakao", LEE, "이철수")
    await kakao.say(LEE, "/start")
    assert (await kakao.channel.store.person(LEE)).display_name == "이철수"


async def test_balance(kakao):
    await community(kakao)
    answer = await kakao.post(payload("balance.json", user=LEE))
    assert "잔액: 0문" in answer.text


async def test_pay_by_name_confirm_tapped_twice_pays_once(kakao):
    await community(kakao)
    await kakao.services.people.resolve("kakao", PARK, "박민지")  # as the name question will
    preview = await kakao.post(payload("pay_by_name.json", user=LEE))
    assert "5,000문" in preview.text and "박민지" in preview.text
    token = preview.token("보내기")
    tap = payload("quick_reply_tap.json", user=LEE, extra={"token": token})
    first = await kakao.post(tap)
    assert "보냈어요" in first.text
    assert (await kakao.channel.store.token(token)).used_at is not None
    second = await kakao.post(tap)
    assert "이미 처리했어요" in second.text
    assert await count_rows(kakao.services, "transfers") == 1
    assert "잔액: -5,000문" in (await kakao.say(LEE, "/balance")).text
    told = await kakao.say(PARK, "/balance")  # the payee's news comes first
    assert told.texts[0].startswith("📬 새 소식 1건") and "5,000문" in told.texts[0]
    assert "잔액: 5,000문" in told.texts[1]
    again = await kakao.say(PARK, "/balance")
    assert "새 소식" not in again.text  # shown once
    assert (await kakao.services.verify()).ok


async def test_two_taps_at_once_pay_once(kakao):
    await community(kakao)
    preview = await kakao.post(payload("pay_by_number.json", user=LEE))
    tap = payload("quick_reply_tap.json", user=LEE, extra={"token": preview.token("보내기")})
    answers = await asyncio.gather(kakao.post(tap), kakao.post(tap))
    said = " ".join(answer.text for answer in answers)
    assert "보냈어요" in said and "이미 처리했어요" in said
    assert await count_rows(kakao.services, "transfers") == 1


async def test_charge_accepted_from_the_news(kakao):
    await community(kakao)
    asked = await kakao.post(payload("charge.json", user=PARK))
    assert "3,000문" in asked.text
    news = await kakao.say(LEE, "/balance")
    assert news.texts[0].startswith("📬 새 소식 1건") and "3,000문" in news.texts[0]
    accepted = await kakao.tap(LEE, news.token("수락"))
    assert "보냈어요" in accepted.text
    assert "잔액: 3,000문" in (await kakao.say(PARK, "/balance")).text
    assert (await kakao.services.verify()).ok


async def test_the_market_is_a_list_card(kakao):
    await community(kakao)
    park = await kakao.services.people.resolve("kakao", PARK, "박민지")
    for title in ("김치 담가 드려요", "아이 옷 나눔"):
        await kakao.services.market.create_post(
            park, kind="offer", category="food", title=title, description="", price=15000,
            photo_file_id=None)
    market = await kakao.post(payload("market.json", user=LEE))
    card = next(output["listCard"] for output in market.outputs if "listCard" in output)
    assert card["header"]["title"].startswith("장터")
    titles = [item["title"] for item in card["items"]]
    assert any("김치 담가 드려요" in title for title in titles)
    assert all(item["extra"]["token"] for item in card["items"])
    post = await kakao.tap(LEE, market.token("김치 담가 드려요"))
    assert "김치 담가 드려요" in post.text and "15,000문" in post.text
    preview = await kakao.tap(LEE, post.token("💳"))
    await kakao.tap(LEE, preview.token("보내기"))
    assert "잔액: 15,000문" in (await kakao.say(PARK, "/balance")).text


async def test_sign_up_for_a_session(kakao, clock):
    await community(kakao)
    kim = await kakao.services.people.resolve("kakao", KIM, "김영희")
    starts = clock.now() + timedelta(days=3)
    await kakao.services.events.create(kim, EventDraft(
        kind="study", title="품앗이 학당", starts_at=starts, ends_at=starts + timedelta(hours=2),
        capacity=10))
    listed = await kakao.post(payload("sessions.json", user=LEE))
    assert "품앗이 학당" in listed.text
    shown = await kakao.tap(LEE, listed.token("품앗이 학당"))
    signed = await kakao.tap(LEE, shown.token("신청"))
    assert "✅ 신청됐어요" in signed.text
    assert "품앗이 학당" in (await kakao.say(LEE, "/mysessions")).text


async def test_a_notice_waits_as_news_and_is_shown_once(kakao):
    await community(kakao)
    await kakao.say(KIM, "/notice")
    choose = await kakao.say(KIM, "토요일 대청소해요")
    urgency = await kakao.tap(KIM, choose.token("회원 모두"))
    preview = await kakao.tap(KIM, urgency.token("보통"))
    sent = await kakao.tap(KIM, preview.token("보내기"))
    assert "공지" in sent.text
    await kakao.skill.idle()  # the outbox drain the send woke
    for user in (LEE, PARK):
        news = await kakao.say(user, "/balance")
        assert news.texts[0].startswith("📬 새 소식 1건")
        assert "토요일 대청소해요" in news.texts[0] and "공지" in news.texts[0]
        assert "토요일 대청소해요" not in (await kakao.say(user, "/balance")).text


async def test_the_coordinators_own_notice_follows_the_confirmation(kakao):
    """The drain a send wakes starts once the send's reply is composed: even when the drain
    would win (here it is made to: the reply waits for it before reading the news), the reply
    is the confirmation alone, never the notice and its result above "I'll tell you when
    done". They follow as news in that order, as on Telegram."""
    await community(kakao)
    await kakao.say(KIM, "/notice")
    choose = await kakao.say(KIM, "토요일 대청소해요")
    urgency = await kakao.tap(KIM, choose.token("회원 모두"))
    preview = await kakao.tap(KIM, urgency.token("보통"))
    store = kakao.channel.store
    original = store.waiting

    async def after_the_drain(*args, **kwargs):
        await kakao.skill.idle()
        return await original(*args, **kwargs)

    store.waiting = after_the_drain
    sent = await kakao.tap(KIM, preview.token("보내기"))
    store.waiting = original
    assert "보내고 있어요" in sent.text
    assert not sent.texts[0].startswith("📬") and "토요일 대청소해요" not in sent.text
    await kakao.skill.idle()
    news = await kakao.say(KIM, "/balance")
    assert news.texts[0].startswith("📬 새 소식 2건")
    notice, result = news.texts[0].index("토요일 대청소해요"), news.texts[0].index("결과")
    assert notice < result


async def test_a_send_whose_request_is_cancelled_still_drains_the_outbox(kakao):
    """The HTTP request of a send goes (the server stopping, the client gone) after the
    notice is queued but before its reply is composed: what the send did stands, and the
    drain it asked for still starts, once."""
    await community(kakao)
    await kakao.say(KIM, "/notice")
    choose = await kakao.say(KIM, "토요일 대청소해요")
    urgency = await kakao.tap(KIM, choose.token("회원 모두"))
    preview = await kakao.tap(KIM, urgency.token("보통"))
    drains = []
    drain = kakao.skill.drain

    async def counted():
        drains.append(1)
        return await drain()

    kakao.skill.drain = counted
    store = kakao.channel.store
    original = store.waiting
    entered, release = asyncio.Event(), asyncio.Event()

    async def gated(*args, **kwargs):  # the send is done, its reply not composed yet
        entered.set()
        await release.wait()
        return await original(*args, **kwargs)

    store.waiting = gated
    request = asyncio.create_task(kakao.tap(KIM, preview.token("보내기")))
    await asyncio.wait_for(entered.wait(), 10)
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    release.set()
    store.waiting = original
    await kakao.skill.idle()
    assert len(drains) == 1
    assert "토요일 대청소해요" in (await kakao.say(LEE, "/balance")).texts[0]


class SlowConversation(Conversation):
    """A flow that stalls: the answer comes long after Kakao's budget."""

    delay = 0.6

    async def handle(self, event):
        await asyncio.sleep(self.delay)
        return await super().handle(event)


async def test_a_stalled_call_answers_within_the_budget_and_the_result_follows(tmp_path, clock):
    kakao = await KakaoClient.start(tmp_path / "slow.db", clock, budget=0.2,
                                    conversation_type=SlowConversation)
    try:
        await kakao.services.membership.create_community(code="mapo", name="마포 품앗이",
                                                         approval="auto")
        started = time.perf_counter()
        answer = await kakao.post(payload("join.json", user=LEE))
        assert time.perf_counter() - started < 0.2 + 0.15
        assert "준비하고 있어요" in answer.text
        assert answer.quick_replies[0]["extra"] == {"news": True}
        await kakao.skill.idle()
        result = await kakao.post(payload("see_result.json", user=LEE))
        # the join's answer (for a nameless Kakao user: the name question) follows as news
        assert result.texts[0].startswith("📬 새 소식 1건") and "보일 이름" in result.text
    finally:
        await kakao.stop()


async def test_see_result_before_it_is_ready(kakao):
    answer = await kakao.post(payload("see_result.json", user=LEE))
    assert "아직 새 소식이 없어요" in answer.text


async def test_a_wrong_secret_is_not_found(kakao):
    response = await kakao.http.post("/kakao/skill/guess", json=payload("join.json", user=LEE))
    assert response.status_code == 404
    assert await count_rows(kakao.services, "people") == 0


async def test_no_secret_no_route(tmp_path, clock):
    services = await kakao_services(tmp_path, clock)
    try:
        notifier = Notifier()
        conversation = Conversation(services, ROUTES, notifier)
        assert kakao_routes(conversation, notifier, None) == []
        assert kakao_routes(conversation, notifier, "") == []
        assert [route.path for route in kakao_routes(conversation, notifier, "x")] == [
            "/kakao/skill/{secret}"]
        Starlette(routes=kakao_routes(conversation, notifier, "x"))
    finally:
        await services.close()


async def kakao_services(tmp_path, clock):
    from core.services import Services

    return await Services.open(tmp_path / "bare.db", clock=clock)


async def test_malformed_calls_get_a_kakao_shaped_400(kakao):
    not_json = await kakao.http.post(f"/kakao/skill/{SECRET}", content=b"{not json")
    assert not_json.status_code == 400
    no_user = await kakao.post({"userRequest": {"utterance": "잔액"}})
    assert no_user.status == 400 and "다시 한 번" in no_user.text


async def test_a_token_shown_to_someone_else_or_expired_does_nothing(kakao, clock):
    await community(kakao)
    preview = await kakao.post(payload("pay_by_number.json", user=LEE))
    token = preview.token("보내기")
    foreign = await kakao.tap(PARK, token)
    assert "더 이상 쓸 수 없어요" in foreign.text
    unknown = await kakao.tap(LEE, "made-up-token")
    assert "더 이상 쓸 수 없어요" in unknown.text
    clock.advance(timedelta(days=8))
    expired = await kakao.tap(LEE, token)
    assert "더 이상 쓸 수 없어요" in expired.text
    assert await count_rows(kakao.services, "transfers") == 0


async def test_the_chart_is_an_image_and_the_export_is_explained(tmp_path, clock):
    stored = []

    def put(content: bytes, content_type: str) -> str:
        stored.append(content_type)
        return f"https://pumasi.test/media/{len(stored)}.png"

    kakao = await KakaoClient.start(tmp_path / "media.db", clock, media=put)
    try:
        await community(kakao)
        stats = await kakao.say(KIM, "/stats")
        images = [output["simpleImage"] for output in stats.outputs if "simpleImage" in output]
        assert images == [{"imageUrl": "https://pumasi.test/media/1.png",
                           "altText": "월별 거래 건수와 금액"}] and stored == ["image/png"]
        export = await kakao.say(KIM, "/export")
        assert "카카오톡으로는" in export.text and "pumasi export" in export.text
    finally:
        await kakao.stop()


async def many(turn) -> None:
    await turn.reply("골라 주세요", keyboard([[Button(f"{n}번", f"many:{n}")
                                          for n in range(1, 13)]]))


async def picked(turn) -> None:
    await turn.edit(f"{turn.data} 골랐어요")


async def test_more_than_ten_choices_are_behind_more(tmp_path, clock):
    routes = replace(ROUTES, commands={**ROUTES.commands, "many": many},
                     actions=[*ROUTES.actions, (re.compile(r"^many:"), picked)])
    kakao = await KakaoClient.start(tmp_path / "many.db", clock, routes=routes)
    try:
        first = await kakao.say(LEE, "/many")
        assert first.labels()[-1] == "더 보기 ▶" and len(first.labels()) == 10
        rest = await kakao.tap(LEE, first.token("더 보기"))
        assert rest.labels() == ["10번", "11번", "12번"]
        assert "many:12 골랐어요" in (await kakao.tap(LEE, rest.token("12번"))).text
        again = await kakao.tap(LEE, first.token("더 보기"))  # opening "more" commits nothing
        assert again.labels() == ["10번", "11번", "12번"]
    finally:
        await kakao.stop()


async def test_a_stall_before_the_conversation_started_says_try_again(tmp_path, clock):
    kakao = await KakaoClient.start(tmp_path / "stuck.db", clock, budget=0.2)
    original = kakao.channel.store.person

    async def slow_person(user_key):
        await asyncio.sleep(0.5)
        return await original(user_key)

    kakao.channel.store.person = slow_person
    try:
        await kakao.services.membership.create_community(code="mapo", name="마포 품앗이",
                                                         approval="auto")
        started = time.perf_counter()
        answer = await kakao.post(payload("join.json", user=LEE))
        assert time.perf_counter() - started < 0.2 + 0.15
        assert "다시 한 번 해 주세요" in answer.text and not answer.quick_replies
        await kakao.skill.idle()
        assert await count_rows(kakao.services, "memberships") == 0  # nothing was started
    finally:
        await kakao.stop()


async def test_a_committed_answer_is_not_lost_when_the_reply_fails(kakao):
    await community(kakao)
    preview = await kakao.post(payload("pay_by_number.json", user=LEE))
    store = kakao.channel.store
    original = store.reply_shown

    async def broken(*args, **kwargs):
        store.reply_shown = original
        raise OSError("disk I/O error")

    store.reply_shown = broken
    answer = await kakao.tap(LEE, preview.token("보내기"))
    assert "준비하고 있어요" in answer.text
    assert await count_rows(kakao.services, "transfers") == 1
    await kakao.skill.idle()
    result = await kakao.see_result(LEE)
    assert result.texts[0].startswith("📬 새 소식 1건") and "보냈어요" in result.texts[0]
