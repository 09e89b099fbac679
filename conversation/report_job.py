"""The year's report written in a child process (a fresh interpreter), as exports are
(conversation.export_job): reading the figures, drawing the chart and laying out the PDF is
seconds of CPU and some 100 MB of libraries that the bot's process never loads, and no
member's command waits on it.

The parent authorises the report (`core.report.report_request`), runs `python -m
conversation.report_job FOLDER` with the pickled request and locale on stdin, and gets back
the names of the files written into FOLDER: the PDF, then the XLSX."""

from __future__ import annotations

import asyncio
import pickle
import sys
from pathlib import Path
from typing import IO

from conversation.child_job import files_from_child, run_child
from core.report import FILE_PREFIX, ReportRequest


async def report_files(request: ReportRequest, locale: str) -> list[tuple[str, IO[bytes]]]:
    """The report's files as (name, open binary file), already unlinked."""
    return await files_from_child("conversation.report_job", (request, locale), FILE_PREFIX)


async def run_report(request: ReportRequest, locale: str, folder: Path) -> list[str]:
    """Write the report's files into `folder` in a child process; their names."""
    return await run_child("conversation.report_job", (request, locale), folder)


async def _figures(request: ReportRequest):
    from core.report import load_figures
    from storage.db import Database

    async with Database.for_target(request.db_path).export_snapshot() as conn:
        return await load_figures(conn, request.year, request.community_code, request.now)


def write_report(request: ReportRequest, locale: str, folder: Path, figures) -> list[Path]:
    """The PDF and the XLSX of these figures, written into `folder`."""
    from conversation.i18n import TIMEZONE, translator
    from conversation.report_pdf import write_pdf
    from conversation.report_sections import build_sections, report_title
    from conversation.report_xlsx import write_xlsx

    tr = translator(locale)
    sections = build_sections(tr, figures)
    title = report_title(tr, figures)
    subtitle = tr("Made on {day} from the bot's ledger.",
                  day=request.now.astimezone(TIMEZONE).date().isoformat())
    scope = request.community_code or "all"
    base = f"{FILE_PREFIX}{request.year}-{scope}"
    return [write_pdf(tr, title, subtitle, sections, folder / f"{base}.pdf"),
            write_xlsx(title, sections, folder / f"{base}.xlsx")]


def main() -> None:
    folder = Path(sys.argv[1])
    request, locale = pickle.loads(sys.stdin.buffer.read())
    figures = asyncio.run(_figures(request))
    paths = write_report(request, locale, folder, figures)
    sys.stdout.write("\n".join(path.name for path in paths) + "\n")


if __name__ == "__main__":
    main()
