"""A survey's results as files: a CSV of the counts (and means), a CSV of the free-text
answers, and one XLSX workbook with both, written with the export's machinery (CSV with a
BOM for Excel, cells guarded against formulas, openpyxl's write-only workbook). Synchronous:
`results_files` runs it in a child process."""

from __future__ import annotations

import asyncio
import pickle
import sys
from pathlib import Path
from typing import Any

from conversation.child_job import files_from_child
from conversation.export_files import CsvTable, OutFile, Workbook
from conversation.exports import csv_cell, formula_like
from conversation.i18n import Translator
from core.survey_results import MIN_ANONYMOUS, SurveyResults


def kind_name(tr: Translator, kind: str) -> str:
    return {"scale": tr("1–5 scale"), "choice": tr("One choice"),
            "multi": tr("Several choices"), "text": tr("Written answer")}.get(kind, kind)


def count_rows(tr: Translator, results: SurveyResults) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for number, summary in enumerate(results.questions, start=1):
        question = summary.question
        head = [number, question.text, kind_name(tr, question.kind)]
        if summary.hidden:
            rows.append(head + [tr("Fewer than {minimum} answers: not shown",
                                   minimum=MIN_ANONYMOUS), summary.answers])
            continue
        rows += [head + [label, count] for label, count in summary.counts]
        if summary.mean is not None:
            rows.append(head + [tr("Mean"), round(summary.mean, 2)])
        if question.kind == "text":
            rows.append(head + [tr("Written answers"), summary.answers])
        if summary.skipped:
            rows.append(head + [tr("Skipped"), summary.skipped])
    return rows


def text_rows(results: SurveyResults) -> list[list[Any]]:
    return [[number, summary.question.text, text, who or ""]
            for number, summary in enumerate(results.questions, start=1)
            for who, text in summary.texts]


def write_results(tr: Translator, results: SurveyResults, folder: Path) -> list[OutFile]:
    stem = f"{results.community.code}-survey-{results.survey.id}"
    counts_header = [tr("No."), tr("Question"), tr("Kind"), tr("Answer"), tr("Count")]
    texts_header = [tr("No."), tr("Question"), tr("Answer"), tr("Member")]
    counts, texts = count_rows(tr, results), text_rows(results)
    files = []
    for name, header, rows in ((stem, counts_header, counts),
                               (f"{stem}-answers", texts_header, texts)):
        table = CsvTable(folder, name, [csv_cell(title) for title in header])
        table.add([[csv_cell(value) for value in row] for row in rows])
        files += table.finish(None)
    book = Workbook([tr("Results"), tr("Written answers")])
    try:
        book.append(0, [[results.survey.title], [tr("Invited"), results.invited],
                        [tr("Started"), results.started], [tr("Finished"), results.finished],
                        [], counts_header] + counts, formula_like)
        book.append(1, [texts_header] + texts, formula_like)
        files.append(book.finish(folder / f"{stem}.xlsx"))
    except BaseException:
        book.close()
        raise
    return files


async def results_files(results: SurveyResults, locale: str) -> list[tuple[str, bytes]]:
    """The files written in a child process (a fresh interpreter), as the export is: the bot's
    own process never imports openpyxl."""
    files = await files_from_child("conversation.survey_files", (results, locale),
                                   "pumasi-survey-")
    read = []
    for name, file in files:
        with file:
            read.append((name, await asyncio.to_thread(file.read)))
    return read


def main() -> None:
    from conversation.i18n import translator

    folder = Path(sys.argv[1])
    results, locale = pickle.loads(sys.stdin.buffer.read())
    files = write_results(translator(locale), results, folder)
    sys.stdout.write("\n".join(file.name for file in files) + "\n")


if __name__ == "__main__":
    main()
