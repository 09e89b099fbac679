"""/report [YEAR] [CODE]: the year's report (성과 자료집) for foundation admins, a PDF in
Korean and an XLSX with the same figures, written in a child process (report_job) so that
no member's command waits on it."""

from __future__ import annotations

from html import escape

from conversation.i18n import TIMEZONE
from conversation.report_job import report_files
from conversation.turn import Turn
from core.report import report_request


async def report(turn: Turn) -> None:
    tr = turn.tr
    now = turn.services.clock.now().astimezone(TIMEZONE)
    year, code = now.year, None
    for arg in turn.args:
        if arg.isdigit() and len(arg) == 4:
            year = int(arg)
        else:
            code = arg
    request = await report_request(turn.services.db, turn.actor, year, code, now)
    await turn.reply(tr("Making the {year} report; it takes a few seconds.", year=year))
    files = await report_files(request, tr.locale)
    scope = escape(code) if code else tr("All communities")
    for number, (name, file) in enumerate(files, start=1):
        caption = tr("{year} report: {scope}. The workbook has the same figures.",
                     year=year, scope=scope) if number == len(files) else ""
        await turn.file(b"", name, caption, source=file)
