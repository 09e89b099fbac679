"""A double tap on the last button of a dialog (two updates with different ids, one after the
other or at the same moment) creates the thing once; the second tap is told it's done."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from handlers.telegram.outbox import drain
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.support import alerts, count_rows, open_community


async def community(harness):
    await open_community(harness, KIM, (LEE, PARK, CHOI))


async def notice_ready(harness):
    await harness.send(KIM, "/notice")
    await harness.send(KIM, "토요일 대청소")
    await harness.tap(KIM, "ntc:aud:all")
    await harness.tap(KIM, "ntc:urg:0")
    return "ntc:send:go", "notices"


async def post_ready(harness):
    await harness.send(KIM, "/offer")
    await harness.tap(KIM, "dlg:cat:goods")
    await harness.send(KIM, "책장 나눔")
    await harness.tap(KIM, "dlg:skip")
    await harness.tap(KIM, "dlg:nego")
    await harness.tap(KIM, "dlg:skip")
    return "dlg:publish", "posts"


async def event_ready(harness):
    await harness.send(KIM, "/newevent")
    await harness.tap(KIM, "evd:kind:study")
    for text in ("품앗이 학당", "3월 14일 오후 3시", "2시간", "마포구청", "김선생", "5"):
        await harness.send(KIM, text)
    for data in ("evd:skip", "evd:skip", "evd:ori:0"):  # no fee, no reward
        await harness.tap(KIM, data)
    await harness.tap(KIM, "evd:aud:community")
    return "evd:save", "events"


async def shop_ready(harness):
    await harness.send(KIM, "/shop")
    await harness.send(KIM, "마포 떡집")
    for _ in range(6):  # category, address, hours, map, phone, photo
        await harness.tap(KIM, "sha:skip")
    await harness.send(KIM, "40")
    await harness.tap(KIM, "sha:skip")  # no cap
    await harness.tap(KIM, "sha:r:100")
    return "sha:save", "organisations"


DIALOGS = {"notice": notice_ready, "post": post_ready, "event": event_ready,
           "shop": shop_ready}


@pytest.mark.parametrize("concurrent", [False, True], ids=["in_a_row", "at_once"])
@pytest.mark.parametrize("dialog", list(DIALOGS))
async def test_final_button_tapped_twice_creates_once(harness, dialog, concurrent):
    await community(harness)
    final, table = await DIALOGS[dialog](harness)
    before = len(harness.api.calls)
    taps = [harness.updates.callback(KIM, final) for _ in range(2)]
    assert taps[0].update_id != taps[1].update_id
    if concurrent:
        await asyncio.gather(*(harness.application.process_update(tap) for tap in taps))
    else:
        for tap in taps:
            await harness.application.process_update(tap)
    await harness.settle()
    await drain(harness.application)
    assert await count_rows(harness.services, table) == 1
    answers = alerts(harness.api.calls[before:])
    # The second tap is told: at once it finds the dialog just consumed ("already done");
    # in a row it finds no dialog at all ("this step is over").
    told = "이미 처리했어요" if concurrent else "이미 지난 단계예요"
    assert any(told in answer for answer in answers), answers
    if dialog == "notice":
        received = Counter(c.chat_id for c in harness.api.calls
                           if c.method == "sendMessage" and "토요일 대청소" in c.text)
        assert received == Counter({KIM.id: 1, LEE.id: 1, PARK.id: 1, CHOI.id: 1})
        assert await count_rows(harness.services, "outbox") == 4


async def test_the_agreed_amount_for_a_negotiable_post_sent_twice_at_once_asks_once(harness):
    """Paying for a post whose price is negotiable ends with a typed amount; two messages
    arriving together open one payment preview, not two."""
    await community(harness)
    await post_ready(harness)
    await harness.tap(KIM, "dlg:publish")
    await harness.tap(LEE, "post:trade:1")
    before = len(harness.api.calls)
    await asyncio.gather(harness.send(LEE, "5000"), harness.send(LEE, "5000"))
    assert await count_rows(harness.services, "trade_requests") == 1
    said = " ".join(c.text for c in harness.api.calls[before:])
    assert "이미 처리했어요" in said
