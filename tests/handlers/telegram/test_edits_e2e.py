"""Edited messages are not read: an edited command must not run again."""

from __future__ import annotations

from tests.conftest import KIM, LEE, PARK
from tests.support import count_rows, open_community, texts

NOTE = "수정한 메시지는 읽지 않아요"


async def community(harness):
    await open_community(harness, KIM, (LEE, PARK))


async def test_an_edited_pay_sends_no_new_preview(harness):
    await community(harness)
    calls = await harness.send(LEE, "/pay #3 50000")
    assert "50,000문" in texts(calls)
    requests = await count_rows(harness.services, "trade_requests")

    calls = await harness.edit(LEE, "/pay #3 5000")

    assert texts(calls).count(NOTE) == 1  # one short note, nothing else
    assert "5,000문" not in texts(calls) and "50,000문" not in texts(calls)
    assert not [c for c in calls if c.buttons]
    assert await count_rows(harness.services, "trade_requests") == requests
    # The original preview still works, for the amount first written.
    await harness.tap(LEE, harness.button_data(LEE, "보내기"))
    assert "잔액: <b>-50,000문</b>" in texts(await harness.send(LEE, "/balance"))


async def test_an_edited_reverse_reverses_nothing_more(harness):
    await community(harness)
    for amount in ("700", "800"):
        await harness.send(LEE, f"/pay #3 {amount}")
        await harness.tap(LEE, harness.button_data(LEE, "보내기"))
    await harness.send(KIM, "/reverse T1 두 번 보냄")
    assert "되돌렸어요" in texts(await harness.tap(KIM, harness.button_data(KIM, "되돌리기")))
    transfers = await count_rows(harness.services, "transfers")

    calls = await harness.edit(KIM, "/reverse T2 두 번 보냄")

    assert NOTE in texts(calls)
    assert await count_rows(harness.services, "transfers") == transfers == 3
    assert "잔액: <b>-800문</b>" in texts(await harness.send(LEE, "/balance"))


async def test_edited_plain_text_and_group_commands_do_nothing(harness):
    await community(harness)
    await harness.send(LEE, "안녕하세요")
    calls = await harness.edit(LEE, "박민지한테 5천원 보내줘")
    assert texts(calls).count(NOTE) == 1 and not [c for c in calls if c.buttons]
    # In a group chat an edit is ignored without a word.
    await harness.send(KIM, "/link", chat_id=-100123)
    calls = await harness.edit(KIM, "/link mapo", chat_id=-100123)
    assert calls == []


def test_no_flow_takes_an_edit_except_the_note(harness):
    """Every edit, whatever it says and wherever it was sent, reaches only the note: the
    Telegram adapter hands edits to the conversation, whose routes send them nowhere else."""
    from conversation.routes import ROUTES, edited_message
    from handlers.telegram.adapter import event_from_update

    edits = [harness.updates.edited_message(LEE, 1, "/pay #3 5000"),
             harness.updates.edited_message(LEE, 1, "/reverse T2 두 번 보냄"),
             harness.updates.edited_message(LEE, 1, "박민지한테 5천원 보내줘"),
             harness.updates.edited_message(LEE, 1, "/link", chat_id=-100123)]
    for update in edits:
        event = event_from_update(update, "pumasi_bot")
        assert event is not None and event.edited
        assert ROUTES.flow_for(event) is edited_message
