"""The ledger's hardening, end to end: short-lived pay previews that a newer one retires,
a reversal that waits for Confirm, a coordinator's view of a member's statement, a payee's
ceiling that cannot be probed, and a suspended member who can still read their own figures."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from bot.updates import FakeUser
from core.ledger import PAY_PREVIEW_LIFETIME
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.support import alerts, count_rows, texts

# 김영희 #1 (coordinator), 이철수 #2, 박민지 #3, 최수진 #4 (English)
SECOND_COORDINATOR = FakeUser(105, "정운영", "jung")


async def community(harness, *, ceiling: int = 1_000_000):
    services = harness.services
    await services.membership.create_community(code="mapo", name="마포 품앗이",
                                               credit_ceiling=ceiling, credit_floor=-300_000,
                                               approval="auto")
    await services.membership.add_coordinator(code="mapo", channel="telegram",
                                              external_id=str(KIM.id))
    await harness.send(KIM, "/start")
    for user in (LEE, PARK, CHOI):
        await harness.join(user, "mapo")


async def paid(harness, payer, command):
    await harness.send(payer, command)
    calls = await harness.tap(payer, harness.button_data(payer, "보내기"))
    assert "보냈어요" in texts(calls)


def balance_line(text: str) -> str:
    return next(line for line in text.splitlines() if "잔액:" in line)


# ----- item 11: pay previews ---------------------------------------------------------------


async def test_a_newer_preview_to_the_same_payee_retires_the_older_one(harness):
    await community(harness)
    await harness.send(LEE, "/pay #3 5000")
    old = harness.button_data(LEE, "보내기")
    await harness.send(LEE, "/pay #3 500")  # re-typed with the right amount
    new = harness.button_data(LEE, "보내기")
    assert old != new

    calls = await harness.tap(LEE, old)
    assert any("새 확인으로 바뀌" in a and "다시" in a for a in alerts(calls))
    assert any(c.method == "editMessageReplyMarkup" for c in calls)  # its buttons go away
    assert await count_rows(harness.services, "transfers") == 0

    calls = await harness.tap(LEE, new)
    assert "보냈어요" in texts(calls)
    assert "-500문" in texts(await harness.send(LEE, "/balance"))
    calls = await harness.tap(LEE, old)  # still nothing, even after the new one was paid
    assert await count_rows(harness.services, "transfers") == 1
    assert "잔액: <b>500문</b>" in texts(await harness.send(PARK, "/balance"))


async def test_a_preview_to_another_payee_stays_valid(harness):
    await community(harness)
    await harness.send(LEE, "/pay #3 300")
    to_park = harness.button_data(LEE, "보내기")
    await harness.send(LEE, "/pay #1 200")
    assert "보냈어요" in texts(await harness.tap(LEE, to_park))
    assert "보냈어요" in texts(await harness.tap(LEE, harness.button_data(LEE, "보내기")))
    assert await count_rows(harness.services, "transfers") == 2


async def test_a_preview_lives_minutes_not_a_day(harness):
    assert PAY_PREVIEW_LIFETIME <= timedelta(minutes=15)
    await community(harness)
    calls = await harness.send(LEE, "/pay #3 400")
    assert "10분 안에" in texts(calls)  # the payer is told how long they have
    stale = harness.button_data(LEE, "보내기")
    harness.clock.advance(PAY_PREVIEW_LIFETIME + timedelta(seconds=1))
    calls = await harness.tap(LEE, stale)
    assert any("기한이 지났" in a and "다시" in a for a in alerts(calls))
    assert await count_rows(harness.services, "transfers") == 0

    await harness.send(LEE, "/pay #3 400")
    harness.clock.advance(PAY_PREVIEW_LIFETIME - timedelta(seconds=5))
    assert "보냈어요" in texts(await harness.tap(LEE, harness.button_data(LEE, "보내기")))
    assert await count_rows(harness.services, "transfers") == 1


async def test_cancel_on_a_retired_preview_sends_nothing(harness):
    await community(harness)
    await harness.send(LEE, "/pay #3 5000")
    old_cancel = harness.button_data(LEE, "취소")
    await harness.send(LEE, "/pay #3 500")
    calls = await harness.tap(LEE, old_cancel)
    assert any("보낸 돈은 없어요" in a for a in alerts(calls))
    assert "보냈어요" in texts(await harness.tap(LEE, harness.button_data(LEE, "보내기")))
    assert await count_rows(harness.services, "transfers") == 1


# ----- item 13: a payee's ceiling cannot be probed -------------------------------------------


async def test_payees_ceiling_cannot_be_found_by_bisection(harness):
    await community(harness, ceiling=10_000)
    await paid(harness, KIM, "/pay #3 9000")  # 박민지 can take 1,000 more

    refusals = []
    for amount in ("1001", "7000"):
        calls = await harness.send(LEE, f"/pay #3 {amount}")
        # the preview looks like any other: no refusal, nothing about 박민지's balance
        assert "보낼 내용을 확인해 주세요" in texts(calls)
        assert "9,000" not in texts(calls) and "1,000" not in texts(calls)
        calls = await harness.tap(LEE, harness.button_data(LEE, "보내기"))
        refusals.append(" ".join(alerts(calls)))
    first, second = refusals
    assert first and first == second
    assert "지금 이 금액을 받을 수 없어요" in first
    assert not re.search(r"\d", first)  # no balance, headroom or limit in it
    assert await count_rows(harness.services, "transfers") == 1

    await paid(harness, LEE, "/pay #3 1000")  # exactly up to the ceiling goes through
    assert "잔액: <b>10,000문</b>" in texts(await harness.send(PARK, "/balance"))


# ----- item 12: reversal with a confirm step, statements for coordinators ---------------------


async def test_reverse_asks_first_and_reverses_only_on_confirm(harness):
    await community(harness)
    await paid(harness, LEE, "/pay #3 1000 떡값")

    calls = await harness.send(KIM, "/reverse T1 두 번 보냄")
    shown = texts(calls)
    assert "T1" in shown and "1,000문" in shown and "이철수" in shown and "박민지" in shown
    assert "두 번 보냄" in shown and "두 회원에게 알려요" in shown
    labels = [label for call in calls for label, _ in call.buttons]
    assert any("되돌리기" in label for label in labels) and "취소" in labels
    assert await count_rows(harness.services, "transfers") == 1  # nothing yet
    assert "잔액: <b>-1,000문</b>" in texts(await harness.send(LEE, "/balance"))

    calls = await harness.tap(KIM, harness.button_data(KIM, "취소"))
    assert "되돌리지 않았어요" in texts(calls)
    assert await count_rows(harness.services, "transfers") == 1

    await harness.send(KIM, "/reverse T1 두 번 보냄")
    confirm = harness.button_data(KIM, "되돌리기")
    calls = await harness.tap(KIM, confirm)
    assert "되돌렸어요" in texts(calls) and "두 회원에게 알렸어요" in texts(calls)
    assert "되돌렸어요" in harness.last_message_to(LEE).text
    assert "되돌렸어요" in harness.last_message_to(PARK).text
    assert "잔액: <b>0문</b>" in texts(await harness.send(LEE, "/balance"))

    calls = await harness.tap(KIM, confirm)  # a second tap reverses nothing more
    assert alerts(calls) and alerts(calls)[0]
    assert await count_rows(harness.services, "transfers") == 2
    assert (await harness.services.verify()).ok


async def test_double_tap_and_two_coordinators_at_once_reverse_once(harness):
    await community(harness)
    await harness.services.membership.add_coordinator(
        code="mapo", channel="telegram", external_id=str(SECOND_COORDINATOR.id))
    await paid(harness, LEE, "/pay #3 700")
    await harness.send(KIM, "/reverse T1 잘못 보냄")
    await harness.send(SECOND_COORDINATOR, "/reverse T1 중복 결제")
    taps = [harness.updates.callback(user, harness.button_data(user, "되돌리기"))
            for user in (KIM, SECOND_COORDINATOR, KIM, SECOND_COORDINATOR, KIM)]
    await asyncio.gather(*(harness.application.process_update(u) for u in taps))
    await harness.settle()

    async with harness.services.db.read() as conn, conn.execute(
        "SELECT COUNT(*) FROM transfers WHERE kind = 'reversal'") as cursor:
        assert (await cursor.fetchone())[0] == 1
    told = [c for c in harness.api.sent_to(LEE.id) if "되돌렸어요" in c.text]
    assert len(told) == 1
    assert "잔액: <b>0문</b>" in texts(await harness.send(LEE, "/balance"))
    assert (await harness.services.verify()).ok


async def test_the_second_coordinator_to_confirm_is_told_it_is_done(harness):
    await community(harness)
    await harness.services.membership.add_coordinator(
        code="mapo", channel="telegram", external_id=str(SECOND_COORDINATOR.id))
    await paid(harness, LEE, "/pay #3 700")
    await harness.send(KIM, "/reverse T1 잘못 보냄")
    await harness.send(SECOND_COORDINATOR, "/reverse T1 중복 결제")
    await harness.tap(KIM, harness.button_data(KIM, "되돌리기"))
    calls = await harness.tap(SECOND_COORDINATOR,
                              harness.button_data(SECOND_COORDINATOR, "되돌리기"))
    assert any("이미 되돌렸어요" in a for a in alerts(calls))
    assert any(c.method == "editMessageReplyMarkup" for c in calls)
    second = await harness.services.people.resolve(
        "telegram", str(SECOND_COORDINATOR.id), SECOND_COORDINATOR.first_name,
        SECOND_COORDINATOR.username)
    assert await harness.services.dialogs.get(second.person.id) is None  # nothing left waiting
    assert await count_rows(harness.services, "transfers") == 2


async def test_reverse_says_the_minimum_reason_and_where_to_find_numbers(harness):
    await community(harness)
    await paid(harness, LEE, "/pay #3 100")
    usage = texts(await harness.send(KIM, "/reverse"))
    assert "/history #" in usage and "2자 이상" in usage
    short = texts(await harness.send(KIM, "/reverse T1 x"))
    assert "2자 이상" in short
    assert not [label for c in harness.api.sent_to(KIM.id) for label, _ in c.buttons
                if "되돌리기" in label]
    english = texts(await harness.send(CHOI, "/reverse T1 x"))  # not a coordinator
    assert "can't find transfer T1" in english
    assert await count_rows(harness.services, "transfers") == 1


async def test_typing_while_a_reversal_waits_does_not_break_it(harness):
    await community(harness)
    await paid(harness, LEE, "/pay #3 100")
    await harness.send(KIM, "/reverse T1 잘못 보냄")
    calls = await harness.send(KIM, "💰 잔액")
    assert "잔액" in texts(calls)
    calls = await harness.send(KIM, "아무 말")
    assert "문제가 생겼어요" not in texts(calls)
    assert "되돌렸어요" in texts(await harness.tap(KIM, harness.button_data(KIM, "되돌리기")))


async def test_coordinator_sees_any_members_statement_paged_with_numbers(harness):
    await community(harness)
    for _ in range(12):
        await paid(harness, LEE, "/pay #3 10")
    calls = await harness.send(KIM, "/history #2")
    shown = texts(calls)
    assert "이철수" in shown and shown.count("-10문") == 10 and "T12" in shown
    assert "/reverse T" in shown  # how to correct one
    older = harness.button_data(KIM, "지난 내역")
    calls = await harness.tap(KIM, older)
    assert texts(calls).count("-10문") == 2 and "T1 " in texts(calls)
    assert "이철수" in texts(calls)

    # a member may not read another member's statement, nor page into it with a forged button
    refused = texts(await harness.send(PARK, "/history #2"))
    assert "운영위원만" in refused and "/history" in refused and "-10문" not in refused
    calls = await harness.tap(PARK, older)
    assert any("운영위원만" in a for a in alerts(calls))
    assert "-10문" not in texts(calls)
    own = texts(await harness.send(PARK, "/history"))
    assert "+10문" in own


async def test_reason_shows_in_both_members_history(harness):
    await community(harness)
    await paid(harness, LEE, "/pay #3 1000 떡값")
    await harness.send(KIM, "/reverse T1 두 번 보냄")
    await harness.tap(KIM, harness.button_data(KIM, "되돌리기"))
    for user, sign in ((LEE, "+"), (PARK, "-")):
        history = texts(await harness.send(user, "/history"))
        assert f"{sign}1,000문" in history
        assert "사유: 두 번 보냄" in history
        assert "T1 정정" in history  # the correction names what it corrects
    coordinators_view = texts(await harness.send(KIM, "/history #2"))
    assert "사유: 두 번 보냄" in coordinators_view


# ----- item 18: a suspended member can read, not move, their money ----------------------------


async def test_suspended_member_reads_balance_and_history_but_cannot_trade(harness):
    await community(harness)
    await paid(harness, LEE, "/pay #3 700 점심")
    await harness.send(KIM, "/suspend #3 장기 미활동 확인")

    balance = texts(await harness.send(PARK, "/balance"))
    assert "잔액: <b>700문</b>" in balance
    history = texts(await harness.send(PARK, "/history"))
    assert "+700문" in history and "점심" in history
    calls = await harness.send(PARK, "/pay #2 100")
    assert texts(calls) and "보낼 내용을 확인해 주세요" not in texts(calls)
    calls = await harness.send(PARK, "/charge #2 100")
    assert texts(calls) and "요청을 보냈어요" not in texts(calls)
    assert "보낼 내용을 확인해 주세요" not in texts(await harness.send(LEE, "/pay #3 100"))
    assert await count_rows(harness.services, "transfers") == 1
    assert await count_rows(harness.services, "trade_requests") == 1
