"""The real bot, polling over HTTP, against a Bot API emulator on 127.0.0.1."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.app import build_application, prepare
from bot.updates import UpdateFactory
from tests.conftest import LEE, PARK
from tests.emulator import BotApiEmulator
from tests.support import settings_for


async def test_pay_and_confirm_over_http(tmp_path, clock):
    emulator = BotApiEmulator()
    emulator.start()
    settings = replace(settings_for(tmp_path / "http.db"), api_base_url=emulator.base_url)
    application = build_application(settings, clock=clock)
    try:
        async with application:
            await prepare(application)
            services = application.bot_data["services"]
            await services.membership.create_community(code="mapo", name="마포 품앗이",
                                                       credit_floor=-300_000, approval="auto")
            await application.start()
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            factory = UpdateFactory(application.bot)
            wait = asyncio.to_thread

            for user in (LEE, PARK):
                emulator.push(factory.message_dict(user, "/join mapo"))
                _, notice = await wait(emulator.wait_for, lambda m, p, u=user: m == "sendMessage"
                                       and int(p["chat_id"]) == u.id
                                       and "개인정보" in p["text"])
                agree = notice["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                emulator.push(factory.callback_dict(user, agree, message_id=400 + user.id))
                await wait(emulator.wait_for, lambda m, p, u=user: m == "sendMessage"
                           and int(p["chat_id"]) == u.id and "환영해요" in p["text"])

            emulator.push(factory.message_dict(LEE, "/pay #2 5천 떡값"))
            _, preview = await wait(emulator.wait_for, lambda m, p: m == "sendMessage"
                                    and "보낼 내용" in p.get("text", ""))
            confirm = preview["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            emulator.push(factory.callback_dict(LEE, confirm, message_id=501))
            await wait(emulator.wait_for, lambda m, p: m == "editMessageText"
                       and "보냈어요" in p.get("text", ""))
            await wait(emulator.wait_for, lambda m, p: m == "sendMessage"
                       and int(p["chat_id"]) == PARK.id and "금액이 들어왔어요" in p["text"])
            await wait(emulator.wait_for, lambda m, p: m == "answerCallbackQuery")

            lee = await services.people.resolve("telegram", str(LEE.id), LEE.first_name)
            assert (await services.ledger.balance(lee)).balance == -5000
            assert (await services.verify()).ok
            commands = [p for m, p in emulator.calls if m == "setMyCommands"]
            assert {p.get("language_code") for p in commands} >= {"ko", "en"}

            await application.updater.stop()
            await application.stop()
            await application.post_shutdown(application)
    finally:
        emulator.stop()
