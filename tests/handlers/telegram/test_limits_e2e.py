"""Replies that grow with data stay inside Telegram's limits (4096 characters of text, 1024 of
caption, 100 buttons): paged, or cut with "…". The fake Bot API refuses anything bigger, and
the suite fails on any refusal, so each test here fills the data up and walks the reply."""

from __future__ import annotations

import re
from datetime import timedelta

from telegram import Update

from conversation.i18n import translator
from conversation.limits import CAPTION_MAX, TEXT_MAX, shown_length
from conversation.render import post_text
from core.events import EventDraft
from core.market import DESCRIPTION_MAX, TITLE_MAX
from handlers.telegram.outbox import drain
from tests.conftest import KIM, LEE
from tests.support import ADMIN, START, FakeUser, seed_community, texts

EMOJI_NAME = "😀" * 64  # a name of 64 characters, 128 as Telegram counts them
LONG_MEMO = "🍙" * 200  # the longest memo, 400 as Telegram counts it


def pages_of(calls) -> list:
    return [c for c in calls if c.method in ("sendMessage", "editMessageText", "sendPhoto")]


def button_to(calls, data_prefix: str) -> str | None:
    """The last button whose data starts so (a Next button comes after its Previous)."""
    found = None
    for call in calls:
        for _, data in call.buttons:
            if data.startswith(data_prefix):
                found = data
    return found


def next_button(call, data_prefix: str) -> str | None:
    return next((data for label, data in call.buttons
                 if data.startswith(data_prefix) and label.endswith("▶")), None)


async def walk(harness, user, first_calls, next_prefix: str) -> list:
    """Every page of a paged reply: the first, then each reached with its Next button."""
    pages = [pages_of(first_calls)[-1]]
    while (data := next_button(pages[-1], next_prefix)) and len(pages) < 50:
        pages.append(pages_of(await harness.tap(user, data))[-1])
    return pages


async def test_pending_with_120_open_requests_is_paged_and_every_one_can_be_answered(harness):
    kim, lee = (await seed_community(harness.services, members=2))[:2]
    for index in range(60):
        for asker, payer in ((kim, "#2"), (lee, "#1")):
            await harness.services.ledger.start_trade(
                asker, kind="charge", counterparty=payer, amount=1000 + index, memo=LONG_MEMO,
                request_key=f"k-{asker.person.id}-{index}")
    await harness.send(KIM, "/start")  # 김영희 (KIM) is #1, 회원102 (LEE) is #2
    pages = await walk(harness, LEE, await harness.send(LEE, "/pending"), "pend:")
    assert len(pages) > 1
    shown = set()
    for page in pages:
        assert len(page.buttons) <= 100
        shown |= {int(n) for n in re.findall(r"R(\d+) ·", page.text)}
    assert shown == set(range(1, 121))  # nothing is left out
    pay_last = button_to(pages[-1:], "chg:ok:")
    assert pay_last is not None
    assert "보냈어요" in texts(await harness.tap(LEE, pay_last))


async def test_history_page_with_the_longest_memos_and_names_fits(harness):
    await seed_community(harness.services, members=3)
    lee = FakeUser(LEE.id, EMOJI_NAME, LEE.username)
    park = FakeUser(103, EMOJI_NAME, "minji")
    await harness.send(park, "/balance")  # the names as Telegram gives them
    await harness.send(lee, "/balance")
    for _ in range(12):
        await harness.send(lee, "/pay #3 100 " + LONG_MEMO)
        await harness.tap(lee, harness.button_data(lee, "보내기"))
    pages = await walk(harness, lee, await harness.send(lee, "/history"), "hist:")
    assert len(pages) == 2
    assert len(re.findall(r"^T\d+ ·", pages[0].text, re.M)) == 10
    assert "🍙…" in pages[0].text  # the memo is cut in the list, with "…"


async def test_audit_with_long_reasons_is_paged(harness):
    kim = (await seed_community(harness.services, members=2))[0]
    for index in range(25):
        status = "suspended" if index % 2 == 0 else "active"
        await harness.services.membership.set_member_status(
            kim, 2, status, f"사유{index} " + "가" * 3000)
    await harness.send(KIM, "/start")
    pages = await walk(harness, KIM, await harness.send(KIM, "/audit"), "aud:")
    assert len(pages) > 1
    reasons = {int(n) for page in pages for n in re.findall(r"사유(\d+) 가", page.text)}
    assert reasons == set(range(25))


async def event_for_all(harness, coordinator, title: str, days: int = 3) -> int:
    starts = START + timedelta(days=days)
    view = await harness.services.events.create(coordinator, EventDraft(
        kind="study", title=title, starts_at=starts, ends_at=starts + timedelta(hours=2)))
    return view.event.id


async def test_checkin_sheet_for_150_sign_ups_is_paged(harness):
    actors = await seed_community(harness.services, members=151)
    event_id = await event_for_all(harness, actors[0], "품앗이 학당")
    for actor in actors[1:]:
        await harness.services.events.sign_up(actor, event_id)
    await harness.send(KIM, "/start")
    first = await harness.tap(KIM, f"ev:chk:{event_id}")
    pages = await walk(harness, KIM, first, f"ev:chkp:{event_id}:")
    assert len(pages) > 1
    names = set()
    for page in pages:
        assert len(page.buttons) <= 100
        names |= {label.split(" ", 2)[1] for label, data in page.buttons
                  if data.startswith("ev:att:")}
    assert names == {f"#{number}" for number in range(2, 152)}
    # checking in (at the start) from the second page keeps the coordinator on that page
    harness.clock.advance(timedelta(days=3))
    tap = button_to(pages[1:2], f"ev:att:{event_id}:")
    assert tap is not None
    calls = await harness.tap(KIM, tap)
    sheet = pages_of(calls)[-1]
    assert sheet.method == "editMessageText"
    assert any(label.startswith("✅") for label, _ in sheet.buttons)
    assert button_to([sheet], f"ev:att:{event_id}:") is not None


async def test_many_sign_ups_and_a_full_month_stay_inside(harness):
    kim, lee = (await seed_community(harness.services, members=2))[:2]
    title = "🎓" * 80
    for index in range(60):
        event_id = await event_for_all(harness, kim, title, days=3 + index % 20)
        await harness.services.events.sign_up(lee, event_id)
    mine = await harness.send(LEE, "/mysessions")
    listed = pages_of(mine)[-1]
    numbers = re.findall(r"^(\d+)\. ", listed.text, re.M)
    assert numbers and len(listed.buttons) == len(numbers)  # a button for each line shown
    assert "60" not in numbers and "…" in listed.text  # the rest is counted, not shown
    upcoming = pages_of(await harness.send(LEE, "/sessions"))[-1]
    assert len(upcoming.buttons) == len(re.findall(r"^\d+\. ", upcoming.text, re.M))
    month = pages_of(await harness.send(LEE, "/calendar"))[-1]
    assert "…" in month.text


async def test_approve_lists_a_handful_and_counts_the_rest(harness):
    await seed_community(harness.services, members=1, approval="coordinator")
    for index in range(30):
        await harness.join(FakeUser(500 + index, f"신청자{index}"), "mapo")
    calls = await harness.send(KIM, "/approve")
    asked = [c for c in calls if any(d.startswith("app:ok:") for _, d in c.buttons)]
    assert 0 < len(asked) <= 10
    assert f"가입 신청 30건 중 {len(asked)}건" in texts(calls)  # and how many wait


async def photo_post(harness, user, title: str, description: str) -> None:
    await harness.send(user, "/offer")
    await harness.tap(user, "dlg:cat:goods")
    await harness.send(user, title)
    await harness.send(user, description)
    await harness.send(user, "5000")
    await harness.send(user, "", photo_file_id="PHOTO-1")
    await harness.tap(user, "dlg:publish")


async def test_photo_post_with_the_longest_description_opens_with_its_buttons(harness):
    await seed_community(harness.services, members=3)
    author = FakeUser(103, EMOJI_NAME, "minji")
    description = "가나다라마바사 " * (DESCRIPTION_MAX // 8)
    await photo_post(harness, author, "유" * TITLE_MAX, description)
    calls = await harness.tap(LEE, "post:v:1")
    assert any(c.method == "sendPhoto" and c.params["photo"] == "PHOTO-1" for c in calls)
    assert button_to(calls, "post:trade:1") is not None  # the member sees its buttons
    assert description.strip() in texts(calls)  # and the whole description
    # and a description longer than the dialog allows, written before the limit or elsewhere
    async with harness.services.db.write() as conn:
        await conn.execute("UPDATE posts SET description = ? WHERE id = 1", ("🍙" * 2000,))
    calls = await harness.tap(LEE, "post:v:1")
    assert button_to(calls, "post:trade:1") is not None
    assert "🍙…" in texts(calls)


async def test_closing_a_photo_post_keeps_its_caption_inside_1024(harness):
    await seed_community(harness.services, members=3)
    author = FakeUser(103, "박민지", "minji")
    actor = await harness.services.people.resolve("telegram", "103", "박민지", "minji")
    view = await harness.services.market.create_post(
        actor, kind="offer", category="goods", title="유모차", description="가", price=5000,
        photo_file_id="PHOTO-1")
    # a description that makes the caption exactly 1024: it opens as one photo message
    size = CAPTION_MAX - shown_length(post_text(translator("ko"), view)) + 1
    async with harness.services.db.write() as conn:
        await conn.execute("UPDATE posts SET description = ? WHERE id = ?",
                           ("가" * size, view.post.id))
    opened = await harness.tap(author, f"post:v:{view.post.id}")
    photo = [c for c in opened if c.method == "sendPhoto"]
    assert photo and button_to(photo, f"post:close:{view.post.id}")
    update = harness.updates.callback_dict(author, f"post:close:{view.post.id}")
    message = update["callback_query"]["message"]
    message.pop("text")
    message["photo"] = [{"file_id": "PHOTO-1", "file_unique_id": "p", "width": 1, "height": 1}]
    calls = await harness.process(Update.de_json(update, harness.application.bot))
    edited = [c for c in calls if c.method == "editMessageCaption"]
    assert edited and "(마감)" in edited[0].text and "가…" in edited[0].text


async def test_stats_of_every_community_fits(harness):
    for index in range(80):
        await harness.services.membership.create_community(
            code=f"c{index:03d}", name=f"{index:02d} " + "동" * 57)
    calls = await harness.send(ADMIN, "/stats all")
    assert "…" in texts(calls) and "00 동" in texts(calls)


async def test_members_and_market_pages_with_the_longest_names_and_titles(harness):
    await seed_community(harness.services, members=1)
    for index in range(25):
        user = FakeUser(600 + index, EMOJI_NAME, f"u{index}")
        await harness.join(user, "mapo")
        actor = await harness.services.people.resolve("telegram", str(user.id), EMOJI_NAME,
                                                      user.username)
        await harness.services.market.create_post(
            actor, kind="offer", category="goods", title="🧸" * TITLE_MAX, description="",
            price=None, photo_file_id=None)
    members = await walk(harness, KIM, await harness.send(KIM, "/members"), "mem:")
    assert len(members) == 3
    market = await walk(harness, KIM, await harness.send(KIM, "/market"), "mkt:")
    assert len(market) == 5
    for page in members + market:
        assert shown_length(page.text) <= TEXT_MAX


async def send_notice(harness, text: str) -> list:
    await harness.send(KIM, "/notice")
    calls = await harness.send(KIM, text)
    for data in ("ntc:aud:all", "ntc:urg:0", "ntc:send:go"):
        calls += await harness.tap(KIM, data)
    await drain(harness.application)
    return calls


async def test_a_notice_with_html_characters_reaches_everyone(harness):
    await seed_community(harness.services, members=3)
    await send_notice(harness, "회비 < 5000원 & 간식 <3")
    got = [c.chat_id for c in harness.api.calls
           if c.method == "sendMessage" and c.text.endswith("\n회비 &lt; 5000원 &amp; 간식 &lt;3")]
    assert sorted(got) == [101, 102, 103]
    assert "3명에게 보냈어요" in harness.last_message_to(KIM).text


async def test_a_notice_is_measured_as_telegram_counts_it(harness):
    await seed_community(harness.services, members=2)
    calls = await send_notice(harness, "📣" * 2040)  # 2,040 characters, 4,080 for Telegram
    assert "3500" in texts(calls) or "3,500" in texts(calls)  # too long, and by how much
    await send_notice(harness, "📣" * 1750)
    assert "2명에게 보냈어요" in harness.last_message_to(KIM).text
