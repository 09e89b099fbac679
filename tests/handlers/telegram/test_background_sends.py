"""The payer's answer never waits for the payee's notification, and a clean stop sends every
notification still on its way."""

from __future__ import annotations

import asyncio

from bot.app import close, finish_background_sends
from bot.fake_api import FakeBotApi
from handlers.telegram.background import background_of
from tests.conftest import KIM, LEE
from tests.support import BotHarness, texts


class GatedApi(FakeBotApi):
    """Holds every message to one chat until the gate opens."""

    def __init__(self) -> None:
        super().__init__()
        self.gated_chat: int | None = None
        self.gate = asyncio.Event()
        self.held = asyncio.Event()

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        params = dict(request_data.parameters) if request_data else {}
        if (url.endswith("/sendMessage") and self.gated_chat is not None
                and str(params.get("chat_id")) == str(self.gated_chat)):
            self.held.set()
            await self.gate.wait()
        return await super().do_request(url, method, request_data, *args, **kwargs)


async def test_the_payer_is_answered_while_the_payee_notification_is_still_sending(tmp_path):
    api = GatedApi()
    harness = await BotHarness.start(tmp_path / "bot.db", api=api)
    stopped = False
    try:
        services = harness.services
        await services.membership.create_community(code="mapo", name="마포 품앗이",
                                                   approval="auto", credit_floor=-300_000)
        await harness.join(KIM, "mapo")
        await harness.join(LEE, "mapo")
        await harness.send(LEE, "/pay #1 500")
        confirm = harness.updates.callback(LEE, harness.button_data(LEE, "보내기"))
        before = len(api.calls)
        api.gated_chat = KIM.id

        # Before: the update's processing waited for the payee's message and never ended.
        await asyncio.wait_for(harness.application.process_update(confirm), timeout=5)

        await asyncio.wait_for(api.held.wait(), timeout=5)  # KIM's message is on its way …
        assert not [c for c in api.sent_to(KIM.id) if "들어왔어요" in c.text]
        answered = api.calls[before:]
        assert "보냈어요" in texts([c for c in answered if c.chat_id == LEE.id])  # … LEE's done
        assert background_of(harness.application).pending == 1

        # A clean stop (post_shutdown) waits for it instead of dropping it.
        closing = asyncio.create_task(close(harness.application))
        await asyncio.sleep(0.05)
        assert not closing.done()
        api.gate.set()
        await asyncio.wait_for(closing, timeout=5)
        stopped = True
        told = [c for c in api.sent_to(KIM.id) if "들어왔어요" in c.text]
        assert len(told) == 1 and "500문" in told[0].text
        assert background_of(harness.application).pending == 0
    finally:
        api.gate.set()
        if not stopped:
            await close(harness.application)
        await harness.application.shutdown()


async def test_run_polling_sends_what_is_pending_while_the_bot_can_still_send(harness):
    """run_polling calls post_stop before it shuts the bot's connection down, and
    post_shutdown only after: the pending sends are awaited in the first."""
    assert harness.application.post_stop is finish_background_sends
