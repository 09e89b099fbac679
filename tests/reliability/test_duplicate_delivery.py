"""Telegram delivers at least once: replaying every update changes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from handlers.telegram.outbox import drain
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.support import ADMIN, BotHarness

STATE_TABLES = ("communities", "memberships", "accounts", "transfers", "movements",
                "trade_requests", "posts", "audit_log", "dialogs", "events", "event_signups",
                "reminders", "notices", "outbox")


async def snapshot(harness: BotHarness) -> dict[str, list[tuple]]:
    state = {}
    async with harness.services.db.read() as conn:
        for table in STATE_TABLES:
            async with conn.execute(f"SELECT * FROM {table} ORDER BY 1") as cursor:
                state[table] = [tuple(row) for row in await cursor.fetchall()]
        async with conn.execute("SELECT id, locale, current_community_id FROM people") as cur:
            state["people"] = [tuple(row) for row in await cur.fetchall()]
    return state


async def scenario(harness: BotHarness) -> None:
    await harness.send(ADMIN, "/newcommunity mapo 마포 품앗이 floor=-300000 approval=auto")
    await harness.services.membership.add_coordinator(
        code="mapo", channel="telegram", external_id=str(KIM.id))
    for user in (LEE, PARK, CHOI):
        await harness.join(user, "mapo")
    await harness.send(LEE, "/offer")
    await harness.tap(LEE, "dlg:cat:food")
    await harness.send(LEE, "반찬 나눠요")
    await harness.send(LEE, "멸치볶음")
    await harness.send(LEE, "3천")
    await harness.tap(LEE, "dlg:skip")
    await harness.tap(LEE, "dlg:publish")
    await harness.send(PARK, "/market")
    await harness.tap(PARK, "post:trade:1")
    await harness.tap(PARK, harness.button_data(PARK, "보내기"))
    await harness.send(LEE, "/charge #4 2천 간식")
    await harness.tap(PARK, harness.button_data(PARK, "수락"))
    await harness.send(CHOI, "/charge #4 1000")
    await harness.tap(PARK, harness.button_data(PARK, "거절"))
    await harness.send(PARK, "/pay #5 700 점심")
    await harness.tap(PARK, harness.button_data(PARK, "보내기"))
    await harness.send(KIM, "/reverse T3 잘못 보냄")
    await harness.tap(KIM, harness.button_data(KIM, "되돌리기"))
    await harness.tap(LEE, "post:close:1")
    await harness.send(CHOI, "/lang")
    await harness.tap(CHOI, "lang:ko")
    await harness.send(LEE, "/balance")
    # a study session with a fee and a reward: sign-ups, a cancellation, check-in
    await harness.send(KIM, "/newevent")
    await harness.tap(KIM, "evd:kind:study")
    for text in ("품앗이 학당", "3월 20일 오후 2시", "2시간", "마포구청", "김선생", "5", "1000",
                 "2000"):
        await harness.send(KIM, text)
    for data in ("evd:ori:0", "evd:aud:community", "evd:save"):
        await harness.tap(KIM, data)
    await harness.tap(LEE, "ev:join:1")
    await harness.tap(PARK, "ev:join:1")
    await harness.tap(PARK, "ev:leave:1")
    await harness.tap(KIM, "ev:chk:1")
    code = harness.last_message_to(KIM).text.split("/checkin ")[1][:4]
    harness.clock.advance(datetime(2026, 3, 20, 5, 0, tzinfo=UTC) - harness.clock.now())
    await harness.send(LEE, f"/checkin {code}")
    # a notice to everyone
    await harness.send(KIM, "/notice")
    await harness.send(KIM, "토요일 대청소")
    for data in ("ntc:aud:all", "ntc:urg:0", "ntc:send:go"):
        await harness.tap(KIM, data)
    await drain(harness.application)



async def replay_every_update(harness) -> None:
    """Every update the harness has processed, again: once alone, then twice at once."""
    for update in list(harness.history):
        await harness.application.process_update(update)
        await asyncio.gather(harness.application.process_update(update),
                             harness.application.process_update(update))
    await harness.settle()

async def test_replaying_every_update_twice_changes_nothing(harness):
    await scenario(harness)
    before = await snapshot(harness)
    assert len(before["transfers"]) == 4 + 4  # trades, a correction, 2 fees, a refund, a reward
    assert len(before["posts"]) == 1 and len(before["events"]) == 1
    assert len(before["notices"]) == 1 and len(before["outbox"]) == 5
    sent_before = len(harness.api.calls)

    await replay_every_update(harness)
    await drain(harness.application)

    assert await snapshot(harness) == before
    replies = harness.api.calls[sent_before:]
    # Only the read-only /market, /balance and /lang, which changed nothing, are answered again.
    assert {call.chat_id for call in replies if call.method == "sendMessage"} == {
        PARK.id, LEE.id, CHOI.id}
    assert all(any(word in call.text for word in ("장터", "잔액", "언어를 골라"))
               for call in replies if call.method == "sendMessage")
    assert not [c for c in replies if "대청소" in c.text]  # the notice went out once
    assert not [c for c in replies if "들어왔어요" in c.text or "요청했어요" in c.text]
    assert (await harness.services.verify()).ok


async def test_same_callback_concurrently_from_many_copies(harness):
    await scenario(harness)
    await harness.send(LEE, "/charge #4 100")
    accept = harness.updates.callback(PARK, harness.button_data(PARK, "수락"))
    copies = [accept] * 10
    await asyncio.gather(*(harness.application.process_update(u) for u in copies))
    await harness.settle()
    async with harness.services.db.read() as conn, conn.execute(
        "SELECT COUNT(*) FROM transfers WHERE amount = 100") as cursor:
        assert (await cursor.fetchone())[0] == 1


SHOP_TABLES = ("organisations", "organisation_staff", "organisation_old_codes",
               "merchant_payments", "transfers", "accounts", "audit_log", "dialogs")


async def test_replaying_a_shops_updates_changes_nothing(harness):
    """A shop applied for and approved, a bill paid (staff told), refunded, its code changed:
    every update again, one after the other and two at once, moves nothing and tells no one."""
    from tests.conversation.test_merchant_scenarios import register_shop
    from tests.support import open_community

    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT short_code FROM organisations") as cursor:
        code = (await cursor.fetchone())[0]
    await harness.send(PARK, f"가게 {code}")
    await harness.send(PARK, "19800")
    await harness.tap(PARK, harness.button_data(PARK, "보내기"))
    await harness.tap(LEE, harness.button_data(LEE, "환불"))
    await harness.send(LEE, "/shop")
    await harness.tap(LEE, "shm:rot:1")
    await harness.tap(LEE, harness.button_data(LEE, "코드를 바꿀게요"))
    await harness.settle()

    async def state():
        found = {}
        async with harness.services.db.read() as conn:
            for table in SHOP_TABLES:
                async with conn.execute(f"SELECT * FROM {table} ORDER BY 1") as cursor:
                    found[table] = [tuple(row) for row in await cursor.fetchall()]
        return found

    before = await state()
    assert len(before["transfers"]) == 2 and len(before["organisation_old_codes"]) == 1
    sent_before = len(harness.api.calls)
    await replay_every_update(harness)
    assert await state() == before
    told = [call for call in harness.api.calls[sent_before:] if call.method == "sendMessage"
            and ("받음" in call.text or "환불" in call.text or "승인" in call.text)]
    assert not told, [call.text for call in told]
    assert (await harness.services.verify()).ok
