"""Several bot processes on one PostgreSQL database (`pumasi serve` in subprocesses, each
against its own Bot API emulator, so every message is known by the process that sent it):
only the holder of the jobs lease drains the outbox; when it is killed with SIGKILL another
takes the lease over within a minute and every outbox row is sent exactly once or, if it
was in flight at the kill, marked uncertain and never sent again; one update delivered to
two processes at once is committed once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from bot.fake_api import BOT_USER
from bot.updates import UpdateFactory
from bot.web import SECRET_HEADER, WEBHOOK_PATH
from core.notices import NoticeDraft
from core.services import Services
from handlers.telegram.outbox import WORKERS
from tests.conftest import KIM, LEE
from tests.emulator import BotApiEmulator
from tests.support import count_rows, seed_community

pytestmark = pytest.mark.postgres_only

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_URL = "https://pumasi.example.org"
TOKEN = "123456:TEST"
LEASE_SECONDS = "1"
NOTICE = "토요일 대청소 안내"
MEMBERS = 150


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SlowEmulator(BotApiEmulator):
    """Telegram taking a moment per message, so a kill lands among sends in flight."""

    def __init__(self, delay: float = 0.02) -> None:
        super().__init__()
        self.delay = delay

    def _answer(self, method, params):
        if method == "sendMessage":
            time.sleep(self.delay)
        return super()._answer(method, params)

    def texts_to(self, part: str) -> list[int]:
        """The chats sent a message holding `part`, once per message."""
        return [int(params["chat_id"]) for method, params in list(self.calls)
                if method == "sendMessage" and part in params.get("text", "")]


class BotProcess:
    """`python -m bot serve` on `db_url` with the jobs lease asked for every second;
    webhook mode unless `polling`."""

    def __init__(self, tmp_path: Path, name: str, db_url: str, *, polling: bool = False,
                 delay: float = 0.02) -> None:
        self.name = name
        self.emulator = SlowEmulator(delay)
        self.emulator.start()
        self.port = free_port()
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("TELEGRAM_", "PUMASI_", "KAKAO_"))}
        env.update(PORT=str(self.port), PUMASI_DB=db_url, PUMASI_HOST="127.0.0.1",
                   TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=self.emulator.base_url,
                   PUMASI_JOBS_LEASE_SECONDS=LEASE_SECONDS, PYTHONPATH=str(ROOT))
        if not polling:
            env["PUMASI_PUBLIC_URL"] = PUBLIC_URL
        self.log = tmp_path / f"{name}.log"
        self._log = self.log.open("wb")
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=tmp_path,
                                        env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.name} did not become healthy:\n" + self.log.read_text())

    def took_lease(self) -> bool:
        return "took the jobs lease" in self.log.read_text()

    def secret(self) -> str:
        _, hook = self.emulator.wait_for(lambda m, p: m == "setWebhook")
        return hook["secret_token"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        self.emulator.stop()


def wait_until(predicate, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(0.05)
    return time.monotonic() - started


async def outbox_states(services: Services) -> dict[int, str]:
    async with services.db.read() as conn, conn.execute(
            "SELECT chat_id, state FROM outbox") as cursor:
        return {int(row[0]): row[1] for row in await cursor.fetchall()}


async def test_only_the_leader_drains_and_another_takes_over_after_sigkill(
        db_target, tmp_path, record_property):
    services = await Services.open(db_target)
    processes: list[BotProcess] = []
    try:
        actors = await seed_community(services, members=MEMBERS)
        leader = BotProcess(tmp_path, "leader", db_target)
        processes.append(leader)
        leader.wait_healthy()
        assert leader.took_lease()
        # A process polling Telegram beside the webhook ones follows the same lease.
        follower = BotProcess(tmp_path, "follower", db_target, polling=True)
        processes.append(follower)
        follower.wait_healthy()
        assert not follower.took_lease()

        await services.notices.send(actors[0], NoticeDraft(NOTICE, "all"), message=NOTICE)
        rows = await count_rows(services, "outbox")
        assert rows == MEMBERS
        wait_until(lambda: len(leader.emulator.texts_to(NOTICE)) >= 30, 30, "the leader's sends")
        assert follower.emulator.texts_to(NOTICE) == []  # only the lease holder drains

        leader.process.send_signal(signal.SIGKILL)
        leader.process.wait(10)
        # A request the kill cut off reaches the emulator with no body; that is no refusal.
        assert all(not r.call.params for r in leader.emulator.acknowledge_rejections())
        sent_by_leader = Counter(leader.emulator.texts_to(NOTICE))
        takeover = wait_until(lambda: follower.emulator.texts_to(NOTICE), 60,
                              "the follower to take over")
        assert takeover < 60 and follower.took_lease()

        async def settled() -> dict[int, str]:
            for _ in range(600):
                states = await outbox_states(services)
                if not {"pending", "sending"} & set(states.values()):
                    return states
                await asyncio.sleep(0.1)
            raise AssertionError(f"the outbox never settled: {Counter(states.values())}")

        states = await settled()
        sent_by_follower = Counter(follower.emulator.texts_to(NOTICE))
        everywhere = sent_by_leader + sent_by_follower
        assert max(everywhere.values()) == 1, "a member got the notice twice"
        uncertain = [chat for chat, state in states.items() if state == "uncertain"]
        assert set(states.values()) <= {"sent", "uncertain"}
        assert len(uncertain) <= WORKERS  # at most the sends in flight at the kill
        assert not [chat for chat in uncertain if chat in sent_by_follower]
        assert all(everywhere[chat] == 1 for chat, state in states.items() if state == "sent")
        assert len(states) == MEMBERS
        async with services.db.read() as conn, conn.execute(
                "SELECT status FROM notices") as cursor:
            assert [row[0] for row in await cursor.fetchall()] == ["done"]
        record_property("summary", (
            f"two processes: leader killed after {sum(sent_by_leader.values())} sends, "
            f"follower took over in {takeover:.1f} s and sent "
            f"{sum(sent_by_follower.values())}, {len(uncertain)} uncertain, none twice"))
    finally:
        for process in processes:
            process.stop()
        await services.close()


async def test_a_process_starting_beside_a_sending_leader_leaves_its_rows_alone(db_target,
                                                                               tmp_path):
    """The start-up recovery (rows left 'sending' become 'uncertain') runs only on taking
    the lease: a process started while the leader is sending does not touch its rows."""
    services = await Services.open(db_target)
    processes: list[BotProcess] = []
    try:
        actors = await seed_community(services, members=MEMBERS)
        # A slow Telegram: about 8 sends a second, each of the 8 workers' rows 'sending' for
        # a second, so the drain lasts far longer than the second process takes to start.
        leader = BotProcess(tmp_path, "leader", db_target, delay=1.0)
        processes.append(leader)
        leader.wait_healthy()
        await services.notices.send(actors[0], NoticeDraft(NOTICE, "all"), message=NOTICE)
        wait_until(lambda: len(leader.emulator.texts_to(NOTICE)) >= 10, 30, "the leader's sends")
        late = BotProcess(tmp_path, "late", db_target)
        processes.append(late)
        late.wait_healthy()
        assert len(leader.emulator.texts_to(NOTICE)) < MEMBERS  # it came in mid-drain
        wait_until(lambda: len(leader.emulator.texts_to(NOTICE)) == MEMBERS, 90, "every send")
        for _ in range(100):
            states = await outbox_states(services)
            if set(states.values()) == {"sent"}:
                break
            await asyncio.sleep(0.1)
        assert Counter(states.values()) == {"sent": MEMBERS}
        assert late.emulator.texts_to(NOTICE) == []
        assert Counter(leader.emulator.texts_to(NOTICE)).most_common(1)[0][1] == 1
    finally:
        for process in processes:
            process.stop()
        await services.close()


async def test_one_update_delivered_to_two_processes_commits_once(db_target, tmp_path):
    """Telegram may hand the same update to two processes (a retried webhook landing on
    another one): a /pay message, its confirm tap, a /charge and its accept tap, each
    delivered to both at once, are each committed once and answered once, without an error."""
    services = await Services.open(db_target)
    processes: list[BotProcess] = []
    try:
        await seed_community(services, members=3)
        first = BotProcess(tmp_path, "first", db_target)
        processes.append(first)
        second = BotProcess(tmp_path, "second", db_target)
        processes.append(second)
        first.wait_healthy()
        second.wait_healthy()
        updates = UpdateFactory(SimpleNamespace(id=BOT_USER["id"]))  # type: ignore[arg-type]
        headers = {SECRET_HEADER: first.secret()}
        assert second.secret() == headers[SECRET_HEADER]

        def sent(method: str, chat: int, part: str = "") -> list[dict]:
            return [params for process in processes
                    for name, params in list(process.emulator.calls)
                    if name == method and int(params.get("chat_id", 0)) == chat
                    and part in params.get("text", "")]

        def button(params: dict, label: str) -> str:
            [data] = [button["callback_data"]
                      for row in params["reply_markup"]["inline_keyboard"]
                      for button in row if label in button["text"]]
            return data

        async with httpx.AsyncClient(timeout=30, headers=headers) as client:

            async def to_both(update: dict) -> None:
                answers = await asyncio.gather(client.post(first.url + WEBHOOK_PATH, json=update),
                                               client.post(second.url + WEBHOOK_PATH, json=update))
                assert [answer.status_code for answer in answers] == [200, 200]

            await to_both(updates.message_dict(KIM, "/pay #2 5천 떡값"))
            previews = sent("sendMessage", KIM.id)
            assert len(previews) == 1, "one preview, not one per process"
            preview = previews[0]
            assert await count_rows(services, "trade_requests") == 1
            await to_both(updates.callback_dict(KIM, button(preview, "보내기")))
            await to_both(updates.message_dict(LEE, "/charge #1 2천 간식"))
            wait_until(lambda: sent("sendMessage", KIM.id, "요청했어요"), 10, "the charge")
            asked = sent("sendMessage", KIM.id, "요청했어요")[0]
            await to_both(updates.callback_dict(KIM, button(asked, "수락")))
        assert await count_rows(services, "trade_requests") == 2
        async with services.db.read() as conn, conn.execute(
                "SELECT request_id, amount FROM transfers ORDER BY id") as cursor:
            assert [tuple(row) for row in await cursor.fetchall()] == [(1, 5000), (2, 2000)]
        paid, accepted = "금액이 들어왔어요", "요청하신 금액을 보냈어요"
        wait_until(lambda: sent("sendMessage", LEE.id, paid)
                   and sent("sendMessage", LEE.id, accepted), 10, "the payee to be told")
        await asyncio.sleep(0.3)  # a second telling, if there were one, would come by now
        assert len(sent("sendMessage", LEE.id, paid)) == 1
        assert len(sent("sendMessage", LEE.id, accepted)) == 1
        assert len(sent("sendMessage", LEE.id, "요청을 보냈어요")) == 1
        assert len(sent("sendMessage", KIM.id, "요청했어요")) == 1
        assert len(sent("editMessageText", KIM.id, "보냈어요")) == 2  # each tap answered once
        alerts = [params for process in processes for name, params in process.emulator.calls
                  if name == "answerCallbackQuery" and params.get("text")]
        assert alerts == []  # the copy that lost the race said nothing, not an error
        assert (await services.verify()).ok
    finally:
        for process in processes:
            process.stop()
        await services.close()
