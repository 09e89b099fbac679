"""Driven by test_reminders.py: sends every due reminder through a stand-in for the Bot API
(an append-only log, flushed and fsynced per line) and is SIGKILLed at random moments.

    python -m tests.reliability.reminder_driver DB SENT_LOG NOW_ISO
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime

from core.clock import ManualClock
from core.services import Services


async def main(db_path: str, log_path: str, now: str) -> None:
    services = await Services.open(db_path, clock=ManualClock(datetime.fromisoformat(now)))
    uncertain = await services.reminders.recover()
    print(f"RECOVERED {uncertain}", flush=True)
    # A blocking write on purpose: the send must be on disk before the reminder is marked.
    with open(log_path, "a", encoding="utf-8") as log:  # noqa: ASYNC230
        while (job := await services.reminders.claim()) is not None:
            log.write(f"SENT {job.id}\n")  # the message reaches the member here
            log.flush()
            os.fsync(log.fileno())
            await services.reminders.sent(job.id)
    print("DONE", flush=True)
    await services.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
