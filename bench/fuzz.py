"""The hostile-input fuzz run at scale (the test suite runs 20,000):

    .venv/bin/python bench/fuzz.py [--updates 200000] [--seed 5]

Prints the number of updates, messages checked, transfers allowed and the time taken;
exits non-zero on the first unhandled error, raw HTML shown, or disallowed transfer."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.reliability.test_fuzz import fuzz  # noqa: E402
from tests.support import BotHarness  # noqa: E402


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    harness = await BotHarness.start(Path(tempfile.mkdtemp()) / "fuzz.db")
    started = time.monotonic()
    try:
        figures = await fuzz(harness, args.updates, args.seed)
    finally:
        await harness.stop()
    print(f"fuzz: {figures['updates']:,} updates, {figures['messages']:,} messages checked, "
          f"{figures['transfers']} transfers allowed by the rules, "
          f"{time.monotonic() - started:.0f} s, no unhandled error")


if __name__ == "__main__":
    asyncio.run(main())
