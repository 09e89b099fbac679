"""Driven by test_crash.py: concurrent pay/confirm and charge/accept flows against a real
SQLite file, printing `ACK transfer request amount` only after each commit returned.
The parent SIGKILLs this process at random moments.

    python -m tests.reliability.crash_driver DB RUN_ID SEED
"""

from __future__ import annotations

import asyncio
import random
import sys

from core.errors import DomainError
from core.services import Services

MEMBERS = 8
FIRST_USER_ID = 101
WORKERS = 6


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def main(db_path: str, run_id: str, seed: int) -> None:
    rng = random.Random(seed)
    services = await Services.open(db_path)
    actors = [
        await services.people.resolve(
            "telegram", str(FIRST_USER_ID + i), f"회원{FIRST_USER_ID + i}",
            f"user{FIRST_USER_ID + i}",
        )
        for i in range(MEMBERS)
    ]
    # Requests left pending by an earlier, killed run are taken up again.
    for payer in actors:
        for view in (await services.ledger.pending(payer)).views:
            if view.payer.person_id == payer.person.id and rng.random() < 0.5:
                try:
                    done = await services.ledger.accept_charge(payer, view.request.id)
                    say(f"ACK {done.transfer.id} {done.request.id} {done.request.amount}")
                except DomainError:
                    pass
    say("READY")

    async def worker(number: int) -> None:
        step = 0
        while True:
            step += 1
            key = f"{run_id}-{number}-{step}"
            payer, payee = rng.sample(range(MEMBERS), 2)
            amount = rng.randrange(1, 40) * 100
            try:
                if rng.random() < 0.5:
                    view = await services.ledger.start_trade(
                        actors[payer], kind="pay", counterparty=f"#{payee + 1}", amount=amount,
                        memo=None, request_key=key)
                    done = await services.ledger.confirm_pay(actors[payer], view.request.id)
                else:
                    view = await services.ledger.start_trade(
                        actors[payee], kind="charge", counterparty=f"#{payer + 1}",
                        amount=amount, memo=None, request_key=key)
                    if rng.random() < 0.3:
                        continue  # leave it pending for a later run
                    done = await services.ledger.accept_charge(actors[payer], view.request.id)
            except DomainError:
                continue
            say(f"ACK {done.transfer.id} {done.request.id} {done.request.amount}")

    await asyncio.gather(*(worker(n) for n in range(WORKERS)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
