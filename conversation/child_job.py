"""Files written by a child process (a fresh interpreter): exports, the year's report, survey
results. The bot's own process never imports what they need (openpyxl, fpdf, matplotlib) and
never holds their memory; a member's command does not wait behind them."""

from __future__ import annotations

import asyncio
import os
import pickle
import shutil
import sys
import tempfile
from pathlib import Path
from typing import IO

_PROJECT = str(Path(__file__).resolve().parent.parent)


async def run_child(module: str, payload: object, folder: Path) -> list[str]:
    """`python -m module folder`, given `payload` pickled on standard input; the names of the
    files it wrote into `folder`, one per line of its output."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PROJECT, env.get("PYTHONPATH")]))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, str(folder),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env)
    try:
        out, _ = await process.communicate(pickle.dumps(payload))
    except BaseException:  # cancelled (the bot stopping): the child goes too
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
    if process.returncode != 0:
        raise RuntimeError(f"{module} ended with {process.returncode}")
    return [name for name in out.decode().split("\n") if name]


async def files_from_child(module: str, payload: object, prefix: str
                           ) -> list[tuple[str, IO[bytes]]]:
    """Each file the child wrote as (name, open binary file), already unlinked, so they
    vanish once closed, whatever happens to them."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        return [_take(folder / name) for name in await run_child(module, payload, folder)]
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)


def _take(path: Path) -> tuple[str, IO[bytes]]:
    file = path.open("rb")
    path.unlink()
    return path.name, file
