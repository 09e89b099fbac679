"""An export carried out in a child process (a fresh interpreter): reading millions of rows
and writing them out is minutes of CPU, which in the bot's process would hold the GIL against
the event loop and make every member's command wait; there it costs the bot nothing but a
core, and its memory goes back when it ends.

The parent authorises the export (`StatsService.export_request`), runs `python -m
conversation.export_job FOLDER` with the pickled request on stdin, and gets back the names of
the files written into FOLDER, in the order to send them."""

from __future__ import annotations

import asyncio
import os
import pickle
import shutil
import sys
import tempfile
from pathlib import Path
from typing import IO

from core.stats import ExportRequest, open_export

_PROJECT = str(Path(__file__).resolve().parent.parent)


async def export_files(request: ExportRequest, locale: str, limit: int | None
                       ) -> list[tuple[str, IO[bytes]]]:
    """Each file of the export as (name, open binary file); the files are already unlinked,
    so they vanish once closed, whatever happens to them."""
    folder = Path(tempfile.mkdtemp(prefix="pumasi-export-"))
    try:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PROJECT, env.get("PYTHONPATH")]))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "conversation.export_job", str(folder),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env)
        try:
            out, _ = await process.communicate(pickle.dumps((request, locale, limit)))
        except BaseException:  # cancelled (the bot stopping): the child goes too
            if process.returncode is None:
                process.kill()
                await process.wait()
            raise
        if process.returncode != 0:
            raise RuntimeError(f"the export process ended with {process.returncode}")
        return [_take(folder / name) for name in out.decode().split("\n") if name]
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)


def _take(path: Path) -> tuple[str, IO[bytes]]:
    file = path.open("rb")
    path.unlink()
    return path.name, file


async def _run(folder: Path, request: ExportRequest, locale: str, limit: int | None
               ) -> list[str]:
    from conversation.exports import write_export
    from conversation.i18n import translator

    async with open_export(request) as stream:
        files = await write_export(translator(locale), stream, folder, limit=limit)
    return [file.name for file in files]


def main() -> None:
    folder = Path(sys.argv[1])
    request, locale, limit = pickle.loads(sys.stdin.buffer.read())
    names = asyncio.run(_run(folder, request, locale, limit))
    sys.stdout.write("\n".join(names) + "\n")


if __name__ == "__main__":
    main()
