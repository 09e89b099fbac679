"""pay+confirm throughput with several bot processes on one PostgreSQL database, and with one
process on SQLite, in one run.

    .venv/bin/python bench/processes.py [--members 400] [--concurrency 25] [--rounds 8]
        [--url postgresql://…]   (default: the local cluster the tests use)

Each process is a real OS process with its own services (the ledger, its own connection pool),
as several `pumasi serve` processes behind a load balancer would be; the members are split
between them. At one moment every process starts `concurrency` payments at once (each a
preview then a confirm, through the ledger service: no messenger), `rounds` times. Printed:
transfers per second over the wall time from the first start to the last end, the median
and p99 of one pay+confirm inside that load, and verify afterwards.

Commits are durable on both engines: SQLite with synchronous=FULL as the bot runs it,
PostgreSQL with `synchronous_commit=on` for this run's connections (the test role turns it
off for speed)."""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FIRST_USER = 101
LOCAL_ADMIN = "postgresql://pumasi_test:pumasi_test@localhost:5432/postgres"


async def _seed(target: str, members: int) -> None:
    from core.services import Services
    from tests.support import seed_community

    services = await Services.open(target)
    await seed_community(services, members=members, floor=-10**9, ceiling=10**9,
                         first_user_id=FIRST_USER)
    await services.close()


async def _worker(target: str, payers: list[int], members: int, concurrency: int, rounds: int,
                  start_at: float) -> tuple[float, float, int, list[float]]:
    from core.services import Services

    services = await Services.open(target)
    actors = [await services.people.resolve("telegram", str(FIRST_USER + n - 1),
                                            f"회원{FIRST_USER + n - 1}",
                                            f"user{FIRST_USER + n - 1}") for n in payers]
    await asyncio.sleep(max(0.0, start_at - time.time()))
    began = time.time()
    made, latencies = 0, []

    async def flow(actor, number: int, round_number: int) -> None:
        nonlocal made
        started = time.perf_counter()
        view = await services.ledger.start_trade(
            actor, kind="pay", counterparty=f"#{number % members + 1}", amount=1, memo=None,
            request_key=f"bench-{number}-{round_number}")
        await services.ledger.confirm_pay(actor, view.request.id)
        latencies.append((time.perf_counter() - started) * 1000)
        made += 1

    for round_number in range(rounds):
        for first in range(0, len(actors), concurrency):
            batch = list(zip(actors, payers, strict=True))[first:first + concurrency]
            await asyncio.gather(*(flow(actor, number, round_number)
                                   for actor, number in batch))
    ended = time.time()
    await services.close()
    return began, ended, made, latencies


def _run_worker(args, queue) -> None:
    queue.put(asyncio.run(_worker(*args)))


def measure(target: str, processes: int, members: int, concurrency: int, rounds: int) -> dict:
    asyncio.run(_seed(target, members))
    payers = list(range(2, members + 1))  # #1 is the coordinator
    shares = [payers[index::processes] for index in range(processes)]
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    start_at = time.time() + 3.0 + processes  # every process has opened its pool by then
    workers = [context.Process(target=_run_worker, args=(
        (target, share, members, concurrency, rounds, start_at), queue)) for share in shares]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    began = min(r[0] for r in results)
    ended = max(r[1] for r in results)
    made = sum(r[2] for r in results)
    latencies = sorted(latency for r in results for latency in r[3])
    return {"rate": made / (ended - began), "made": made,
            "median": statistics.median(latencies),
            "p99": latencies[int(0.99 * (len(latencies) - 1))],
            "verify": asyncio.run(_verify(target))}


async def _verify(target: str) -> bool:
    from core.services import Services

    services = await Services.open(target)
    ok = (await services.verify()).ok
    await services.close()
    return ok


async def _fresh_database(admin_url: str, name: str) -> str:
    import asyncpg

    admin = await asyncpg.connect(admin_url)
    await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    return admin_url.rsplit("/", 1)[0] + f"/{name}?synchronous_commit=on"


async def _drop_database(admin_url: str, name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(admin_url)
    await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--url", default=LOCAL_ADMIN,
                        help="a PostgreSQL URL whose role may create databases")
    args = parser.parse_args()
    print(f"{args.members} members, each process running {args.concurrency} pay+confirm at"
          f" once, {args.rounds} rounds; durable commits")
    print(f"{'':28} {'transfers/s':>12} {'median ms':>10} {'p99 ms':>8}  verify")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        figures = measure(str(Path(folder) / "bench.db"), 1, args.members, args.concurrency,
                          args.rounds)
        rows.append(("SQLite, 1 process", figures))
    for processes in (1, 2, 4):
        name = f"pumasi_bench_{processes}"
        target = asyncio.run(_fresh_database(args.url, name))
        try:
            rows.append((f"PostgreSQL, {processes} process{'es' if processes > 1 else ''}",
                         measure(target, processes, args.members, args.concurrency,
                                 args.rounds)))
        finally:
            asyncio.run(_drop_database(args.url, name))
    for label, figures in rows:
        print(f"{label:28} {figures['rate']:12,.0f} {figures['median']:10.2f}"
              f" {figures['p99']:8.2f}  {'ok' if figures['verify'] else 'FAILED'}")


if __name__ == "__main__":
    main()
