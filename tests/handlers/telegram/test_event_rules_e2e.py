"""The hard edges of events: a reversed fee is not refunded twice, check-in only around the
event with a limited number of wrong codes, no fees or rewards for closed accounts, and a
raised capacity moves the waiting list up."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import CHOI, KIM, LEE, PARK
from tests.handlers.telegram.test_events_e2e import (
    at_start,
    balance,
    community,
    membership_of,
    new_event,
)
from tests.support import alerts, texts


async def scalar(harness, sql, *params):
    async with harness.services.db.read() as conn, conn.execute(sql, params) as cursor:
        return (await cursor.fetchone())[0]


async def house_balance(harness) -> int:
    return await scalar(harness, "SELECT balance FROM accounts WHERE membership_id IS NULL")


async def fee_transfer(harness, user) -> int:
    return await scalar(
        harness, "SELECT s.fee_transfer_id FROM event_signups s WHERE s.membership_id = ?",
        await membership_of(harness, user))


async def check_in_code(harness, event_id) -> str:
    calls = await harness.tap(KIM, f"ev:chk:{event_id}")
    return next(c for c in calls if "출석 확인" in c.text).text.split("/checkin ")[1][:4]


def other_code(code: str, offset: int = 1) -> str:
    return f"{(int(code) + offset) % 10_000:04d}"


# ----- 3. a fee a coordinator already reversed is not refunded again ---------------------

async def test_reversed_fee_is_not_refunded_again_when_the_event_is_cancelled(harness):
    await community(harness)
    event_id = await new_event(harness, fee="3000")
    await harness.tap(LEE, f"ev:join:{event_id}")
    await harness.tap(PARK, f"ev:join:{event_id}")
    fee = await fee_transfer(harness, LEE)
    asked = texts(await harness.send(KIM, f"/reverse T{fee} 참가비 면제"))
    # the fee went to the community's account, no member's: only the member is told
    assert "보낸 분에게 돌아가고, 회원에게 알려요" in asked and "두 회원" not in asked
    done = texts(await harness.tap(KIM, harness.button_data(KIM, "되돌리기")))
    assert "회원에게 알렸어요" in done and "두 회원" not in done
    assert "잔액: <b>0문</b>" in await balance(harness, LEE)

    await harness.tap(KIM, f"ev:cancel:{event_id}")
    calls = await harness.tap(KIM, f"ev:cancelok:{event_id}")
    assert "참가비 1건" in texts(calls)  # PARK's; LEE's came back by the correction
    assert "잔액: <b>0문</b>" in await balance(harness, LEE)  # back exactly once
    assert "잔액: <b>0문</b>" in await balance(harness, PARK)
    assert await house_balance(harness) == 0
    assert await scalar(harness, "SELECT refund_transfer_id FROM event_signups"
                                 " WHERE fee_transfer_id = ?", fee) == await scalar(
        harness, "SELECT id FROM transfers WHERE reverses_id = ?", fee)
    assert await scalar(harness, "SELECT SUM(balance) FROM accounts") == 0
    assert (await harness.services.verify()).ok


async def test_reversed_fee_is_not_refunded_again_when_the_member_cancels(harness):
    await community(harness)
    event_id = await new_event(harness, fee="3000")
    await harness.tap(LEE, f"ev:join:{event_id}")
    fee = await fee_transfer(harness, LEE)
    await harness.send(KIM, f"/reverse T{fee} 참가비 면제")
    await harness.tap(KIM, harness.button_data(KIM, "되돌리기"))

    calls = await harness.tap(LEE, f"ev:leave:{event_id}")  # well before the cut-off
    assert "이미 돌려드렸어요" in " ".join(alerts(calls))
    assert "잔액: <b>0문</b>" in await balance(harness, LEE)
    assert await house_balance(harness) == 0
    assert await scalar(harness, "SELECT COUNT(*) FROM transfers"
                                 " WHERE purpose = 'event_refund'") == 0
    assert (await harness.services.verify()).ok


async def test_a_fee_refunded_by_cancelling_cannot_be_reversed_by_hand(harness):
    """The other order: the event flow refunded the fee, so a reversal would pay it twice."""
    await community(harness)
    event_id = await new_event(harness, fee="3000")
    await harness.tap(LEE, f"ev:join:{event_id}")
    fee = await fee_transfer(harness, LEE)
    await harness.tap(LEE, f"ev:leave:{event_id}")  # refunded by the event flow
    await harness.tap(LEE, f"ev:join:{event_id}")  # signs up again: a second fee
    second_fee = await fee_transfer(harness, LEE)
    assert second_fee != fee

    calls = await harness.send(KIM, f"/reverse T{fee} 참가비 면제")
    assert "이미 돌려드린 참가비" in texts(calls)
    assert not [c for c in calls if c.buttons]
    # The second fee, not refunded, can still be corrected.
    await harness.send(KIM, f"/reverse T{second_fee} 참가비 면제")
    await harness.tap(KIM, harness.button_data(KIM, "되돌리기"))
    assert "잔액: <b>0문</b>" in await balance(harness, LEE)
    assert await house_balance(harness) == 0
    assert (await harness.services.verify()).ok


# ----- 10. check-in window, wrong codes, a fresh code ------------------------------------

async def test_check_in_is_refused_a_week_early_and_open_around_the_event(harness):
    await community(harness)
    event_id = await new_event(harness, fee=None, reward="5000")  # 3/14 15:00–17:00
    await harness.tap(LEE, f"ev:join:{event_id}")
    await harness.tap(PARK, f"ev:join:{event_id}")
    code = await check_in_code(harness, event_id)

    await at_start(harness, event_id, shift=-timedelta(days=7))
    calls = await harness.send(LEE, f"/checkin {code}")
    assert "출석은 3월 14일 (토) 오후 2:30부터 3월 14일 (토) 오후 7:00까지 할 수 있어요" in (
        texts(calls))
    calls = await harness.tap(KIM, f"ev:att:{event_id}:{await membership_of(harness, PARK)}")
    assert "오후 2:30부터 할 수 있어요" in " ".join(alerts(calls))
    assert "잔액: <b>0문</b>" in await balance(harness, LEE)
    assert "잔액: <b>0문</b>" in await balance(harness, PARK)
    assert await scalar(harness, "SELECT COUNT(*) FROM event_signups"
                                 " WHERE attended_at IS NOT NULL") == 0

    await at_start(harness, event_id, shift=-timedelta(minutes=25))  # a little early is fine
    assert "참석 보상으로 5,000문 드렸어요" in texts(await harness.send(LEE, f"/checkin {code}"))
    assert "이미 출석" in texts(await harness.send(LEE, f"/checkin {code}"))
    assert "잔액: <b>5,000문</b>" in await balance(harness, LEE)

    # the window closes 2 hours after the end for codes; the coordinator's list still works
    await at_start(harness, event_id, shift=timedelta(hours=4, minutes=1))
    assert "할 수 있어요" in texts(await harness.send(PARK, f"/checkin {code}"))
    calls = await harness.tap(KIM, f"ev:att:{event_id}:{await membership_of(harness, PARK)}")
    assert "출석 처리했어요" in " ".join(alerts(calls))
    assert "잔액: <b>5,000문</b>" in await balance(harness, PARK)
    assert (await harness.services.verify()).ok


async def test_five_wrong_codes_then_even_the_right_one_is_refused(harness):
    await community(harness)
    event_id = await new_event(harness, fee=None, reward="5000")
    await harness.tap(LEE, f"ev:join:{event_id}")
    code = await check_in_code(harness, event_id)
    await at_start(harness, event_id)

    for attempt in range(1, 5):
        calls = await harness.send(LEE, f"/checkin {other_code(code, attempt)}")
        assert f"남은 기회 {5 - attempt}번" in texts(calls)
    assert "마지막 기회" in texts(await harness.send(LEE, f"/checkin {other_code(code, 5)}"))
    assert await scalar(harness, "SELECT wrong_codes FROM event_signups") == 5
    calls = await harness.send(LEE, f"/checkin {code}")  # the 6th try, right this time
    assert "운영위원에게 출석 체크를 부탁해 주세요" in texts(calls)
    assert "잔액: <b>0문</b>" in await balance(harness, LEE)
    assert await scalar(harness, "SELECT attended_at FROM event_signups") is None
    assert await scalar(harness, "SELECT wrong_codes FROM event_signups") == 5

    # the coordinator can still check them in
    calls = await harness.tap(KIM, f"ev:att:{event_id}:{await membership_of(harness, LEE)}")
    assert "출석 처리했어요" in " ".join(alerts(calls))
    assert "잔액: <b>5,000문</b>" in await balance(harness, LEE)
    assert (await harness.services.verify()).ok


async def test_a_fresh_code_replaces_the_old_one(harness):
    await community(harness)
    event_id = await new_event(harness, fee=None, reward="5000")
    await harness.tap(LEE, f"ev:join:{event_id}")
    old = await check_in_code(harness, event_id)
    await harness.tap(KIM, f"ev:v:{event_id}")
    assert harness.button_data(KIM, "새 출석 코드") == f"ev:code:{event_id}"
    calls = await harness.tap(KIM, f"ev:code:{event_id}")
    fresh = next(c for c in calls if "출석 확인" in (c.text or "")).text.split(
        "/checkin ")[1][:4]
    assert fresh != old
    assert f"새 출석 코드: {fresh}" in " ".join(alerts(calls))
    await at_start(harness, event_id)
    assert "맞는 출석 코드가 아니에요" in texts(await harness.send(LEE, f"/checkin {old}"))
    assert "참석 보상으로 5,000문 드렸어요" in texts(await harness.send(LEE, f"/checkin {fresh}"))
    calls = await harness.tap(LEE, f"ev:code:{event_id}")  # members can't renew it
    assert not any("새 출석 코드" in a for a in alerts(calls))
    assert (await harness.services.verify()).ok


# ----- 15. closed accounts neither pay fees nor get rewards ------------------------------

async def test_not_yet_oriented_member_pays_no_fee_and_gets_no_reward(harness):
    await community(harness, orientation_required=True)
    paid = await new_event(harness, fee="3000", reward="5000")
    calls = await harness.tap(LEE, f"ev:join:{paid}")
    assert "먼저 /sessions 에서 새 회원 교육을 신청해 주세요" in " ".join(alerts(calls))
    calls = await harness.tap(LEE, f"ev:wait:{paid}")
    assert "새 회원 교육" in " ".join(alerts(calls))
    assert await scalar(harness, "SELECT COUNT(*) FROM event_signups") == 0

    free = await new_event(harness, fee=None, reward="5000")  # free: sign-up is fine
    assert "✅ 신청됐어요" in " ".join(alerts(await harness.tap(LEE, f"ev:join:{free}")))
    code = await check_in_code(harness, free)
    await at_start(harness, free)
    calls = await harness.send(LEE, f"/checkin {code}")
    assert "계좌가 열린 뒤부터 받을 수 있어요" in texts(calls)
    assert "잔액: <b>0문</b>" in await balance(harness, LEE)
    assert await scalar(harness, "SELECT COUNT(*) FROM event_signups"
                                 " WHERE attended_at IS NOT NULL") == 1
    assert (await harness.services.verify()).ok


async def test_orientation_is_free_and_its_reward_is_paid_once_it_opens_the_account(harness):
    await community(harness, orientation_required=True)
    await harness.send(KIM, "/newevent")
    await harness.tap(KIM, "evd:kind:study")
    for text in ("오리엔테이션", "3월 14일 오후 3시", "2시간", "마포구청", "김선생", "10", "3000",
                 "5000"):
        await harness.send(KIM, text)
    calls = await harness.tap(KIM, "evd:ori:1")
    assert "새 회원 교육은 무료예요" in texts(calls)
    await harness.tap(KIM, "evd:aud:community")
    calls = await harness.tap(KIM, "evd:save")
    assert "저장했어요" in texts(calls) and "참가비" not in texts(calls)
    event_id = await scalar(harness, "SELECT MAX(id) FROM events")
    assert await scalar(harness, "SELECT fee FROM events WHERE id = ?", event_id) == 0

    assert "✅ 신청됐어요" in " ".join(alerts(await harness.tap(LEE, f"ev:join:{event_id}")))
    code = await check_in_code(harness, event_id)
    await at_start(harness, event_id)
    assert "참석 보상으로 5,000문 드렸어요" in texts(await harness.send(LEE, f"/checkin {code}"))
    assert "잔액: <b>5,000문</b>" in await balance(harness, LEE)
    assert (await harness.services.verify()).ok


async def test_suspended_member_is_checked_in_without_a_reward(harness):
    await community(harness)
    event_id = await new_event(harness, fee=None, reward="5000")
    await harness.tap(LEE, f"ev:join:{event_id}")
    await harness.send(KIM, "/suspend #2 회비 문제")
    await at_start(harness, event_id)
    calls = await harness.tap(KIM, f"ev:att:{event_id}:{await membership_of(harness, LEE)}")
    assert "정지된 분이라 보상은 드리지 못했어요" in " ".join(alerts(calls))
    assert await scalar(harness, "SELECT COUNT(*) FROM event_signups"
                                 " WHERE attended_at IS NOT NULL") == 1
    assert await scalar(harness, "SELECT COUNT(*) FROM transfers") == 0
    assert await house_balance(harness) == 0
    assert (await harness.services.verify()).ok


async def test_suspended_member_cannot_sign_up(harness):
    await community(harness)
    event_id = await new_event(harness, fee=None)
    await harness.send(KIM, "/suspend #2 회비 문제")
    calls = await harness.tap(LEE, f"ev:join:{event_id}")
    assert "정지" in " ".join(alerts(calls)) + texts(calls)
    assert await scalar(harness, "SELECT COUNT(*) FROM event_signups") == 0


# ----- 16. raising the capacity moves the waiting list up --------------------------------

async def test_raising_capacity_promotes_the_waiting_list_and_charges_the_fee(harness):
    await community(harness)
    event_id = await new_event(harness, capacity="1", fee="3000")
    await harness.tap(LEE, f"ev:join:{event_id}")
    await harness.tap(PARK, f"ev:wait:{event_id}")
    await harness.tap(CHOI, f"ev:wait:{event_id}")

    await harness.tap(KIM, f"eve:capacity:{event_id}")
    calls = await harness.send(KIM, "3")
    assert "대기하던 2명이 신청됐어요" in texts(calls)
    assert "자리가 나서" in harness.last_message_to(PARK).text
    assert "A seat opened up" in harness.last_message_to(CHOI).text
    for user in (PARK, CHOI):
        assert "3,000" in await balance(harness, user)
    assert await house_balance(harness) == 9000
    assert await scalar(harness, "SELECT COUNT(*) FROM event_signups"
                                 " WHERE status = 'signed'") == 3
    assert "마감 (대기 0명)" in texts(await harness.tap(LEE, f"ev:v:{event_id}"))
    assert (await harness.services.verify()).ok


async def test_raising_capacity_passes_over_a_suspended_member(harness):
    await community(harness)
    event_id = await new_event(harness, capacity="1", fee=None)
    await harness.tap(LEE, f"ev:join:{event_id}")
    await harness.tap(PARK, f"ev:wait:{event_id}")
    await harness.tap(CHOI, f"ev:wait:{event_id}")
    await harness.send(KIM, "/suspend #3 회비 문제")

    await harness.tap(KIM, f"eve:capacity:{event_id}")
    calls = await harness.send(KIM, "2")
    assert "대기하던 1명이 신청됐어요" in texts(calls)
    assert "정지된 상태라 다음 분께 넘어갔어요" in harness.last_message_to(PARK).text
    assert "A seat opened up" in harness.last_message_to(CHOI).text
    assert await scalar(harness, "SELECT status FROM event_signups WHERE membership_id = ?",
                        await membership_of(harness, PARK)) == "cancelled"
    assert await scalar(harness, "SELECT status FROM event_signups WHERE membership_id = ?",
                        await membership_of(harness, CHOI)) == "signed"
