"""A survey's results as files: a CSV of the counts (and means), a CSV of the free-text
answers, and one XLSX workbook with both, written with the export's machinery (CSV with a
BOM for Excel, cells guarded against formulas, openpyxl's write-only workbook). Synchronous:
`results_files` runs it in a child process."""

from __future__ import annotations

import asyncio
import os
import pickle
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from conversation.export_files import CsvTable, OutFile, Workbook
from conversation.exports import csv_cell, formula_like
from conversation.i18n import Translator
from core.survey_results import MIN_ANONYMOUS, SurveyResults

_PROJECT = str(Path(__file__).resolve().parent.parent)


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
    folder = Path(tempfile.mkdtemp(prefix="pumasi-survey-"))
    try:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PROJECT, env.get("PYTHONPATH")]))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "conversation.survey_files", str(folder),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env)
        try:
            out, _ = await process.communicate(pickle.dumps((results, locale)))
        except BaseException:
            if process.returncode is None:
                process.kill()
                await process.wait()
            raise
        if process.returncode != 0:
            raise RuntimeError(f"the survey files process ended with {process.returncode}")
        names = [name for name in out.decode().split("\n") if name]
        return [(name, await asyncio.to_thread((folder / name).read_bytes)) for name in names]
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)


def main() -> None:
    from conversation.i18n import translator

    folder = Path(sys.argv[1])
    results, locale = pickle.loads(sys.stdin.buffer.read())
    files = write_results(translator(locale), results, folder)
    sys.stdout.write("\n".join(file.name for file in files) + "\n")


if __name__ == "__main__":
    main()
