"""A public institution's programme, posted by its staff from the shop menu through the event
dialog, booked by a member, its fee paid to the institution."""

from __future__ import annotations

from conversation.limits import plain_text
from tests.conftest import KIM, LEE, PARK
from tests.support import open_community


def said(calls) -> str:
    return "\n".join(plain_text(call.text) for call in calls if call.text)


async def test_institution_staff_post_a_programme_that_members_book_and_pay(harness):
    await open_community(harness, KIM, (LEE, PARK))
    await harness.send(KIM, "/institution 마포구립도서관")
    await harness.tap(KIM, "shm:staff:1")
    await harness.tap(KIM, "shm:add:1")  # the staff list's Add
    assert "#2" in said(await harness.send(KIM, "#2"))
    menu = said(await harness.send(LEE, "/shop"))
    assert "마포구립도서관" in menu
    await harness.tap(LEE, harness.button_data(LEE, "프로그램 올리기"))
    await harness.tap(LEE, "evd:kind:study")
    await harness.send(LEE, "그림책 읽기 모임")
    await harness.send(LEE, "3월 14일 오후 3시")
    await harness.send(LEE, "2시간")
    await harness.send(LEE, "도서관 2층")
    await harness.send(LEE, "사서 선생님")
    await harness.send(LEE, "10")
    await harness.send(LEE, "3000")  # the fee, to the library
    await harness.tap(LEE, "evd:skip")  # no reward
    await harness.tap(LEE, "evd:ori:0")
    await harness.tap(LEE, "evd:aud:community")
    assert "저장했어요" in said(await harness.tap(LEE, "evd:save"))
    assert "그림책 읽기 모임" in said(await harness.send(PARK, "가게 1"))
    await harness.send(PARK, "/sessions")
    await harness.tap(PARK, "ev:v:1")
    assert "신청됐어요" in said(await harness.tap(PARK, harness.button_data(PARK, "신청")))
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT e.organisation_id, a.balance FROM events e JOIN accounts a"
            " ON a.organisation_id = e.organisation_id") as cursor:
        assert tuple(await cursor.fetchone()) == (1, 3000)
    report = await harness.services.verify()
    assert report.ok, report.problems
