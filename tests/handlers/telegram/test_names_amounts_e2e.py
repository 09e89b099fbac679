"""Amounts and members as residents write them, through /pay and /charge end to end."""

from __future__ import annotations

from tests.conftest import CHOI, LEE, PARK
from tests.handlers.telegram.test_trading_e2e import join_all
from tests.support import count_rows, texts


async def test_memo_starting_with_a_number_is_not_merged_into_the_amount(harness):
    await join_all(harness)
    calls = await harness.send(LEE, "/pay #4 5000 3 apples")  # 박민지 is #4
    text = texts(calls)
    assert "5,000문" in text and "3 apples" in text
    assert "50,003" not in text


async def test_won_after_a_space_is_part_of_the_amount_not_the_memo(harness):
    await join_all(harness)
    text = texts(await harness.send(LEE, "/pay #1 5천 원 김치"))
    assert "5,000문" in text and "김치" in text
    assert "원 김치" not in text


async def test_pay_by_name_with_korean_numerals_and_won(harness):
    await join_all(harness)
    calls = await harness.send(LEE, "/pay 박민지님 오천원 김치값")
    text = texts(calls)
    assert "#4 박민지" in text and "5,000문" in text and "김치값" in text
    await harness.tap(LEE, harness.button_data(LEE, "보내기"))
    assert "금액이 들어왔어요" in harness.last_message_to(PARK).text
    assert await count_rows(harness.services, "transfers") == 1


async def test_charge_by_given_name(harness):
    await join_all(harness)
    text = texts(await harness.send(LEE, "/charge 수진 삼만 오천 수업료"))  # 최수진 is #5
    assert "35,000문" in text and "수업료" in text
    assert "asks you for a payment" in harness.last_message_to(CHOI).text  # CHOI reads English


async def test_unknown_name_offers_the_closest_members_as_buttons(harness):
    await join_all(harness)
    calls = await harness.send(LEE, "/pay 박민자 5000")
    assert "회원이 없어요" in texts(calls)
    assert ("박민지 #4", "pick:4") in calls[-1].buttons
    assert await count_rows(harness.services, "trade_requests") == 0


async def test_two_members_with_the_same_given_name_are_both_offered(harness):
    await join_all(harness)
    async with harness.services.db.write() as conn:
        await conn.execute(
            "UPDATE people SET display_name = '이민지' WHERE display_name = '최수진'")
    calls = await harness.send(LEE, "/pay 민지 5000")
    assert "여러 명" in texts(calls)
    assert [label for label, _ in calls[-1].buttons] == ["박민지 #4", "이민지 #5", "취소"]
    assert await count_rows(harness.services, "trade_requests") == 0


async def test_names_offered_to_pick_are_escaped(harness):
    """The name written is escaped in the text; the names offered are button labels, which
    Telegram shows as plain text."""
    await join_all(harness)
    async with harness.services.db.write() as conn:
        await conn.execute(
            "UPDATE people SET display_name = '<i>박민지</i>' WHERE display_name = '박민지'")
    calls = await harness.send(LEE, "/pay <i>박민자</i> 5000")
    text = texts(calls)
    assert "&lt;i&gt;박민자&lt;/i&gt;" in text and "<i>" not in text
    assert ("<i>박민지</i> #4", "pick:4") in calls[-1].buttons
