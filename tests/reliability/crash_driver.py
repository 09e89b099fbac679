"""Driven by the crash tests (test_crash.py on a SQLite file, test_crash_postgres.py with two
of these at once on one PostgreSQL database): concurrent pay/confirm and charge/accept flows,
printing `ACK transfer request amount` only after the commit that made the transfer returned,
and `AGAIN transfer request amount` when a settle found its request already committed (by
another worker or process racing on the same pending charge) and answered with that transfer.
The parent SIGKILLs this process at random moments.

    python -m tests.reliability.crash_driver TARGET RUN_ID SEED

TARGET is a SQLite path or a postgresql:// URL, as for `Services.open`.
"""

from __future__ import annotations

import asyncio
import random
import sys

from core.errors import DomainError
from core.models import TradeView
from core.services import Services

MEMBERS = 8
FIRST_USER_ID = 101
WORKERS = 6
TAKE_UP_PENDING = 0.15  # share of steps that accept a charge someone left pending


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def acknowledge(done: TradeView) -> None:
    assert done.transfer is not None
    word = "ACK" if done.newly_decided else "AGAIN"
    say(f"{word} {done.transfer.id} {done.request.id} {done.request.amount}")


async def main(target: str, run_id: str, seed: int) -> None:
    rng = random.Random(seed)
    services = await Services.open(target)
    actors = [
        await services.people.resolve(
            "telegram", str(FIRST_USER_ID + i), f"회원{FIRST_USER_ID + i}",
            f"user{FIRST_USER_ID + i}",
        )
        for i in range(MEMBERS)
    ]

    async def charges_left_to(payer: int) -> list[TradeView]:
        return [view for view in (await services.ledger.pending(actors[payer])).views
                if view.payer.person_id == actors[payer].person.id
                and view.request.kind == "charge"]

    # Requests left pending by an earlier, killed run are taken up again.
    for payer in range(MEMBERS):
        for view in await charges_left_to(payer):
            if rng.random() < 0.5:
                try:
                    acknowledge(await services.ledger.accept_charge(actors[payer],
                                                                    view.request.id))
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
                if rng.random() < TAKE_UP_PENDING:
                    # Another worker, or another process, may be accepting the same one.
                    left = await charges_left_to(payer)
                    if not left:
                        continue
                    done = await services.ledger.accept_charge(
                        actors[payer], rng.choice(left).request.id)
                elif rng.random() < 0.5:
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
            acknowledge(done)

    await asyncio.gather(*(worker(n) for n in range(WORKERS)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
