"""Kakao skill calls per second and p99 latency through the ASGI app in-process (httpx's
ASGITransport; no network), against a bare Starlette handler returning a fixed skill JSON
measured in the same run.

    .venv/bin/python bench/kakao.py [--members 2000] [--runs 400] [--concurrency 8]

Measured: `/balance` (one call), and pay + confirm (the `/pay` preview, then the Confirm quick
reply's token: two calls, timed as a pair). Sequential latency (median, p99) and throughput
(calls per second) with `--concurrency` clients at once; every response is validated."""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from conversation.app import Conversation  # noqa: E402
from conversation.notify import Notifier  # noqa: E402
from conversation.routes import ROUTES  # noqa: E402
from core.services import Services  # noqa: E402
from handlers.kakao.app import KakaoSkill  # noqa: E402
from handlers.kakao.validator import validate  # noqa: E402
from tests.kakao_support import payload  # noqa: E402

SECRET = "bench"
FIXED = {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "잔액: 0문"}}]}}


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def key(number: int) -> str:
    return f"bench-user-{number:06d}"


async def build(db_path: Path, members: int) -> Services:
    services = await Services.open(db_path)
    await services.membership.create_community(code="bench", name="벤치 품앗이",
                                               credit_floor=-10_000_000, approval="auto")
    for number in range(1, members + 1):
        actor = await services.people.resolve("kakao", key(number), f"회원{number}")
        await services.membership.join(actor, "bench")
    return services


class Caller:
    def __init__(self, client: httpx.AsyncClient, path: str) -> None:
        self.client = client
        self.path = path

    async def call(self, body: dict) -> dict:
        response = await self.client.post(self.path, json=body)
        answer = response.json()
        validate(answer)
        return answer


def token_of(answer: dict, word: str) -> str:
    for reply in answer["template"].get("quickReplies", []):
        if word in reply["messageText"] and reply.get("extra", {}).get("token"):
            return reply["extra"]["token"]
    raise AssertionError(f"no {word!r} in {answer}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    rng = random.Random(7)

    folder = Path(tempfile.mkdtemp(prefix="pumasi-kakao-bench-"))
    started = time.perf_counter()
    services = await build(folder / "bench.db", args.members)
    print(f"built {args.members:,} Kakao members in {time.perf_counter() - started:.1f} s")

    notifier = Notifier()
    skill = KakaoSkill(Conversation(services, ROUTES, notifier), notifier)
    app = Starlette(routes=skill.routes(SECRET))

    async def bare_handler(request: Request) -> JSONResponse:
        await request.json()
        return JSONResponse(FIXED)

    bare = Starlette(routes=[Route("/bare/{secret}", bare_handler, methods=["POST"])])
    kakao_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://bench")
    bare_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=bare),
                                    base_url="http://bench")
    skill_call = Caller(kakao_client, f"/kakao/skill/{SECRET}")
    bare_call = Caller(bare_client, f"/bare/{SECRET}")

    def someone() -> int:
        return rng.randrange(1, args.members + 1)

    def balance() -> dict:
        return payload("balance.json", user=key(someone()), utterance="/balance")

    async def pay_and_confirm(caller: Caller) -> None:
        payer, payee = someone(), someone()
        while payee == payer:
            payee = someone()
        preview = await caller.call(payload("pay_by_number.json", user=key(payer),
                                            utterance=f"/pay #{payee} 100 bench"))
        await caller.call(payload("quick_reply_tap.json", user=key(payer),
                                  extra={"token": token_of(preview, "보내기")}))

    async def bare_pair(caller: Caller) -> None:
        await caller.call(balance())
        await caller.call(balance())

    async def timed(work) -> float:
        begun = time.perf_counter()
        await work
        return (time.perf_counter() - begun) * 1000

    for _ in range(30):  # warm-up
        await skill_call.call(balance())
        await bare_call.call(balance())

    latency: dict[str, list[float]] = {name: [] for name in (
        "bare JSON", "/balance", "bare pair", "pay+confirm")}
    for _ in range(args.runs):
        latency["bare JSON"].append(await timed(bare_call.call(balance())))
        latency["/balance"].append(await timed(skill_call.call(balance())))
        latency["bare pair"].append(await timed(bare_pair(bare_call)))
        latency["pay+confirm"].append(await timed(pay_and_confirm(skill_call)))

    async def throughput(work, calls_each: int) -> float:
        """Calls per second with `concurrency` clients each doing `runs / concurrency`."""
        rounds = max(1, args.runs // args.concurrency)

        async def client() -> None:
            for _ in range(rounds):
                await work()

        begun = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(args.concurrency)))
        return rounds * args.concurrency * calls_each / (time.perf_counter() - begun)

    rates = {
        "bare JSON": await throughput(lambda: bare_call.call(balance()), 1),
        "/balance": await throughput(lambda: skill_call.call(balance()), 1),
        "bare pair": await throughput(lambda: bare_pair(bare_call), 2),
        "pay+confirm": await throughput(lambda: pay_and_confirm(skill_call), 2),
    }
    await skill.idle()

    print(f"{args.runs} runs each; throughput with {args.concurrency} clients at once")
    print(f"{'':13} {'median ms':>10} {'p99 ms':>8} {'× bare':>7} {'calls/s':>9} "
          f"{'seq calls/s':>12}")
    for name, samples in latency.items():
        median = statistics.median(samples)
        base = statistics.median(latency["bare pair" if "pair" in name or "+" in name
                                         else "bare JSON"])
        calls = 2 if ("pair" in name or "+" in name) else 1
        sequential = calls * 1000 / statistics.mean(samples)
        print(f"{name:13} {median:10.2f} {percentile(samples, 0.99):8.2f} "
              f"{median / base:7.1f} {rates[name]:9.0f} {sequential:12.0f}")
    report = await services.verify()
    print(f"verify after the run: {'ok' if report.ok else report.problems[:3]}")
    await kakao_client.aclose()
    await bare_client.aclose()
    await services.close()


if __name__ == "__main__":
    asyncio.run(main())
