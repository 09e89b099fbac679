"""News for Kakao users: kept when it cannot be pushed, the notice outbox drained into it, and
the tokens and news that have served their time forgotten."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conversation.notify import Notifier
from conversation.replies import Button, keyboard
from core.delivery import KEEP_FOR
from core.notices import NoticeDraft
from handlers.kakao.channel import KakaoChannel, drain_kakao_outbox
from storage.kakao import TOKEN_TTL, Issue, KakaoStore
from tests.support import count_rows


@pytest.fixture
def store(services):
    return KakaoStore(services.db, services.clock)


def test_a_token_stops_working_before_its_record_is_forgotten():
    assert TOKEN_TTL < KEEP_FOR


class Pusher:
    def __init__(self, result) -> None:
        self.result = result
        self.pushed = []

    async def push(self, user_key, text, buttons):
        self.pushed.append((user_key, text, buttons))
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


@pytest.mark.parametrize(("result", "kept"), [(True, 0), (False, 1), (OSError("down"), 1)])
async def test_news_is_kept_unless_the_event_api_pushed_it(store, result, kept):
    pusher = Pusher(result)
    channel = KakaoChannel(store, event_api=pusher)
    buttons = keyboard([[Button("✅ 수락", "chg:ok:1"), Button("지도", url="https://m.test")]])
    assert await channel.send("u1", "<b>3,000문</b> 요청 &amp; 메모", buttons)
    assert pusher.pushed == [("u1", "3,000문 요청 & 메모\n지도: https://m.test",
                              (("✅ 수락", "chg:ok:1"),))]
    news, waiting = await store.waiting("u1", 5)
    assert waiting == kept and len(news) == kept
    if kept:
        assert news[0].buttons == (("✅ 수락", "chg:ok:1"),)


async def test_news_waits_oldest_first_and_is_marked_shown_once(store):
    for n in range(7):
        await store.add_news("u1", f"소식 {n}")
    await store.add_news("u2", "남의 소식")
    news, waiting = await store.waiting("u1", 5)
    assert [item.text for item in news] == [f"소식 {n}" for n in range(5)] and waiting == 7
    tokens = await store.reply_shown("u1", [Issue("bal"), Issue("hist:0")],
                                     [item.id for item in news])
    assert len(set(tokens)) == 2
    news, waiting = await store.waiting("u1", 5)
    assert [item.text for item in news] == ["소식 5", "소식 6"] and waiting == 2
    assert (await store.token(tokens[1])).action == "hist:0"


async def test_old_tokens_and_shown_news_are_forgotten(services, store, clock):
    await store.reply_shown("u1", [Issue("bal")], [])
    shown = await store.add_news("u1", "본 소식")
    await store.add_news("u1", "안 본 소식")
    await store.reply_shown("u1", [], [shown])
    clock.advance(TOKEN_TTL + timedelta(seconds=1))
    assert await store.forget_old() == 1  # the token
    clock.advance(timedelta(days=31))
    assert await store.forget_old() == 1  # the news shown long ago
    assert [item.text for item in (await store.waiting("u1", 5))[0]] == ["안 본 소식"]


async def coordinator_and_members(services):
    await services.membership.create_community(code="mapo", name="마포 품앗이", approval="auto")
    await services.membership.add_coordinator(code="mapo", channel="telegram", external_id="101")
    kim = await services.people.resolve("telegram", "101", "김영희")
    for user in ("k1", "k2"):
        actor = await services.people.resolve("kakao", user, "회원")
        await services.membership.join(actor, "mapo")
    return await services.people.reload(kim.person.id)


async def test_the_outbox_rows_for_kakao_become_news_and_the_author_hears(services, store):
    kim = await coordinator_and_members(services)
    await services.notices.send(kim, NoticeDraft("토요일 대청소해요", "all",
                                                 photo_file_id="AgACAgUAAxk"),
                                message="📢 마포 품앗이 공지\n토요일 대청소해요")

    class Telegram:
        name = "telegram"
        sent: list = []

        async def send(self, address, text, buttons):
            self.sent.append((address, text))
            return True

    telegram = Telegram()
    channel = KakaoChannel(store)
    notifier = Notifier(telegram, channel)
    assert await drain_kakao_outbox(services, channel, notifier) == 2
    for user in ("k1", "k2"):
        news, _ = await store.waiting(user, 5)
        assert len(news) == 1 and news[0].text.startswith("📢 마포 품앗이 공지\n토요일 대청소해요")
        assert "텔레그램에서만" in news[0].text  # the picture Kakao can't show
    assert await drain_kakao_outbox(services, channel, notifier) == 0  # nothing twice
    assert await count_rows(services, "kakao_news") == 2
    # The Telegram row (the coordinator's own copy) is not Kakao's to send.
    assert (await services.notices.report(kim))[0].pending == 1


async def test_a_notice_finished_by_the_kakao_drain_is_reported_to_its_author(services, store):
    kim = await coordinator_and_members(services)
    await services.notices.send(kim, NoticeDraft("공지", "all"), message="공지")
    channel = KakaoChannel(store)
    told = []

    class Telegram:
        name = "telegram"

        async def send(self, address, text, buttons):
            told.append((address, text))
            return True

    notifier = Notifier(Telegram(), channel)
    claimed = await services.notices.claim(10, channel="telegram")  # Telegram's own row
    await services.notices.finish_many([(delivery, "sent", None) for delivery in claimed])
    await drain_kakao_outbox(services, channel, notifier)
    assert [address for address, _ in told] == ["101"]
    assert "N1" in told[0][1] and "3" in told[0][1], told  # the report, with its figures
