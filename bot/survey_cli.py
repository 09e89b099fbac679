"""`pumasi survey import FILE --community CODE [--send]` (a YAML survey, a CSV of questions,
or a shipped template by name) and `pumasi survey results --community CODE --survey N --out
DIR` (counts and written answers as CSV and XLSX, the chart, the results as text)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from conversation.render import plain_text
from conversation.survey_text import invitation_parts, results_text
from core.services import Services
from core.survey_spec import SurveySpec, from_csv, from_yaml
from core.survey_templates import TEMPLATES, template


def add_parser(commands, sub) -> None:
    survey = sub(commands, "survey", "설문: 가져오기와 결과 / surveys: import and results")
    actions = survey.add_subparsers(dest="action", required=True, title="명령 / commands")
    load = sub(actions, "import", "설문 가져오기: YAML, 질문 CSV(kind,text,options,optional) "
               f"또는 표준 설문 이름({', '.join(TEMPLATES)}) / import a survey: YAML, a CSV of "
               "questions, or a standard template's name")
    load.add_argument("file", help="YAML 또는 CSV 파일, 또는 표준 설문 이름 / YAML or CSV file, "
                      "or a template name")
    load.add_argument("--community", required=True, help="품앗이 코드 / community code")
    load.add_argument("--title", help="CSV의 설문 제목 (기본: 파일 이름) / the title of a CSV "
                      "survey (default: the file's name)")
    load.add_argument("--named", action="store_true", help="CSV: 실명 설문 (기본 익명) / "
                      "CSV: answers with names (default anonymous)")
    load.add_argument("--send", action="store_true", help="바로 보내기 / send it now")
    results = sub(actions, "results", "설문 결과 파일 (CSV, XLSX, 차트) / a survey's results as "
                  "files (CSV, XLSX, chart)")
    results.add_argument("--community", required=True, help="품앗이 코드 / community code")
    results.add_argument("--survey", required=True, type=int, help="설문 번호 (S1 → 1) / "
                         "survey number (S1 → 1)")
    results.add_argument("--out", default=".", help="파일을 쓸 폴더 / folder to write into")


async def run(services: Services, args: argparse.Namespace, tr) -> int:
    if args.action == "import":
        return await _import(services, args, tr)
    return await _results(services, args, tr)


async def read_spec(path_or_name: str, *, title: str | None = None,
                    named: bool = False) -> SurveySpec:
    if path_or_name in TEMPLATES:
        return template(path_or_name)
    path = Path(path_or_name)
    text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return from_csv(text, {"title": title or path.stem, "anonymous": not named})
    return from_yaml(text)


async def _import(services: Services, args: argparse.Namespace, tr) -> int:
    spec = await read_spec(args.file, title=args.title, named=args.named)
    survey = await services.surveys.create(None, spec, community_code=args.community)
    print(tr("Imported survey S{id} “{title}” with {count} questions.", id=survey.id,
             title=survey.title, count=len(survey.questions)))
    if args.send:
        count = await services.surveys.send(None, survey.id,
                                            lambda s, c: invitation_parts(tr, s, c))
        print(tr("Sent to {count} members; the running bot delivers it.", count=count))
    elif survey.opens_at is not None:
        print(tr("It goes out on {day}.", day=tr.date(survey.opens_at)))
    else:
        print(tr("Send it from /surveys, or import it with --send."))
    return 0


async def _results(services: Services, args: argparse.Namespace, tr) -> int:
    from conversation.survey_chart import survey_chart
    from conversation.survey_files import write_results

    survey = await services.surveys.get(None, args.survey, community_code=args.community)
    results = await services.survey_results.results(survey)
    folder = Path(args.out)
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    files = [file.path for file in await asyncio.to_thread(write_results, tr, results, folder)]
    stem = f"{results.community.code}-survey-{survey.id}"
    if any(q.counts for q in results.questions):
        chart = await asyncio.to_thread(survey_chart, tr, results)
        files.append(folder / f"{stem}.png")
        await asyncio.to_thread(files[-1].write_bytes, chart)
    files.append(folder / f"{stem}.txt")
    await asyncio.to_thread(files[-1].write_text, plain_text(results_text(tr, results)) + "\n",
                            encoding="utf-8")
    for path in files:
        print(path)
    return 0
