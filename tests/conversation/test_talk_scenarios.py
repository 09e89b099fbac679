"""Residents' free text end to end: utterances outside a dialog, `네` after a preview, the
buttons offered when nothing was understood, typed button labels inside dialogs, and the name
picker of pay and charge.

Each scenario is a plain async function of a `harness` (send, tap, button_data,
last_message_to), so it can run over every channel's harness."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.updates import FakeUser
from core.events import EventDraft
from tests.conftest import KIM, LEE, PARK
from tests.handlers.telegram.test_trading_e2e import join_all
from tests.support import START, alerts, count_rows, texts

KIM2 = FakeUser(106, "김영희", "younghee2")  # a second 김영희 in 마포
JONGNO_KIM = FakeUser(107, "김영희", "younghee_jongno")  # a 김영희 of another community


async def mapo(harness):
    """마포: admin #1, 김영희 #2 (coordinator), 이철수 #3, 박민지 #4, 최수진 #5."""
    await join_all(harness)
    await harness.send(KIM, "/start")  # her name is known once she has written


async def transfers(harness) -> list[tuple]:
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT p.number, q.number, t.amount, t.kind, t.memo FROM transfers t"
            " JOIN accounts pa ON pa.id = t.payer_account_id"
            " JOIN memberships p ON p.id = pa.membership_id"
            " JOIN accounts qa ON qa.id = t.payee_account_id"
            " JOIN memberships q ON q.id = qa.membership_id ORDER BY t.id") as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


def said(calls) -> list[str]:
    return [call.text for call in calls if call.method == "sendMessage"]


def buttons(calls) -> list[tuple[str, str]]:
    return [button for call in calls for button in call.buttons]


# ----- free text runs the same flows as the commands ----------------------------------------


@pytest.mark.parametrize(("text", "command"), [
    ("잔액", "/balance"),
    ("내 잔액 알려줘", "/balance"),
    ("내역", "/history"),
    ("거래 내역 보여 주세요", "/history"),
    ("도움말", "/help"),
    ("학당", "/sessions"),
    ("일정", "/sessions"),
    ("장터", "/market"),
    ("대기 요청", "/pending"),  # a menu label typed without its emoji
])
async def test_a_phrase_answers_like_its_command(harness, text, command):
    await mapo(harness)
    assert said(await harness.send(LEE, text)) == said(await harness.send(LEE, command))


async def test_market_words_search_like_the_command(harness):
    await mapo(harness)
    await harness.send(PARK, "/offer")
    await harness.tap(PARK, "dlg:cat:food")
    for answer in ("쑥떡 나눔", "직접 만든 쑥떡", "3천"):
        await harness.send(PARK, answer)
    await harness.tap(PARK, "dlg:skip")
    await harness.tap(PARK, "dlg:publish")
    found = said(await harness.send(LEE, "장터 떡"))
    assert "쑥떡 나눔" in found[0]
    assert found == said(await harness.send(LEE, "/market 떡"))


@pytest.mark.parametrize(("text", "command", "amount"), [
    ("김영희한테 5천원 보내줘", "/pay #2 5000", 5000),
    ("김영희에게 만원 보내기", "/pay 김영희 1만", 10000),
    ("김영희님께 삼만 오천 원 송금해 주세요", "/pay #2 35000", 35000),
    ("영희씨 오천원 보내", "/pay #2 5천", 5000),
])
async def test_pay_in_words_previews_and_pays_like_the_command(harness, text, command, amount):
    await mapo(harness)
    preview = said(await harness.send(LEE, text))
    await harness.tap(LEE, harness.button_data(LEE, "보내기"))
    assert preview == said(await harness.send(LEE, command))
    await harness.tap(LEE, harness.button_data(LEE, "보내기"))
    assert await transfers(harness) == [(3, 2, amount, "pay", None)] * 2


async def test_pay_in_words_keeps_the_memo(harness):
    await mapo(harness)
    await harness.send(LEE, "김영희한테 김치값 5천원 보내줘")
    await harness.send(LEE, "네")
    assert await transfers(harness) == [(3, 2, 5000, "pay", "김치값")]
    assert "김치값" in harness.last_message_to(KIM).text


async def test_charge_in_words_asks_the_payer_like_the_command(harness):
    await mapo(harness)
    await harness.send(PARK, "이철수한테 3천원 요청")
    asked = harness.last_message_to(LEE)
    await harness.send(PARK, "/charge #3 3천")
    assert harness.last_message_to(LEE).text == asked.text
    await harness.tap(LEE, asked.buttons[0][1])  # ✅ Accept and pay
    assert await transfers(harness) == [(3, 4, 3000, "charge", None)]


async def test_a_greeting_gets_a_short_answer_and_the_menu(harness):
    await mapo(harness)
    calls = await harness.send(LEE, "안녕하세요")
    assert "안녕하세요" in texts(calls) and "이철수" in texts(calls)
    assert "keyboard" in calls[-1].params["reply_markup"]  # the main menu


# ----- 네 / 아니요 after a preview -------------------------------------------------------------


@pytest.mark.parametrize("yes", ["네", "보내기", "응", "네 보내주세요"])
async def test_yes_twice_after_a_preview_pays_once(harness, yes):
    await mapo(harness)
    await harness.send(LEE, "박민지한테 5천원 보내줘")
    assert "보냈어요" in texts(await harness.send(LEE, yes))
    assert "금액이 들어왔어요" in harness.last_message_to(PARK).text
    again = texts(await harness.send(LEE, yes))
    assert "기다리는 보내기가 없어요" in again
    assert await transfers(harness) == [(3, 4, 5000, "pay", None)]


async def test_a_redelivered_yes_pays_once_and_says_nothing_more(harness):
    await mapo(harness)
    await harness.send(LEE, "/pay #4 5000")
    await harness.send(LEE, "네")
    assert await harness.process(harness.history[-1]) == []
    assert await transfers(harness) == [(3, 4, 5000, "pay", None)]


async def test_yes_pays_the_newest_preview_only(harness):
    await mapo(harness)
    await harness.send(LEE, "/pay #4 1000")
    await harness.send(LEE, "/pay #2 2000")
    await harness.send(LEE, "네")
    assert await transfers(harness) == [(3, 2, 2000, "pay", None)]


async def test_yes_after_the_preview_expired_pays_nothing(harness):
    await mapo(harness)
    await harness.send(LEE, "/pay #4 5000")
    harness.clock.advance(timedelta(minutes=11))
    assert "기다리는 보내기가 없어요" in texts(await harness.send(LEE, "네"))
    assert await transfers(harness) == []


async def test_no_after_a_preview_cancels_it(harness):
    await mapo(harness)
    calls = await harness.send(LEE, "박민지한테 5천원 보내줘")
    confirm = dict(buttons(calls))["✅ 보내기"]
    assert "취소했어요" in texts(await harness.send(LEE, "아니요"))
    calls = await harness.tap(LEE, confirm)
    assert any("취소된" in alert for alert in alerts(calls))
    assert "기다리는 보내기가 없어요" in texts(await harness.send(LEE, "네"))
    assert await transfers(harness) == []


async def test_yes_never_pays_a_charge_it_shows_it_with_its_buttons(harness):
    """Decision: a typed yes may answer something else, days after the charge came, so it
    only shows the one charge waiting, with its Accept and Decline buttons."""
    await mapo(harness)
    await harness.send(PARK, "/charge #3 3000 떡값")
    calls = await harness.send(LEE, "네")
    assert "보내 달라고 요청했어요" in texts(calls) and "떡값" in texts(calls)
    assert await transfers(harness) == []
    await harness.tap(LEE, dict(buttons(calls))["✅ 수락하고 보내기"])
    assert await transfers(harness) == [(3, 4, 3000, "charge", "떡값")]


@pytest.mark.parametrize("answer", ["수락", "거절"])
async def test_a_charges_button_word_typed_shows_it_without_answering(harness, answer):
    await mapo(harness)
    await harness.send(PARK, "/charge #3 3000")
    calls = await harness.send(LEE, answer)
    assert "보내 달라고 요청했어요" in texts(calls) and "chg:ok:1" in dict(buttons(calls)).values()
    assert "pending" in await request_states(harness)
    assert await transfers(harness) == []


async def request_states(harness) -> list[str]:
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT status FROM trade_requests ORDER BY id") as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def test_two_yeses_at_once_pay_once(harness):
    await mapo(harness)
    await harness.send(LEE, "/pay #4 5000")
    results = await asyncio.gather(harness.send(LEE, "네"), harness.send(LEE, "네"))
    assert all("보냈어요" in texts(calls) or "없어요" in texts(calls) for calls in results)
    assert await transfers(harness) == [(3, 4, 5000, "pay", None)]
    assert len([c for c in harness.api.sent_to(PARK.id) if "금액이 들어왔어요" in c.text]) == 1


async def test_yes_with_two_charges_waiting_lists_them(harness):
    await mapo(harness)
    await harness.send(PARK, "/charge #3 3000")
    await harness.send(KIM, "/charge #3 4000")
    calls = await harness.send(LEE, "네")
    assert "여러 건" in texts(calls)
    assert len([action for _, action in buttons(calls) if action.startswith("chg:ok:")]) == 2
    assert await transfers(harness) == []


# ----- not understood: three buttons that work ---------------------------------------------


async def test_not_understood_offers_three_buttons_that_work(harness):
    await mapo(harness)
    calls = await harness.send(LEE, "날씨 어때")
    assert "알아듣지 못했어요" in texts(calls)
    offered = buttons(calls)
    assert [action for _, action in offered] == ["go:balance", "go:market", "go:help"]
    assert "잔액" in texts(await harness.tap(LEE, "go:balance"))
    assert "장터" in texts(await harness.tap(LEE, "go:market"))
    assert "사용법" in texts(await harness.tap(LEE, "go:help"))


async def test_an_amount_alone_suggests_pay_which_asks_whom_and_how_much(harness):
    await mapo(harness)
    calls = await harness.send(LEE, "5천원")
    assert [action for _, action in buttons(calls)] == ["go:pay", "go:charge", "go:balance"]
    assert "누구에게 보낼까요" in texts(await harness.tap(LEE, "go:pay"))
    assert "얼마를 보낼까요" in texts(await harness.send(LEE, "박민지"))
    assert "박민지" in texts(await harness.send(LEE, "5천원 떡값"))
    await harness.send(LEE, "네")
    assert await transfers(harness) == [(3, 4, 5000, "pay", "떡값")]


async def test_other_words_while_asked_whom_leave_the_trade(harness):
    await mapo(harness)
    await harness.tap(LEE, "go:charge")
    assert "잔액: <b>0문</b>" in texts(await harness.send(LEE, "잔액"))
    assert await harness.services.dialogs.get(await person_id(harness, LEE)) is None
    calls = await harness.send(LEE, "날씨 어때")  # a fresh start: not read as a name
    assert "go:balance" in [action for _, action in buttons(calls)]


async def test_a_word_that_is_no_member_asks_again(harness):
    await mapo(harness)
    await harness.tap(LEE, "go:pay")
    calls = await harness.send(LEE, "박민자")
    assert "회원이 없어요" in texts(calls) and ("박민지 #4", "pick:4") in buttons(calls)
    calls = await harness.send(LEE, "ㅁㄴㅇㄹ")
    assert "찾지 못했어요" in texts(calls) and ("취소", "pick:cancel") in buttons(calls)
    calls = await harness.send(LEE, "취소")
    assert "그만뒀어요" in texts(calls)
    assert await count_rows(harness.services, "trade_requests") == 0


async def person_id(harness, user) -> int:
    actor = await harness.services.people.resolve("telegram", str(user.id), user.first_name,
                                                  user.username)
    return actor.person.id


# ----- the name picker ----------------------------------------------------------------------


async def two_kims(harness):
    await mapo(harness)
    await harness.join(KIM2, "mapo")  # #6
    await harness.send(KIM, "/offer")
    await harness.send(KIM, "배움·재능")
    for answer in ("손뜨개 가르쳐 드려요 매주 화요일", "건너뛰기", "5천", "건너뛰기", "올리기"):
        await harness.send(KIM, answer)


async def test_picking_from_several_pays_the_right_one(harness):
    await two_kims(harness)
    calls = await harness.send(LEE, "김영희한테 5천원 보내줘")
    assert "여러 명" in texts(calls)
    offered = buttons(calls)
    assert offered[0] == ("김영희 #2 · 손뜨개 가르쳐 드려요 매주 화요일", "pick:2")
    assert offered[1:] == [("김영희 #6", "pick:6"), ("취소", "pick:cancel")]
    calls = await harness.tap(LEE, "pick:6")
    assert "#6 김영희" in texts(calls) and "5,000문" in texts(calls)
    again = await harness.tap(LEE, "pick:2")  # a second tap on the old list opens nothing
    assert alerts(again) and await count_rows(harness.services, "trade_requests") == 1
    await harness.send(LEE, "네")
    assert await transfers(harness) == [(3, 6, 5000, "pay", None)]
    assert "금액이 들어왔어요" in harness.last_message_to(KIM2).text


async def test_a_name_typed_in_the_picker_picks_too(harness):
    await two_kims(harness)
    await harness.send(LEE, "/charge 김영희 2천 수업료")
    calls = await harness.send(LEE, "#2")
    assert "요청을 보냈어요" in texts(calls)
    assert "보내 달라고 요청했어요" in harness.last_message_to(KIM).text
    assert await count_rows(harness.services, "trade_requests") == 1


async def test_the_picker_keeps_amount_and_memo(harness):
    await two_kims(harness)
    await harness.send(LEE, "/pay 김영희 1만5천 반찬값")
    await harness.tap(LEE, "pick:2")
    await harness.send(LEE, "네")
    assert await transfers(harness) == [(3, 2, 15000, "pay", "반찬값")]


async def test_cancel_in_the_picker_opens_nothing(harness):
    await two_kims(harness)
    await harness.send(LEE, "김영희한테 5천원 보내줘")
    assert "그만뒀어요" in texts(await harness.tap(LEE, "pick:cancel"))
    assert any("끝난 선택" in alert for alert in alerts(await harness.tap(LEE, "pick:2")))
    assert await count_rows(harness.services, "trade_requests") == 0


async def test_a_name_not_found_offers_the_closest_as_buttons(harness):
    await mapo(harness)
    calls = await harness.send(LEE, "박민자한테 5천원 보내줘")
    assert "회원이 없어요" in texts(calls)
    await harness.tap(LEE, dict(buttons(calls))["박민지 #4"])
    await harness.send(LEE, "네")
    assert await transfers(harness) == [(3, 4, 5000, "pay", None)]


async def test_the_one_asking_is_never_a_choice(harness):
    """김영희 #6 writing 김영희 means the other 김영희; no list offers her herself."""
    await two_kims(harness)
    calls = await harness.send(KIM2, "김영희한테 5천원 보내줘")
    assert "#6 김영희 → #2 김영희" in texts(calls)
    calls = await harness.send(KIM2, "김영이한테 5천원 보내줘")
    assert all("#6" not in label for label, _ in buttons(calls))


async def test_another_communitys_namesake_is_never_offered(harness):
    await mapo(harness)
    await harness.services.membership.create_community(
        code="jongno", name="종로 품앗이", credit_floor=-300_000, approval="auto")
    await harness.join(JONGNO_KIM, "jongno")
    await harness.send(JONGNO_KIM, "/offer")
    for answer in ("먹거리", "종로 떡집 떡 나눔", "건너뛰기", "3천", "건너뛰기", "올리기"):
        await harness.send(JONGNO_KIM, answer)
    calls = await harness.send(LEE, "김영희한테 5천원 보내줘")  # 마포 has one 김영희
    assert "#2 김영희" in texts(calls) and "여러 명" not in texts(calls)
    for typo in ("김영이한테 5천원 보내줘", "영희 님께 오천원 보내", "/pay 김영 5000"):
        calls = await harness.send(LEE, typo)
        assert all("종로" not in label for label, _ in buttons(calls)), typo
        assert "종로" not in texts(calls)


# ----- 신청 N -----------------------------------------------------------------------------


async def two_sessions(harness, *, fee: int = 0) -> list[int]:
    actor = await harness.services.people.resolve("telegram", str(KIM.id), KIM.first_name,
                                                  KIM.username)
    ids = []
    for day, title in ((10, "첫째 학당"), (12, "둘째 학당")):
        starts = START + timedelta(days=day)
        view = await harness.services.events.create(actor, EventDraft(
            kind="study", title=title, starts_at=starts, ends_at=starts + timedelta(hours=2),
            capacity=10, fee=fee if day == 12 else 0))
        ids.append(view.event.id)
    return ids


async def signed_up(harness, event_id: int) -> list[int]:
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT m.number FROM event_signups s JOIN memberships m ON m.id = s.membership_id"
            " WHERE s.event_id = ? AND s.status = 'signed'", (event_id,)) as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def test_sign_up_by_the_number_in_the_list(harness):
    await mapo(harness)
    first, second = await two_sessions(harness)
    listed = texts(await harness.send(LEE, "학당"))
    assert listed.index("첫째 학당") < listed.index("둘째 학당")
    calls = await harness.send(LEE, "신청 2")
    assert "✅ 신청됐어요" in texts(calls) and "둘째 학당" in texts(calls)
    assert ("신청 취소", f"ev:leave:{second}") in buttons(calls)
    assert await signed_up(harness, second) == [3]
    assert await signed_up(harness, first) == []


async def test_sign_up_for_an_event_with_a_fee_waits_for_the_button(harness):
    await mapo(harness)
    _, paid = await two_sessions(harness, fee=3000)
    calls = await harness.send(LEE, "2번 신청할게요")
    assert "참가비가 있는" in texts(calls) and ("✅ 신청", f"ev:join:{paid}") in buttons(calls)
    assert await signed_up(harness, paid) == [] and await transfers(harness) == []


async def test_a_number_not_in_the_list_shows_the_list(harness):
    await mapo(harness)
    await two_sessions(harness)
    calls = await harness.send(LEE, "신청 7")
    assert "7번이 없어요" in texts(calls) and "둘째 학당" in texts(calls)


async def test_cancel_by_number_shows_the_button_to_cancel(harness):
    await mapo(harness)
    first, _ = await two_sessions(harness)
    await harness.send(LEE, "신청 1")
    calls = await harness.send(LEE, "1번 취소")
    assert ("신청 취소", f"ev:leave:{first}") in buttons(calls)
    assert await signed_up(harness, first) == [3]  # not given up on a number alone


# ----- typed labels inside dialogs ----------------------------------------------------------


async def test_typed_labels_work_in_the_post_dialog(harness):
    await mapo(harness)
    await harness.send(LEE, "/offer")
    assert "분류: 먹거리" in texts(await harness.send(LEE, "먹거리"))
    await harness.send(LEE, "시골 된장 나눔")
    assert "가격" in texts(await harness.send(LEE, "건너뛰기"))
    assert "사진" in texts(await harness.send(LEE, "협의"))
    assert "올릴까요" in texts(await harness.send(LEE, "건너뛰기"))
    assert "올렸어요" in texts(await harness.send(LEE, "네"))
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT category, title, description, price FROM posts") as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [
            ("food", "시골 된장 나눔", "", None)]


@pytest.mark.parametrize("stop", ["취소", "그만", "취소할래요"])
async def test_cancel_typed_in_the_post_dialog_ends_it(harness, stop):
    await mapo(harness)
    await harness.send(LEE, "/offer")
    await harness.send(LEE, "먹거리")
    await harness.send(LEE, "시골 된장 나눔")
    assert "그만뒀어요" in texts(await harness.send(LEE, stop))
    assert await harness.services.dialogs.get(await person_id(harness, LEE)) is None
    assert await count_rows(harness.services, "posts") == 0


async def test_a_word_that_is_no_label_stays_an_answer(harness):
    await mapo(harness)
    await harness.send(LEE, "/offer")
    await harness.send(LEE, "먹거리")
    await harness.send(LEE, "좋아요")  # the title step shows no buttons: a yes is the title
    await harness.send(LEE, "아니요")  # a bare "no" is a description, not a cancel
    await harness.send(LEE, "협의")
    await harness.send(LEE, "건너뛰기")
    await harness.send(LEE, "올리기")
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT title, description FROM posts") as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [("좋아요", "아니요")]


async def test_typed_labels_work_in_the_event_dialog(harness):
    await mapo(harness)
    await harness.send(KIM, "/newevent")
    assert "제목" in texts(await harness.send(KIM, "학당"))  # 품앗이 학당
    assert await harness.services.dialogs.get(await person_id(harness, KIM)) is not None
    assert "그만뒀어요" in texts(await harness.send(KIM, "취소"))
    assert await count_rows(harness.services, "events") == 0


async def test_typed_labels_work_in_the_notice_dialog(harness):
    await mapo(harness)
    await harness.send(KIM, "/notice")
    await harness.send(KIM, "내일 모임은 3시예요")
    assert "긴급" in texts(await harness.send(KIM, "회원 모두"))
    assert "미리 보기" in texts(await harness.send(KIM, "보통"))
    assert "N1" in texts(await harness.send(KIM, "보내기"))
    assert await count_rows(harness.services, "notices") == 1
    assert await harness.services.dialogs.get(await person_id(harness, KIM)) is None
