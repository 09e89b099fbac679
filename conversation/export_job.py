"""An export carried out in a child process (a fresh interpreter): reading millions of rows
and writing them out is minutes of CPU, which in the bot's process would hold the GIL against
the event loop and make every member's command wait; there it costs the bot nothing but a
core, and its memory goes back when it ends.

The parent authorises the export (`StatsService.export_request`), runs `python -m
conversation.export_job FOLDER` with the pickled request on stdin, and gets back the names of
the files written into FOLDER, in the order to send them."""

from __future__ import annotations

import asyncio
import pickle
import sys
from pathlib import Path
from typing import IO

from conversation.child_job import files_from_child
from core.stats import ExportRequest, open_export


async def export_files(request: ExportRequest, locale: str, limit: int | None
                       ) -> list[tuple[str, IO[bytes]]]:
    """Each file of the export as (name, open binary file), already unlinked."""
    return await files_from_child("conversation.export_job", (request, locale, limit),
                                  "pumasi-export-")


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
