"""`pumasi` (also `python -m bot`): run, serve, console, community create, coordinator add,
verify, health, backup, export, survey."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot import survey_cli
from bot.cli_merchant import add_parser as add_merchant_parser
from bot.logs import configure_logging
from bot.settings import Settings
from conversation.error_text import error_text
from conversation.i18n import translator
from conversation.render import community_settings, plain_text
from core.errors import DomainError
from core.membership import DEFAULT_APPROVAL, DEFAULT_CEILING, DEFAULT_FLOOR
from core.services import Services


def _parser() -> argparse.ArgumentParser:
    # Help is Korean first, then English, like the README: "잔액 점검 / Check the ledger".
    parser = argparse.ArgumentParser(prog="pumasi", description="품앗이 봇 / Pumasi bot",
                                     add_help=False)
    _help(parser)
    parser.add_argument("--db", help="데이터베이스 파일 (기본: PUMASI_DB 또는 data/pumasi.db) / "
                        "SQLite file (default: PUMASI_DB or data/pumasi.db)")
    commands = parser.add_subparsers(dest="command", title="명령 / commands")
    _sub(commands, "run", "봇 실행 (토큰이 없으면 로컬 콘솔) / "
         "run the bot (the local console when no token is set)")
    _sub(commands, "serve", "웹 서버 실행: 텔레그램(웹훅 또는 폴링)과 카카오톡을 한 프로세스로, "
         "상태 확인은 /healthz / run the web server: Telegram (webhook or polling) and "
         "KakaoTalk in one process, health at /healthz")
    console = _sub(commands, "console", "이 터미널에서 봇과 대화 (연습용 데모 데이터) / "
                   "chat with the bot in this terminal (practice demo data)")
    console.add_argument("--db", dest="console_db",
                         help="데이터베이스 파일 (기본 data/demo.db, 실제 데이터와 따로) / "
                         "SQLite file (default data/demo.db, apart from the real data)")
    community = _sub(commands, "community", "지역 품앗이 관리 / manage communities")
    community_commands = community.add_subparsers(dest="action", required=True,
                                                  title="명령 / commands")
    create = _sub(community_commands, "create", "지역 품앗이 만들기 / create a community")
    create.add_argument("--code", required=True, help="가입 코드, 예: mapo / join code, e.g. mapo")
    create.add_argument("--name", required=True,
                        help="이름, 예: '마포 품앗이' / name, e.g. '마포 품앗이'")
    create.add_argument("--unit", default="문", help="화폐 단위 (기본 문) / currency unit "
                        "(default 문)")
    create.add_argument("--floor", type=int, default=DEFAULT_FLOOR,
                        help="신용 한도: 0 아래로 쓸 수 있는 만큼, 예: -300000 (기본 0) / "
                        "credit floor, e.g. -300000 (default 0: no spending on credit)")
    create.add_argument("--ceiling", type=int, default=DEFAULT_CEILING,
                        help="최대 잔액 (기본 1000000) / credit ceiling (default 1000000)")
    create.add_argument("--approval", choices=("auto", "coordinator"), default=DEFAULT_APPROVAL,
                        help="가입 승인: coordinator(운영위원 승인, 기본) 또는 auto(바로 가입) / "
                        "joining: coordinator approves (default) or auto")
    create.add_argument("--reminder-hours", default="24,1",
                        help="일정 몇 시간 전에 알릴지 (기본 24,1) / hours before an event to "
                        "remind members (default 24,1)")
    create.add_argument("--orientation-required", action="store_true",
                        help="오리엔테이션에 참석해야 거래 가능 / new members can trade only "
                        "after attending an orientation")
    code = _sub(community_commands, "code", "가입 코드 바꾸기 (예전 코드와 초대 링크는 "
                "더 이상 안 돼요, 회원은 그대로) / change the join code (old code and links "
                "stop working; members stay)")
    code.add_argument("--community", required=True, help="지금 코드 / the current code")
    code.add_argument("--new", dest="new_code",
                      help="새 코드 (없으면 무작위) / the new code (random if left out)")
    code.add_argument("--reason", help="바꾸는 이유 (감사 기록) / why (kept in the audit log)")
    coordinator = _sub(commands, "coordinator", "운영위원 관리 / manage coordinators")
    coordinator_commands = coordinator.add_subparsers(dest="action", required=True,
                                                      title="명령 / commands")
    add = _sub(coordinator_commands, "add", "운영위원 지정 / appoint a coordinator")
    add.add_argument("--community", required=True, help="품앗이 코드 / community code")
    add.add_argument("--telegram-id", required=True,
                     help="그분이 봇에 /whoami 를 보내면 나오는 숫자 / the number the person's "
                     "/whoami shows")
    _sub(commands, "verify", "장부 점검: 모든 잔액을 다시 계산하고 규칙 확인 / "
         "recompute every balance and check the invariants")
    events = _sub(commands, "events", "학당과 회의 일정 / study sessions and meetings")
    event_commands = events.add_subparsers(dest="action", required=True,
                                           title="명령 / commands")
    load = _sub(event_commands, "import", "일정 CSV 올리기: kind,title,start,end,place,capacity / "
                "load a schedule CSV: kind,title,start,end,place,capacity")
    load.add_argument("file", help="CSV 파일 (UTF-8), 시작/끝은 YYYY-MM-DD HH:MM 서울 시각 / "
                      "CSV file (UTF-8); start/end as YYYY-MM-DD HH:MM, Seoul")
    load.add_argument("--community", required=True, help="품앗이 코드 / community code")
    backup = _sub(commands, "backup", "데이터베이스를 안전하게 복사 (실행 중에도) / "
                  "copy the database safely, even while running")
    backup.add_argument("path", help="복사본을 쓸 곳, 예: backups/2026-11-24.db / where to "
                        "write the copy, e.g. backups/2026-11-24.db")
    copy = _sub(commands, "migrate-to-postgres", "SQLite 데이터를 PostgreSQL로 옮기고 확인 (봇을 "
                "멈춘 뒤에) / copy the SQLite data into PostgreSQL and check it (bot stopped)")
    copy.add_argument("--from", dest="source", required=True,
                      help="SQLite 파일, 예: data/pumasi.db / the SQLite file")
    copy.add_argument("--to", dest="target", required=True,
                      help="빈 PostgreSQL 데이터베이스 postgresql://… / an empty PostgreSQL "
                      "database")
    export = _sub(commands, "export", "기간의 CSV 파일과 XLSX 통합 문서 / "
                  "CSV files and an XLSX workbook of a period")
    export.add_argument("--community", required=True, help="품앗이 코드 / community code")
    export.add_argument("--from", dest="start", help="첫날 YYYY-MM-DD (기본 1월 1일) / "
                        "first day, YYYY-MM-DD (default Jan 1)")
    export.add_argument("--to", dest="end", help="마지막 다음 날 YYYY-MM-DD (기본 지금) / "
                        "day after the last, YYYY-MM-DD (default now)")
    export.add_argument("--out", default=".", help="파일을 쓸 폴더 / folder to write the files "
                        "into")
    survey_cli.add_parser(commands, _sub)
    add_merchant_parser(commands, _sub)
    report = _sub(commands, "report", "한 해의 성과 자료집: PDF와 XLSX / the year's report: PDF "
                  "and XLSX")
    report.add_argument("--year", type=int, required=True, help="연도, 예: 2026 / year")
    report.add_argument("--community", help="품앗이 코드 (없으면 모든 품앗이) / community code "
                        "(default: all)")
    report.add_argument("--out", default=".", help="파일을 쓸 폴더 / folder to write the files "
                        "into")
    _sub(commands, "health", "상태 확인: 데이터베이스, 마이그레이션, 장부 규칙이 괜찮으면 0 / "
         "exit 0 when the database opens, migrations are current and the ledger's "
         "invariants hold")
    return parser


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        # argparse passes prefix "" when it builds a subcommand's name: keep that.
        super().add_usage(usage, actions, groups,
                          "사용법 / usage: " if prefix is None else prefix)


def _help(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = _Formatter
    parser._optionals.title = "옵션 / options"
    parser._positionals.title = "인자 / arguments"
    parser.add_argument("-h", "--help", action="help", help="이 도움말 / show this help")


def _sub(commands, name: str, text: str) -> argparse.ArgumentParser:
    parser = commands.add_parser(name, help=text, description=text, add_help=False)
    _help(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if args.db:
        from dataclasses import replace

        settings = replace(settings, db_path=args.db)
    command = args.command or "run"
    if command == "run":
        return _run(settings)
    if command == "serve":
        from bot.kakao import kakao_parts
        from bot.web import serve

        routes, lifespans = kakao_parts(settings)
        return serve(settings, extra_routes=routes, lifespans=lifespans)
    if command == "console":
        from bot.console import run_console

        logging.getLogger().setLevel(logging.WARNING)
        asyncio.run(run_console(settings, args.console_db))
        return 0
    if command == "backup":
        from core.backups import backup
        from storage.backup import BackupUnavailable

        try:
            written = asyncio.run(backup(settings.db_path, args.path))
        except BackupUnavailable as error:
            print(error, file=sys.stderr)
            return 1
        tr = translator(settings.locale)
        print(tr("Backup written to {path}.", path=str(written)))
        return 0
    if command == "migrate-to-postgres":
        return asyncio.run(_migrate_to_postgres(args.source, args.target))
    if command == "health":
        from core.health import check_health

        report = asyncio.run(check_health(settings.db_path))
        for fact in report.facts:
            print(fact)
        for problem in report.problems:
            print("문제 / PROBLEM:", problem)
        print("정상 / healthy" if report.ok else "문제 있음 / unhealthy")
        return 0 if report.ok else 1
    return asyncio.run(_admin(settings, args))


async def _migrate_to_postgres(source: str, target: str) -> int:
    from core.migrate_to_postgres import CopyRefused, migrate_to_postgres
    from storage.port import is_postgres_url

    if not is_postgres_url(target):
        print("--to는 postgresql://… 주소여야 해요 / --to must be a postgresql:// URL",
              file=sys.stderr)
        return 2
    try:
        report = await migrate_to_postgres(source, target)
    except CopyRefused as error:
        print("옮기지 않았어요 / not copied:", error, file=sys.stderr)
        return 1
    for table, count in sorted(report.rows.items()):
        print(f"{table}: {count}")
    for problem in report.problems:
        print("문제 / PROBLEM:", problem)
    if report.ok:
        print(f"옮겼어요: 계좌 {report.accounts}개의 잔액이 같고 두 쪽 모두 장부 확인을 통과했어요"
              f" / copied: {report.accounts} accounts hold the same balances, verify passes"
              " on both")
        return 0
    return 1


def _run(settings: Settings) -> int:
    if not settings.telegram_token:
        from bot.console import run_console

        logging.getLogger().setLevel(logging.WARNING)
        print("TELEGRAM_BOT_TOKEN이 없어서 로컬 콘솔로 시작해요 (no token: local console).")
        asyncio.run(run_console(settings))
        return 0
    from telegram import Update

    from bot.app import build_application

    application = build_application(settings)
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


async def _admin(settings: Settings, args: argparse.Namespace) -> int:
    tr = translator(settings.locale)
    services = await Services.open(settings.db_path, admins=settings.admins)
    try:
        if args.command == "community" and args.action == "code":
            return await _change_code(services, args, tr, settings.db_path)
        if args.command == "community":
            community = await services.membership.create_community(
                code=args.code, name=args.name, unit=args.unit, credit_floor=args.floor,
                credit_ceiling=args.ceiling, approval=args.approval,
                orientation_required=args.orientation_required,
                reminder_hours=args.reminder_hours,
            )
            print(tr("Created {community} (code {code}).", community=community.name,
                     code=community.code))
            print(plain_text(community_settings(tr, community)))
            print(tr("Saved in {path}.", path=settings.db_path))
            return 0
        if args.command == "coordinator":
            member = await services.membership.add_coordinator(
                code=args.community, channel="telegram", external_id=str(args.telegram_id)
            )
            print(tr("Telegram user {user} is now a coordinator (#{number}).",
                     user=args.telegram_id.strip(), number=member.number))
            print(tr("Saved in {path}.", path=settings.db_path))
            return 0
        if args.command == "export":
            return await _export(services, args, tr)
        if args.command == "merchant":
            from bot.cli_merchant import run as merchant_command

            return await merchant_command(services, args, tr, settings.telegram_token)
        if args.command == "report":
            return await _report(services, args, tr)
        if args.command == "events":
            return await _import_events(services, args, tr)
        if args.command == "survey":
            return await survey_cli.run(services, args, tr)
        if args.command == "verify":
            report = await services.verify()
            for note in report.notes:
                print("참고 / note:", note)
            for problem in report.problems:
                print("문제 / PROBLEM:", problem)
            print(tr("Checked {communities} communities and {accounts} accounts: {result}.",
                     communities=report.communities, accounts=report.accounts,
                     result=tr("all invariants hold") if report.ok
                     else tr("{count} problems", count=len(report.problems))))
            return 0 if report.ok else 1
    except DomainError as error:
        print(plain_text(error_text(tr, error)), file=sys.stderr)
        return 1
    finally:
        await services.close()
    return 2


async def _change_code(services: Services, args: argparse.Namespace, tr, db_path: str) -> int:
    community = await services.membership.community_by_code(args.community)
    change = await services.membership.change_code(
        None, community.id, expected_code=community.code, new_code=args.new_code,
        reason=args.reason)
    print(tr("The join code of {community} is now {code}. The old code and invite links no "
             "longer work; members stay members.", community=change.community.name,
             code=change.community.code))
    print(tr("New invite link: https://t.me/<bot>?start=join_{code}",
             code=change.community.code))
    print(tr("Saved in {path}.", path=db_path))
    return 0


async def _import_events(services: Services, args: argparse.Namespace, tr) -> int:
    import csv
    from pathlib import Path

    text = await asyncio.to_thread(Path(args.file).read_text, encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    report = await services.events.import_schedule(args.community, rows)
    for line, code, params in report.problems:
        message = plain_text(error_text(tr, DomainError(code, **params)))
        print(tr("line {line}: {problem}", line=line, problem=message), file=sys.stderr)
    if report.problems:
        print(tr("Nothing was imported; please fix the lines above."), file=sys.stderr)
        return 1
    print(tr("Imported {count} events.", count=report.imported))
    return 0


async def _export(services: Services, args: argparse.Namespace, tr) -> int:
    from datetime import datetime, time
    from pathlib import Path

    from conversation.exports import parse_day, write_export
    from conversation.i18n import TIMEZONE

    now = datetime.now(TIMEZONE)
    days = {}
    for flag, text in (("--from", args.start), ("--to", args.end)):
        days[flag] = parse_day(text) if text else None
        if text and days[flag] is None:
            print(tr("{flag} {text}: not a date. Please write it as YYYY-MM-DD, e.g. "
                     "{flag} 2026-01-01.", flag=flag, text=text), file=sys.stderr)
            return 1
    start = (datetime.combine(days["--from"], time(), TIMEZONE) if days["--from"]
             else datetime(now.year, 1, 1, tzinfo=TIMEZONE))
    end = datetime.combine(days["--to"], time(), TIMEZONE) if days["--to"] else now
    if end <= start:
        print(tr("--to must be later than --from (--to is the day after the last day)."),
              file=sys.stderr)
        return 1
    folder = Path(args.out)
    async with services.stats.export_stream(None, start, end,
                                            community_code=args.community) as stream:
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        # No message to fit here: each CSV whole, however big.
        files = await write_export(tr, stream, folder, limit=None)
    for file in files:
        print(file.path)
    return 0


async def _report(services: Services, args: argparse.Namespace, tr) -> int:
    from datetime import datetime
    from pathlib import Path

    from conversation.i18n import TIMEZONE
    from conversation.report_job import run_report
    from core.report import report_request

    request = await report_request(services.db, None, args.year, args.community,
                                   datetime.now(TIMEZONE))
    folder = Path(args.out)
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    for name in await run_report(request, tr.locale, folder):
        print(folder / name)
    return 0
