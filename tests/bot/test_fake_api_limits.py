"""The fake Bot API answers like Telegram to what Telegram refuses, and the suite notices."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram.error import BadRequest

from bot.fake_api import FakeBotApi

pytest_plugins = ["pytester"]


async def test_refused_call_answers_400_and_is_not_recorded_as_sent(harness):
    bot = harness.application.bot
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(101, "가" * 4097)
    with pytest.raises(BadRequest, match="(?i)unsupported start tag"):
        await bot.send_message(101, "안녕<br>하세요")
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(101, "ok", reply_markup={"inline_keyboard": [[
            {"text": "a", "callback_data": "x" * 65}]]})
    assert not [call for call in harness.api.calls if call.method == "sendMessage"]
    refused = harness.api.acknowledge_rejections()
    assert [r.description for r in refused] == [
        "Bad Request: message is too long",
        "Bad Request: can't parse entities: Unsupported start tag \"br\" at byte offset 6",
        "Bad Request: BUTTON_DATA_INVALID",
    ]
    assert refused[0].call.params["parse_mode"] == "HTML"  # what the app's Defaults set
    await bot.send_message(101, "가" * 4096)
    assert harness.api.calls[-1].text == "가" * 4096
    assert harness.api.acknowledge_rejections() == []


async def test_enforcement_can_be_switched_off_for_a_fake_of_its_own():
    api = FakeBotApi(enforce_limits=False)
    status, _ = await api.do_request("http://x/bot1:t/sendMessage", "POST")
    assert status == 200 and api.rejected == []


GUARDED = """
import pytest
from telegram.error import BadRequest


async def test_refused_and_unnoticed(harness):
    with pytest.raises(BadRequest):
        await harness.application.bot.send_message(101, "1 < 2")


async def test_refused_and_expected(harness):
    with pytest.raises(BadRequest):
        await harness.application.bot.send_message(101, "1 < 2")
    assert len(harness.api.acknowledge_rejections()) == 1


async def test_accepted(harness):
    await harness.application.bot.send_message(101, "1 &lt; 2")
"""


def test_a_refusal_nobody_expected_fails_its_test(pytester, monkeypatch):
    root = Path(__file__).resolve().parents[2]
    pytester.makeconftest((root / "tests" / "conftest.py").read_text())
    pytester.makepyfile(test_guarded=GUARDED)
    monkeypatch.setenv("PYTHONPATH", str(root))
    # In a process of its own, so this test's own guard does not see the inner fakes.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", "asyncio_mode=auto",
                                           "-o", "asyncio_default_fixture_loop_scope=function")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_refused_and_unnoticed*",
                                 "*Telegram would refuse what the bot sent*",
                                 '*Unsupported start tag "" at byte offset 2*'])


def test_the_http_emulator_refuses_like_telegram_too():
    import json
    import urllib.error
    import urllib.request

    from tests.emulator import BotApiEmulator

    emulator = BotApiEmulator()
    emulator.start()
    try:
        body = json.dumps({"chat_id": 1, "text": "<foo>", "parse_mode": "HTML"}).encode()
        request = urllib.request.Request(f"{emulator.base_url}1:t/sendMessage", data=body,
                                         headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 400
        assert json.loads(refused.value.read())["description"] == (
            "Bad Request: can't parse entities: Unsupported start tag \"foo\" at byte offset 0")
    finally:
        emulator.stop()
    assert emulator.calls == []
    assert len(emulator.acknowledge_rejections()) == 1
