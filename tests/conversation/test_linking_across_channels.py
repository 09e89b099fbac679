"""One person on every channel, end to end on one database: Telegram (the real adapter and the
recording fake Bot API), the console, and KakaoTalk as its adapter will hand events to the
conversation (channel "kakao", no name, a user key). A code made on one channel and typed on
another joins the two; pays from either side move the same account; notifications come
once, on the channel the person chose."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from bot.console import ConsoleSession
from bot.updates import FakeUser
from conversation.event import ChannelInfo, Event, Sender
from conversation.limits import plain_text
from conversation.replies import Rows, Say
from handlers.console import ConsoleChannel, ConsoleScreen
from handlers.telegram.common import NOTIFIER_KEY, TelegramChannel
from tests.conftest import KIM, LEE, PARK
from tests.console_support import ConsoleHarness
from tests.support import BotHarness, count_rows

LEE_ON_CONSOLE = FakeUser(5102, "이철수")
KAKAO = ChannelInfo("kakao", start_link=None, has_menu=True)


@dataclass
class KakaoInbox:
    """The notifier's way onto KakaoTalk, recording what each user key was sent."""

    name: str = "kakao"
    sent: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, address: str, text: str, buttons: Rows) -> bool:
        self.sent.append((address, plain_text(text)))
        return True

    def to(self, key: str) -> list[str]:
        return [text for address, text in self.sent if address == key]


class KakaoLike:
    """Events as the Kakao skill adapter makes them: a botUserKey, no name."""

    def __init__(self, session) -> None:
        self.session = session
        self._numbers = itertools.count(1)

    async def _handle(self, key: str, **fields) -> list[Say]:
        number = next(self._numbers)
        event = Event(sender=Sender("kakao", key, ""), channel=KAKAO,
                      update_key=f"kakao:{key}:{number}", request_key=f"kakao:{key}:{number}",
                      chat=key, **fields)
        outcome = await self.session.conversation.handle(event)
        for notification in outcome.notifications:
            await self.session.notifier.deliver(notification)
        return [reply for reply in outcome.replies if getattr(reply, "text", None)]

    async def say(self, key: str, text: str) -> str:
        command, args = None, ()
        if text.startswith("/"):
            words = text.split()
            command, args = words[0][1:], tuple(words[1:])
        replies = await self._handle(key, text=text, command=command, args=args)
        self.last = replies
        return "\n".join(plain_text(reply.text) for reply in replies)

    async def tap(self, key: str, action: str) -> str:
        replies = await self._handle(key, action=action)
        return "\n".join(plain_text(reply.text) for reply in replies)

    def button(self, label_part: str) -> str:
        for reply in reversed(self.last):
            for row in getattr(reply, "buttons", ()):
                for button in row:
                    if label_part in button.label:
                        return button.action
        raise AssertionError(f"no button with {label_part!r}")


@pytest.fixture
async def world(tmp_path, clock):
    """Telegram and the console (and Kakao through the console's conversation) in one
    process, as `pumasi serve` runs them: one database, one set of services (so one actor
    cache), each able to reach a member on the others' channels."""
    bot = await BotHarness.start(tmp_path / "one.db", clock)
    console = ConsoleHarness(ConsoleSession(bot.services, ConsoleScreen()), clock)
    kakao_inbox = KakaoInbox()
    session = console.session
    bot.application.bot_data[NOTIFIER_KEY].add(
        ConsoleChannel(session.screen, lambda: session.current))
    bot.application.bot_data[NOTIFIER_KEY].add(kakao_inbox)
    session.notifier.add(TelegramChannel(bot.application.bot))
    session.notifier.add(kakao_inbox)
    yield bot, console, KakaoLike(session), kakao_inbox
    await bot.stop()  # closes the shared services


def said(calls) -> str:
    return "\n".join(plain_text(call.text) for call in calls if call.text)


def code_in(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    return found.group(1)


async def mapo_on_telegram(bot) -> None:
    await bot.services.membership.create_community(code="mapo", name="마포 품앗이",
                                                   credit_floor=-300_000, approval="auto")
    await bot.services.membership.add_coordinator(code="mapo", channel="telegram",
                                                  external_id=str(KIM.id))
    await bot.send(KIM, "/start")
    for user in (LEE, PARK):
        await bot.join(user, "mapo")


async def pay_on_telegram(bot, payer, text: str) -> None:
    await bot.send(payer, text)
    await bot.tap(payer, bot.button_data(payer, "보내기"))


async def test_a_code_made_on_telegram_and_typed_on_the_console_makes_one_account(world):
    bot, console, _, _ = world
    await mapo_on_telegram(bot)
    await pay_on_telegram(bot, KIM, "/pay #2 5000")
    code = code_in(said(await bot.send(LEE, "/connect")))

    linked = said(await console.send(LEE_ON_CONSOLE, f"연결 {code}"))

    assert "연결했어요" in linked and "텔레그램" in linked and "콘솔" in linked
    assert "#2" in linked  # their membership, seen from the console
    assert "연결 코드가 쓰였어요" in plain_text(bot.last_message_to(LEE).text)
    assert "잔액: 5,000문" in said(await console.send(LEE_ON_CONSOLE, "/balance"))
    # a pay from the console moves the same account, and the payee hears of it on Telegram
    await console.send(LEE_ON_CONSOLE, "/pay #3 1000")
    await console.tap(LEE_ON_CONSOLE, console.button_data(LEE_ON_CONSOLE, "보내기"))
    assert "1,000문" in plain_text(bot.last_message_to(PARK).text)
    assert "잔액: 4,000문" in said(await bot.send(LEE, "/balance"))
    # and one from Telegram, seen from the console
    await pay_on_telegram(bot, LEE, "/pay #3 1000")
    assert "잔액: 3,000문" in said(await console.send(LEE_ON_CONSOLE, "/balance"))
    assert await count_rows(bot.services, "people") == 4  # the console person is kept, joined
    assert (await bot.services.verify()).ok


async def test_no_code_is_given_in_a_group_chat(world):
    bot, _, _, _ = world
    await mapo_on_telegram(bot)
    calls = await bot.send(LEE, "/connect", chat_id=-100200)
    assert "연결 코드" not in said(calls) and "1:1 대화" in said(calls)
    assert await count_rows(bot.services, "link_codes") == 0


async def test_connect_from_the_settings_button(world):
    bot, console, _, _ = world
    await mapo_on_telegram(bot)
    await bot.send(LEE, "/settings")
    calls = await bot.tap(LEE, bot.button_data(LEE, "다른 메신저와 연결"))
    code = code_in(said(calls))
    assert "연결했어요" in said(await console.send(LEE_ON_CONSOLE, f"연결 {code}"))


async def test_wrong_codes_six_times_the_sixth_refused_and_nothing_linked(world):
    bot, console, _, _ = world
    await mapo_on_telegram(bot)
    code = code_in(said(await bot.send(LEE, "/connect")))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1, 0):
        answer = said(await console.send(LEE_ON_CONSOLE, f"연결 {wrong}"))
        assert "코드가 맞지 않아요" in answer and f"{left}번 더" in answer

    sixth = said(await console.send(LEE_ON_CONSOLE, f"연결 {code}"))

    assert "너무 여러 번" in sixth
    assert "잔액" not in said(await console.send(LEE_ON_CONSOLE, "/balance"))
    assert await bot.services.people.addresses(
        (await bot.services.people.resolve("telegram", str(LEE.id), LEE.first_name,
                                           LEE.username)).person.id) == {"telegram": "102"}


async def test_an_expired_code_is_refused(world):
    bot, console, _, _ = world
    await mapo_on_telegram(bot)
    code = code_in(said(await bot.send(LEE, "/connect")))
    bot.clock.advance(timedelta(minutes=10))

    answer = said(await console.send(LEE_ON_CONSOLE, f"연결 {code}"))

    assert "유효 시간(10분)이 지났어요" in answer and "연결했어요" not in answer


async def test_two_memberships_in_one_community_are_refused_and_nothing_changes(world):
    bot, console, _, _ = world
    await mapo_on_telegram(bot)
    await console.join(LEE_ON_CONSOLE, "mapo")  # a second account in mapo
    await console.send(LEE_ON_CONSOLE, "/pay #2 700")
    await console.tap(LEE_ON_CONSOLE, console.button_data(LEE_ON_CONSOLE, "보내기"))
    code = code_in(said(await bot.send(LEE, "/connect")))

    answer = said(await console.send(LEE_ON_CONSOLE, f"연결 {code}"))

    assert "마포 품앗이 회원이에요" in answer and "운영위원" in answer
    assert "잔액: -700문" in said(await console.send(LEE_ON_CONSOLE, "/balance"))
    assert "잔액: 700문" in said(await bot.send(LEE, "/balance"))
    assert (await bot.services.verify()).ok


async def test_a_linked_member_is_notified_once_on_the_channel_they_chose(world):
    bot, console, _, _ = world
    await mapo_on_telegram(bot)
    code = code_in(said(await bot.send(LEE, "/connect")))
    await console.send(LEE_ON_CONSOLE, f"연결 {code}")
    telegram_before = len(bot.sent_to(LEE))
    console_before = len(console.sent_to(LEE_ON_CONSOLE))

    # Default: where they wrote last (the console, where they typed the code).
    await pay_on_telegram(bot, KIM, "/pay #2 5000")
    assert len(bot.sent_to(LEE)) == telegram_before
    told = console.sent_to(LEE_ON_CONSOLE)[console_before:]
    assert [seen.text for seen in told if "5,000문" in seen.text] and len(told) == 1

    # Chosen in /settings (on the console): Telegram, once, even after writing on the console.
    text = said(await console.send(LEE_ON_CONSOLE, "/settings"))
    assert "알림 받을 곳: 마지막으로 쓴 곳 (지금은 콘솔)" in text
    calls = await console.tap(LEE_ON_CONSOLE,
                              console.button_data(LEE_ON_CONSOLE, "알림을 텔레그램에서 받기"))
    assert "알림 받을 곳: 텔레그램" in said(calls)
    await console.send(LEE_ON_CONSOLE, "/balance")
    telegram_before = len(bot.sent_to(LEE))
    console_before = len(console.sent_to(LEE_ON_CONSOLE))
    await pay_on_telegram(bot, KIM, "/pay #2 3000")
    assert len(console.sent_to(LEE_ON_CONSOLE)) == console_before
    told = bot.sent_to(LEE)[telegram_before:]
    assert len(told) == 1 and "3,000문" in plain_text(told[0].text)


async def test_a_nameless_kakao_user_is_asked_their_name_once_before_joining(world):
    bot, _, kakao, _ = world
    await mapo_on_telegram(bot)

    assert "없" in await kakao.say("bk-new", "가입 nosuch")  # a wrong code: no question
    question = await kakao.say("bk-new", "가입 mapo")
    assert "다른 회원에게 보일 이름을 알려 주세요" in question and "환영" not in question
    assert "이름만" in await kakao.say("bk-new", "#3")  # not a name
    named = await kakao.say("bk-new", "최카카오")
    assert "고마워요, 최카카오님!" in named and "개인정보" in named  # then the notice
    joined = await kakao.tap("bk-new", kakao.button("동의하고 가입"))

    assert "#4" in joined
    assert "최카카오" in said(await bot.send(KIM, "/members"))
    # asked once: the name stays, whatever Kakao passes later
    await kakao.say("bk-new", "/balance")
    person = await bot.services.people.resolve("kakao", "bk-new", "카카오 회원")
    assert person.person.display_name == "최카카오" and person.person.name_confirmed
    # a Telegram user, who has a name, is not asked
    joined = said(await bot.join(FakeUser(104, "최수진"), "mapo"))
    assert "환영" in joined and "보일 이름" not in joined


async def test_a_kakao_member_pays_a_telegram_member_and_the_reverse(world):
    bot, _, kakao, kakao_inbox = world
    await mapo_on_telegram(bot)
    await kakao.say("bk-choi", "가입 mapo")
    await kakao.say("bk-choi", "최카카오")
    await kakao.tap("bk-choi", kakao.button("동의하고 가입"))  # member #4

    await kakao.say("bk-choi", "/pay #2 2000 반찬")
    await kakao.tap("bk-choi", kakao.button("보내기"))
    assert "2,000문" in plain_text(bot.last_message_to(LEE).text)

    await pay_on_telegram(bot, LEE, "/pay #4 500")
    assert [text for text in kakao_inbox.to("bk-choi") if "500문" in text]
    assert "잔액: -1,500문" in await kakao.say("bk-choi", "/balance")
    assert (await bot.services.verify()).ok


async def test_linking_kakao_to_telegram_joins_identities_and_balances(world):
    bot, _, kakao, kakao_inbox = world
    await mapo_on_telegram(bot)
    await pay_on_telegram(bot, KIM, "/pay #2 4000")
    first = code_in(await kakao.say("bk-lee", "연결"))
    code = code_in(await kakao.say("bk-lee", "연결"))  # a new code replaces the first
    if first != code:
        assert "코드가 맞지 않아요" in said(await bot.send(LEE, f"/connect {first}"))

    answer = said(await bot.send(LEE, f"/connect {code}"))

    assert "연결했어요" in answer and "카카오톡" in answer
    assert "잔액: 4,000문" in await kakao.say("bk-lee", "/balance")
    assert [text for text in kakao_inbox.to("bk-lee") if "연결 코드가 쓰였어요" in text]
