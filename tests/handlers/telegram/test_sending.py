"""Edits sent without reading Telegram's answer back (handlers/telegram/sending.py): a refused
edit still reaches the member, an unchanged one is left alone, and what was sent is exactly
the Bot API's JSON (HTML, the same buttons)."""

from tests.conftest import LEE, PARK
from tests.support import texts


async def _pay_preview(harness) -> str:
    await harness.services.membership.create_community(code="mapo", name="마포 품앗이",
                                                       credit_floor=-300_000, approval="auto")
    await harness.join(LEE, "mapo")
    await harness.join(PARK, "mapo")
    calls = await harness.send(LEE, "/pay #2 500")
    preview = next(c for c in calls if c.method == "sendMessage")
    assert preview.params["parse_mode"] == "HTML"
    assert [label for label, _ in preview.buttons if "보내기" in label] == ["✅ 보내기"]
    return harness.button_data(LEE, "보내기")


def _refuse_edits(harness, description: str) -> None:
    harness.api.fail("editMessageText", lambda call: (400, {
        "ok": False, "error_code": 400, "description": f"Bad Request: {description}"}))


async def test_an_edit_telegram_refuses_is_sent_as_a_new_message(harness):
    confirm = await _pay_preview(harness)
    _refuse_edits(harness, "message to edit not found")
    calls = await harness.tap(LEE, confirm)
    sent = [c for c in calls if c.method == "sendMessage" and c.chat_id == LEE.id]
    assert len(sent) == 1 and "보냈어요" in sent[0].text
    assert "-500문" in texts(await harness.send(LEE, "/balance"))


async def test_an_edit_that_changes_nothing_is_not_sent_again(harness):
    confirm = await _pay_preview(harness)
    _refuse_edits(harness, "message is not modified")
    calls = await harness.tap(LEE, confirm)
    assert not [c for c in calls if c.method == "sendMessage" and c.chat_id == LEE.id]
    assert "-500문" in texts(await harness.send(LEE, "/balance"))
