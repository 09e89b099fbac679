"""/takings for a shop's staff: today, this month, a chosen day; paged; CSV and XLSX files
(on every channel; KakaoTalk, which takes no files, says where to get them)."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook

from conversation.limits import plain_text
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.conversation.test_merchant_followups import shop_code
from tests.conversation.test_merchant_scenarios import register_shop, said
from tests.support import count_rows, open_community


async def pay(harness, user, bill: str) -> None:
    await harness.tap(user, "mpay:s:1")
    await harness.send(user, bill)
    await harness.tap(user, harness.button_data(user, "보내기"))


async def test_takings_by_day_and_month_with_files(harness, clock):
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    await harness.send(PARK, "/merchants")
    await pay(harness, PARK, "19800")
    await pay(harness, PARK, "10000")
    clock.advance(timedelta(days=1))
    await pay(harness, PARK, "5000")
    today = said(await harness.send(LEE, "/takings"))
    assert "결제 1건 · 품앗이 2,000문 · 현금 3,000원" in today
    month = said(await harness.tap(LEE, harness.button_data(LEE, "이번 달")))
    assert "결제 3건 · 품앗이 13,900문 · 현금 20,900원" in month
    yesterday = (clock.now() - timedelta(days=1)).strftime("%Y-%m-%d")
    assert "결제 2건" in said(await harness.send(LEE, f"/takings {yesterday}"))
    assert "YYYY-MM-DD" in said(await harness.send(LEE, "/takings 어제쯤"))
    # a customer is not staff
    assert "직원만" in said(await harness.send(PARK, "/takings"))
    await harness.send(LEE, "/takings month")
    calls = await harness.tap(LEE, harness.button_data(LEE, "CSV"))
    document = next(call for call in calls if call.method == "sendDocument")
    text = next(iter(document.files.values())).decode("utf-8-sig")
    assert text.count("박민지") == 3 and "19800,7900,11900" in text
    calls = await harness.tap(LEE, harness.button_data(LEE, "XLSX"))
    document = next(call for call in calls if call.method == "sendDocument")
    book = load_workbook(io.BytesIO(next(iter(document.files.values()))))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 4 and rows[1][3:6] == (19800, 7900, 11900)


async def test_takings_are_paged(harness):
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    await harness.send(PARK, "/merchants")
    for bill in range(17):
        await pay(harness, PARK, str(1000 + bill * 100))
    first = said(await harness.send(LEE, "/takings"))
    assert "결제 17건" in first and first.count("박민지") == 15
    second = said(await harness.tap(LEE, harness.button_data(LEE, "다음")))
    assert second.count("박민지") == 2


async def test_a_coordinator_decides_a_shop_in_approve(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await harness.send(LEE, "/shop")
    await harness.send(LEE, "마포 떡집")
    await harness.send(LEE, "떡집")
    for _ in range(5):  # address, hours, map, phone, photo
        await harness.tap(LEE, "sha:skip")
    await harness.send(LEE, "40")
    await harness.tap(LEE, "sha:skip")
    await harness.tap(LEE, "sha:r:100")
    await harness.tap(LEE, "sha:save")
    await harness.tap(LEE, "sha:save")  # a second tap applies nothing more
    listed = "\n".join(plain_text(c.text) for c in await harness.send(KIM, "/approve")
                       if c.text)
    assert "가게 1번" in listed and "마포 떡집" in listed
    await harness.tap(KIM, harness.button_data(KIM, "승인"))
    assert "승인" in plain_text(harness.last_message_to(LEE).text)
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT COUNT(*), MAX(status) FROM organisations") as cursor:
        assert tuple(await cursor.fetchone()) == (1, "active")


def _file(harness, calls) -> bytes | None:
    """The file a reply carried, on a channel that can send one (KakaoTalk cannot)."""
    for call in calls:
        if call.method == "sendDocument":
            return (next(iter(call.files.values())) if harness.channel == "telegram"
                    else call.shown.content)
    return None


async def test_takings_today_this_month_a_day_and_the_files_on_every_channel(any_harness,
                                                                            clock):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    code = await shop_code(harness)
    for bill in ("19800", "10000", None, "5000"):
        if bill is None:
            clock.advance(timedelta(days=1))
            continue
        await harness.send(PARK, f"가게 {code}")
        await harness.send(PARK, bill)
        await harness.tap(PARK, harness.button_data(PARK, "보내기"))
    assert "결제 1건 · 품앗이 2,000문 · 현금 3,000원" in said(await harness.send(LEE, "/takings"))
    month = said(await harness.tap(LEE, harness.button_data(LEE, "이번 달")))
    assert "결제 3건 · 품앗이 13,900문 · 현금 20,900원" in month
    yesterday = (clock.now() - timedelta(days=1)).strftime("%Y-%m-%d")
    assert "결제 2건 · 품앗이 11,900문" in said(await harness.send(LEE, f"/takings {yesterday}"))
    calls = await harness.tap(LEE, harness.button_data(LEE, "CSV"))
    csv = _file(harness, calls)
    xlsx = _file(harness, await harness.tap(LEE, harness.button_data(LEE, "XLSX")))
    if harness.channel == "kakao":  # said plainly, with where to get them
        assert csv is None and xlsx is None and "파일" in said(calls)
        return
    assert "19800,7900,11900" in csv.decode("utf-8-sig")
    rows = list(load_workbook(io.BytesIO(xlsx)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][3:6] == (19800, 7900, 11900)


async def test_staff_refund_from_the_takings_within_seven_days(any_harness, clock):
    """The button on the staff's message is not the only way: a customer back days later (on
    KakaoTalk that message's buttons are long gone; a staff member added since never had it)
    is refunded from the day's takings, after a question, as long as the 7 days last."""
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK, CHOI))
    await register_shop(harness)
    code = await shop_code(harness)
    for bill in ("19800", "10000"):
        await harness.send(PARK, f"가게 {code}")
        await harness.send(PARK, bill)
        await harness.tap(PARK, harness.button_data(PARK, "보내기"))
    day = clock.now().strftime("%Y-%m-%d")
    await harness.send(LEE, "/shop")
    await harness.tap(LEE, harness.button_data(LEE, "직원"))
    await harness.tap(LEE, harness.button_data(LEE, "직원 추가"))
    await harness.send(LEE, "#4")  # CHOI, staff from now on
    clock.advance(timedelta(days=3))
    await harness.send(CHOI, f"/takings {day}")  # CHOI reads English on Telegram
    asked = said(await harness.tap(CHOI, harness.button_data(CHOI, "#3 4,000")))
    assert "#3 박민지" in asked and "4,000" in asked and "10,000" in asked
    assert await count_rows(harness.services, "transfers") == 2  # nothing yet: a question
    done = said(await harness.tap(CHOI, _data(harness.last_message_to(CHOI), "mpay:rf:")))
    assert "4,000" in done
    assert "환불" in plain_text(harness.last_message_to(PARK).text)
    assert "잔액: -7,900문" in said(await harness.send(PARK, "/balance"))
    # refunded: no button for it any more; past the 7 days: none for the other either
    takings = await harness.send(CHOI, f"/takings {day}")
    left = _refunds(takings)
    assert len(left) == 1 and "#3 7,900" in left[0]
    old_button = next(data for call in takings for _, data in call.buttons
                      if data.startswith("mpay:rq:"))
    clock.advance(timedelta(days=4, seconds=1))
    assert _refunds(await harness.send(CHOI, f"/takings {day}")) == []
    # its button, kept from before, now says why instead of asking
    refused = await harness.tap(CHOI, old_button)
    assert any(word in said(refused) for word in ("7일 안에만", "within 7 days"))
    assert not [data for call in refused for _, data in call.buttons if data.startswith("mpay:rf:")]
    assert (await harness.services.verify()).ok


def _data(call, prefix: str) -> str:
    return next(data for _, data in call.buttons if data.startswith(prefix))


def _refunds(calls) -> list[str]:
    """The labels of the takings' refund buttons."""
    return [label for call in calls for label, data in call.buttons
            if data.startswith("mpay:rq:")]
