"""End to end through Application.process_update with a recording fake Bot API."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.conftest import CHOI, KIM, LEE, PARK
from tests.support import ADMIN, alerts, count_rows, texts


async def make_community(harness, approval="auto"):
    """The admin creates 마포 in chat; 김영희 is then appointed coordinator by the CLI path."""
    calls = await harness.send(
        ADMIN, f"/newcommunity mapo 마포 품앗이 floor=-300000 approval={approval}")
    assert "만들었어요" in texts(calls) and "start=join_mapo" in texts(calls)
    await harness.services.membership.add_coordinator(
        code="mapo", channel="telegram", external_id=str(KIM.id))


async def balance_text(harness, user):
    return texts(await harness.send(user, "/balance"))


async def test_join_approve_offer_market_pay_confirm(harness):
    await make_community(harness, approval="coordinator")
    await harness.send(KIM, "/start")

    calls = await harness.send(LEE, "/start join_mapo")
    assert "개인정보 수집·이용 안내" in texts(calls)  # the deep link asks for consent first
    calls = await harness.tap(LEE, harness.button_data(LEE, "동의하고 가입"))
    assert "가입 신청을 전했어요" in texts(calls)
    to_kim = harness.last_message_to(KIM)
    assert "이철수" in to_kim.text and "가입을 신청했어요" in to_kim.text
    approve = harness.button_data(KIM, "승인")

    calls = await harness.tap(LEE, approve)  # the applicant cannot approve themselves
    assert any("운영위원만" in a for a in alerts(calls))

    calls = await harness.tap(KIM, approve)
    assert "#3" in texts(calls)  # admin #1, 김영희 #2, 이철수 #3
    assert "가입이 승인됐어요" in harness.last_message_to(LEE).text

    await harness.join(PARK, "mapo")
    await harness.tap(KIM, harness.button_data(KIM, "승인"))

    # 이철수 posts an offer through the guided dialog
    await harness.send(LEE, "/offer")
    await harness.tap(LEE, "dlg:cat:food")
    await harness.send(LEE, "김치 담가 드려요")
    await harness.send(LEE, "배추김치 2kg")
    await harness.send(LEE, "1만5천")
    await harness.tap(LEE, "dlg:skip")
    calls = await harness.tap(LEE, "dlg:publish")
    assert "올렸어요" in texts(calls)

    # 박민지 finds it in the market and pays for it
    calls = await harness.send(PARK, "/market 김치")
    assert "김치 담가 드려요" in texts(calls) and "15,000문" in texts(calls)
    calls = await harness.tap(PARK, harness.button_data(PARK, "1"))
    assert "배추김치 2kg" in texts(calls)
    calls = await harness.tap(PARK, harness.button_data(PARK, "값 보내기"))
    assert "보낼 내용을 확인해 주세요" in texts(calls)
    calls = await harness.tap(PARK, harness.button_data(PARK, "보내기"))
    assert "보냈어요" in texts(calls)
    assert "금액이 들어왔어요" in harness.last_message_to(LEE).text

    assert "잔액: <b>-15,000문</b>" in await balance_text(harness, PARK)
    assert "잔액: <b>15,000문</b>" in await balance_text(harness, LEE)
    history = texts(await harness.send(LEE, "/history"))
    assert "+15,000문" in history and "김치 담가 드려요" in history
    assert (await harness.services.verify()).ok


async def join_all(harness):
    await make_community(harness)
    for user in (LEE, PARK, CHOI):
        await harness.join(user, "mapo")


async def test_charge_declined(harness):
    await join_all(harness)
    calls = await harness.send(LEE, "/charge #4 5000 수업료")  # 박민지 is #4
    assert "요청을 보냈어요" in texts(calls)
    assert "보내 달라고 요청했어요" in harness.last_message_to(PARK).text
    calls = await harness.tap(PARK, harness.button_data(PARK, "거절"))
    assert "거절했어요" in texts(calls)
    assert "거절했어요" in harness.last_message_to(LEE).text
    assert "잔액: <b>0문</b>" in await balance_text(harness, PARK)
    # the old Accept button now answers that the request is over
    calls = await harness.tap(PARK, harness.button_data(PARK, "수락"))
    assert any("거절된 요청" in a for a in alerts(calls))
    assert "잔액: <b>0문</b>" in await balance_text(harness, PARK)


async def test_charge_expired_with_one_reminder(harness):
    await join_all(harness)
    await harness.send(LEE, "/charge #4 3천")
    accept = harness.button_data(PARK, "수락")
    harness.clock.advance(timedelta(days=6, minutes=1))
    calls = await harness.sweep()
    assert [c.chat_id for c in calls if "알림" in c.text] == [PARK.id]
    assert not [c for c in await harness.sweep() if c.method == "sendMessage"]
    harness.clock.advance(timedelta(days=1))
    calls = await harness.sweep()
    told = sorted(c.chat_id for c in calls if "기한이 지났어요" in c.text)
    assert told == sorted([LEE.id, PARK.id])
    calls = await harness.tap(PARK, accept)
    assert any("기한이 지났어요" in a for a in alerts(calls))
    assert any(c.method == "editMessageReplyMarkup" for c in calls)
    assert "잔액: <b>0문</b>" in await balance_text(harness, PARK)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/pay #99 5000", "회원이 없어요"),
        ("/pay @nobody 5000", "회원이 없어요"),
        ("/pay #3 5000", "본인과는 거래할 수 없어요"),
        ("/pay #4 0", "0보다 커야"),
        ("/pay #4 -5000", "금액 앞에 - 를 붙일 수 없어요"),
        ("/pay #4 400000", "쓸 수 있는 한도를 넘어요"),
        ("/pay #4 오천냥", "알아보지 못했어요"),
        ("/pay #4 5,00", "알아보지 못했어요"),
        ("/pay #4", "얼마를 보낼까요"),  # the amount is asked for
        ("/pay", "사용법"),
        ("/pay 홍길동 500", "회원이 없어요"),
        ("/pay 이철수 500", "본인과는 거래할 수 없어요"),
        ("/pay #4 오 사과", "알아보지 못했어요"),
        ("/pay #4 <b>1</b>", "알아보지 못했어요"),
    ],
)
async def test_bad_pay_input_gets_a_clear_message_and_no_transfer(harness, command, expected):
    await join_all(harness)
    calls = await harness.send(LEE, command)  # 이철수 is #3
    assert expected in texts(calls)
    assert not any(label == "✅ 보내기" for call in calls for label, _ in call.buttons)
    assert await count_rows(harness.services, "transfers") == 0


async def test_english_speaker_gets_english(harness):
    await join_all(harness)
    calls = await harness.send(CHOI, "/pay #4 1000 lunch")
    assert "Please check this payment" in texts(calls)
    calls = await harness.send(CHOI, "/pay #4 -1")
    assert "can't be negative" in texts(calls)


async def test_same_confirm_twice_and_concurrently_gives_one_transfer(harness):
    await join_all(harness)
    await harness.send(LEE, "/pay #4 1000")
    confirm = harness.button_data(LEE, "보내기")
    first = await harness.tap(LEE, confirm)
    second = await harness.tap(LEE, confirm)
    assert "보냈어요" in texts(first) and "이미 보냈어요" in " ".join(alerts(second))

    await harness.send(LEE, "/pay #4 2000")
    confirm = harness.button_data(LEE, "보내기")
    updates = [harness.updates.callback(LEE, confirm) for _ in range(5)]
    await asyncio.gather(*(harness.application.process_update(u) for u in updates))
    await harness.settle()

    received = [c for c in harness.api.sent_to(PARK.id) if "금액이 들어왔어요" in c.text]
    assert len(received) == 2  # one per payment, none for the repeats
    assert "잔액: <b>-3,000문</b>" in await balance_text(harness, LEE)
    assert await count_rows(harness.services, "transfers") == 2


async def test_redelivered_charge_update_asks_the_payer_once(harness):
    await join_all(harness)
    update = harness.updates.message_dict(LEE, "/charge #4 1000")
    from telegram import Update

    for _ in range(2):
        await harness.application.process_update(Update.de_json(update, harness.application.bot))
    await harness.settle()
    asked = [c for c in harness.api.sent_to(PARK.id) if "보내 달라고 요청했어요" in c.text]
    assert len(asked) == 1
    assert await count_rows(harness.services, "trade_requests") == 1


async def test_member_of_one_community_cannot_see_or_touch_another(harness):
    await join_all(harness)
    await harness.send(ADMIN, "/newcommunity gangnam 강남 품앗이 approval=auto")
    outsider = type(KIM)(201, "강남주민", "gangnam1")
    await harness.join(outsider, "gangnam")
    await harness.send(LEE, "/offer")
    await harness.tap(LEE, "dlg:cat:goods")
    for text in ("마포 비밀 물건", "설명", "5000"):
        await harness.send(LEE, text)
    await harness.tap(LEE, "dlg:skip")
    await harness.tap(LEE, "dlg:publish")
    await harness.send(PARK, "/charge #3 500")

    assert "마포 비밀 물건" not in texts(await harness.send(outsider, "/market"))
    for data in ("post:v:1", "post:trade:1", "post:close:1", "chg:ok:1", "chg:no:1",
                 "pay:ok:1"):
        calls = await harness.tap(outsider, data)
        assert alerts(calls) and alerts(calls)[0], data
    # #3 in 강남 does not exist; mapo's #3 is not reachable from there
    assert "회원이 없어요" in texts(await harness.send(outsider, "/pay #3 100"))
    assert "잔액: <b>0문</b>" in await balance_text(harness, outsider)
    assert await count_rows(harness.services, "transfers") == 0


async def test_coordinator_reversal_tells_both(harness):
    await join_all(harness)
    await harness.send(LEE, "/pay #4 1000")
    await harness.tap(LEE, harness.button_data(LEE, "보내기"))
    calls = await harness.send(PARK, "/reverse T1 실수")  # not a coordinator: nothing to see
    assert "T1 거래를 찾을 수 없어요" in texts(calls)
    await harness.send(KIM, "/reverse T1 두 번 보냄")
    calls = await harness.tap(KIM, harness.button_data(KIM, "되돌리기"))  # confirm step
    assert "되돌렸어요" in texts(calls)
    assert "되돌렸어요" in harness.last_message_to(LEE).text
    assert "되돌렸어요" in harness.last_message_to(PARK).text
    assert "잔액: <b>0문</b>" in await balance_text(harness, LEE)


async def test_every_button_is_answered_and_user_text_is_escaped(harness):
    await join_all(harness)
    await harness.send(LEE, "/pay #4 100 <script>alert(1)</script> & co")
    preview = harness.last_message_to(LEE)
    assert "&lt;script&gt;" in preview.text and "<script>" not in preview.text
    for data in ("pay:ok:abc", "nonsense", "hist:999999", "mkt:x:", "post:v:99", "lang:xx"):
        calls = await harness.tap(LEE, data)
        assert [c.method for c in calls].count("answerCallbackQuery") == 1, data


async def test_unexpected_failure_is_logged_and_user_told_politely(harness, monkeypatch):
    await join_all(harness)

    async def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(harness.services.ledger, "balance", broken)
    calls = await harness.send(LEE, "/balance")
    assert "문제가 생겼어요" in texts(calls)
    assert "disk on fire" not in texts(calls) and "Traceback" not in texts(calls)


async def test_language_switch_and_menu(harness):
    await join_all(harness)
    calls = await harness.send(LEE, "/lang")
    calls = await harness.tap(LEE, "lang:en")
    assert "English" in texts(calls)
    calls = await harness.send(LEE, "💰 Balance")
    assert "Balance: <b>0 문</b>" in texts(calls)
    calls = await harness.send(LEE, "💰 잔액")  # the Korean label still works
    assert "Balance" in texts(calls)


async def test_history_pages(harness):
    await join_all(harness)
    for _ in range(12):
        await harness.send(LEE, "/pay #4 10")
        await harness.tap(LEE, harness.button_data(LEE, "보내기"))
    calls = await harness.send(LEE, "/history")
    assert texts(calls).count("-10문") == 10
    older = harness.button_data(LEE, "지난 내역")
    calls = await harness.tap(LEE, older)
    assert texts(calls).count("-10문") == 2


async def test_pending_lists_both_directions(harness):
    await join_all(harness)
    await harness.send(LEE, "/charge #4 100")
    await harness.send(PARK, "/charge #3 200")
    calls = await harness.send(LEE, "/pending")
    text = texts(calls)
    assert "받을 금액" in text and "보낼 금액" in text
    calls = await harness.tap(LEE, harness.button_data(LEE, "R2 보내기"))
    assert "보냈어요" in texts(calls)


async def test_offer_with_photo_shows_the_photo(harness):
    await join_all(harness)
    await harness.send(LEE, "/offer")
    await harness.tap(LEE, "dlg:cat:goods")
    await harness.send(LEE, "유모차 나눔")
    await harness.tap(LEE, "dlg:skip")
    await harness.send(LEE, "만")
    calls = await harness.send(LEE, "", photo_file_id="PHOTO-1")
    assert "사진 있음" in texts(calls)
    await harness.tap(LEE, "dlg:publish")
    await harness.send(PARK, "/market 유모차")
    calls = await harness.tap(PARK, harness.button_data(PARK, "1"))
    photo = [c for c in calls if c.method == "sendPhoto"]
    assert photo and photo[0].params["photo"] == "PHOTO-1" and "유모차 나눔" in photo[0].text
    assert any("값 보내기" in label for label, _ in photo[0].buttons)


async def test_dialog_rejects_bad_steps_and_cancel_leaves(harness):
    await join_all(harness)
    await harness.send(LEE, "/request")
    await harness.tap(LEE, "dlg:cat:care")
    calls = await harness.send(LEE, "a")
    assert "제목은 2~60자" in texts(calls)
    await harness.send(LEE, "아이 돌봄")
    await harness.tap(LEE, "dlg:skip")
    calls = await harness.send(LEE, "공짜")
    assert "알아보지 못했어요" in texts(calls)
    calls = await harness.send(LEE, "/cancel")
    assert "그만뒀어요" in texts(calls)
    calls = await harness.tap(LEE, "dlg:publish")
    assert any("지난 단계" in a for a in alerts(calls))
    assert "올라온 게시물이 없어요" in texts(await harness.send(PARK, "/market"))
