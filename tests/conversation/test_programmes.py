"""A public institution's programme, posted by its staff from the shop menu through the event
dialog, booked by a member, its fee paid to the institution; on every channel with the waiting
list, a refund and the check-in."""

from __future__ import annotations

import re

from conversation.limits import plain_text
from storage.timefmt import from_db
from tests.conftest import CHOI, KIM, LEE, PARK
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


async def test_a_programme_runs_through_the_event_flow_on_every_channel(any_harness):
    """Posted by the library's staff in chat; one seat: a sign-up pays the library, the next
    waits, the first leaves and is refunded, the waiting one moves up and pays; the library's
    staff open the check-in and the member checks in with the code."""
    harness = any_harness
    services = harness.services
    await open_community(harness, KIM, (LEE, PARK, CHOI))
    await harness.send(KIM, "/institution 마포구립도서관")
    await harness.tap(KIM, "shm:staff:1")
    await harness.tap(KIM, "shm:add:1")
    await harness.send(KIM, "#2")
    await harness.send(LEE, "/shop")
    await harness.tap(LEE, "shm:prog:1")
    await harness.tap(LEE, "evd:kind:study")
    for answer in ("그림책 읽기 모임", "3월 14일 오후 3시", "2시간", "도서관 2층", "사서 선생님",
                   "1", "3000"):
        await harness.send(LEE, answer)
    await harness.tap(LEE, "evd:skip")  # no reward
    await harness.tap(LEE, "evd:ori:0")
    await harness.tap(LEE, "evd:aud:community")
    assert "저장했어요" in said(await harness.tap(LEE, "evd:save"))
    for user in (PARK, CHOI):
        await harness.send(user, "/sessions")
        await harness.tap(user, "ev:v:1")
    await harness.tap(PARK, "ev:join:1")
    await harness.tap(CHOI, "ev:join:1")  # full
    await harness.tap(CHOI, "ev:v:1")
    await harness.tap(CHOI, "ev:wait:1")
    assert await _library_balance(services) == 3000
    await harness.tap(PARK, "ev:v:1")
    await harness.tap(PARK, "ev:leave:1")  # refunded; CHOI moves up and pays
    assert "잔액: 0문" in said(await harness.send(PARK, "/balance"))
    assert await _library_balance(services) == 3000
    assert await _signups(services) == [(3, "cancelled", False), (4, "signed", False)]
    await harness.send(LEE, "/sessions")
    await harness.tap(LEE, "ev:v:1")
    shown = said(await harness.tap(LEE, "ev:chk:1"))  # the library's staff, not a coordinator
    code = re.search(r"/checkin (\d{4})", shown).group(1)
    async with services.db.read() as conn, conn.execute(
            "SELECT starts_at FROM events WHERE id = 1") as cursor:
        starts = from_db((await cursor.fetchone())[0])
    harness.clock.advance(starts - harness.clock.now())
    await harness.send(CHOI, f"/checkin {code}")
    assert await _signups(services) == [(3, "cancelled", False), (4, "signed", True)]
    assert await _library_balance(services) == 3000
    report = await services.verify()
    assert report.ok, report.problems


async def _library_balance(services) -> int:
    async with services.db.read() as conn, conn.execute(
            "SELECT balance FROM accounts WHERE organisation_id = 1") as cursor:
        return (await cursor.fetchone())[0]


async def _signups(services) -> list[tuple[int, str, bool]]:
    async with services.db.read() as conn, conn.execute(
            "SELECT m.number, s.status, s.attended_at FROM event_signups s"
            " JOIN memberships m ON m.id = s.membership_id ORDER BY m.number") as cursor:
        return [(row[0], row[1], row[2] is not None) for row in await cursor.fetchall()]
