"""Dialog state and pending requests survive a restart of the bot process."""

from tests.conftest import KIM, LEE, PARK
from tests.support import BotHarness, count_rows, texts


async def test_dialog_continues_after_restart(tmp_path, clock):
    db = tmp_path / "bot.db"
    first = await BotHarness.start(db, clock)
    await first.services.membership.create_community(code="mapo", name="마포 품앗이",
                                                     credit_floor=-300_000, approval="auto")
    await first.join(LEE, "mapo")
    await first.send(LEE, "/request")
    await first.tap(LEE, "dlg:cat:care")
    await first.send(LEE, "아이 돌봄 구해요")
    await first.stop()

    second = await BotHarness.start(db, clock)
    try:
        calls = await second.send(LEE, "화요일 오후 2시간")  # the description step, after restart
        assert "가격은 얼마예요" in texts(calls)
        await second.tap(LEE, "dlg:nego")
        await second.tap(LEE, "dlg:skip")
        calls = await second.tap(LEE, "dlg:publish")
        assert "올렸어요" in texts(calls) and "가격 협의" in texts(calls)
        await second.join(KIM, "mapo")
        assert "아이 돌봄 구해요" in texts(await second.send(KIM, "/market"))
    finally:
        await second.stop()


async def test_confirm_after_restart_and_after_a_lost_reply(tmp_path, clock):
    """The reply to a Confirm can be lost after the commit; tapping again says it's done."""
    db = tmp_path / "bot.db"
    first = await BotHarness.start(db, clock)
    await first.services.membership.create_community(code="mapo", name="마포 품앗이",
                                                     credit_floor=-300_000, approval="auto")
    await first.join(LEE, "mapo")
    await first.join(PARK, "mapo")
    await first.send(LEE, "/pay #2 500")
    confirm = first.button_data(LEE, "보내기")
    first.api.fail("editMessageText", lambda call: (500, {"ok": False, "error_code": 500,
                                                         "description": "Internal"}))
    await first.tap(LEE, confirm)  # committed, but the edited message never arrives
    await first.stop()

    second = await BotHarness.start(db, clock)
    try:
        calls = await second.tap(LEE, confirm)
        assert "보냈어요" in texts(calls)
        assert await count_rows(second.services, "transfers") == 1
        assert "-500문" in texts(await second.send(LEE, "/balance"))
    finally:
        await second.stop()
