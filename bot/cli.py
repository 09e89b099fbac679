"""`pumasi` (also `python -m bot`): run, console, community create, coordinator add, verify."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.logs import configure_logging
from bot.settings import Settings
from core.errors import DomainError
from core.membership import DEFAULT_CEILING, DEFAULT_FLOOR
from core.services import Services
from handlers.error_text import error_text
from handlers.i18n import translator
from handlers.render import plain_text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pumasi", description="품앗이 봇 (Pumasi bot)")
    parser.add_argument("--db", help="SQLite file (default: PUMASI_DB or data/pumasi.db)")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the local console when no token is set)")
    console = commands.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--db", dest="console_db", help="SQLite file (default data/demo.db)")
    community = commands.add_parser("community", help="manage communities")
    community_commands = community.add_subparsers(dest="action", required=True)
    create = community_commands.add_parser("create", help="create a community")
    create.add_argument("--code", required=True, help="join code, e.g. mapo")
    create.add_argument("--name", required=True, help="name, e.g. '마포 품앗이'")
    create.add_argument("--unit", default="문", help="currency unit (default 문)")
    create.add_argument("--floor", type=int, default=DEFAULT_FLOOR, help="credit floor")
    create.add_argument("--ceiling", type=int, default=DEFAULT_CEILING, help="credit ceiling")
    create.add_argument("--approval", choices=("auto", "coordinator"), default="auto")
    create.add_argument("--reminder-hours", default="24,1",
                        help="hours before an event to remind members (default 24,1)")
    create.add_argument("--orientation-required", action="store_true",
                        help="new members can trade only after attending an orientation")
    coordinator = commands.add_parser("coordinator", help="manage coordinators")
    coordinator_commands = coordinator.add_subparsers(dest="action", required=True)
    add = coordinator_commands.add_parser("add", help="appoint a coordinator")
    add.add_argument("--community", required=True, help="community code")
    add.add_argument("--telegram-id", required=True, help="the person's Telegram user id")
    commands.add_parser("verify", help="recompute every balance and check the invariants")
    events = commands.add_parser("events", help="study sessions and meetings")
    event_commands = events.add_subparsers(dest="action", required=True)
    load = event_commands.add_parser(
        "import", help="load a schedule CSV: kind,title,start,end,place,capacity")
    load.add_argument("file", help="CSV file (UTF-8); start/end as YYYY-MM-DD HH:MM, Seoul")
    load.add_argument("--community", required=True, help="community code")
    backup = commands.add_parser("backup", help="copy the database safely, even while running")
    backup.add_argument("path", help="where to write the copy, e.g. backups/2026-11-24.db")
    export = commands.add_parser("export", help="CSV files and an XLSX workbook of a period")
    export.add_argument("--community", required=True, help="community code")
    export.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (default Jan 1)")
    export.add_argument("--to", dest="end", help="day after the last, YYYY-MM-DD (default now)")
    export.add_argument("--out", default=".", help="folder to write the files into")
    commands.add_parser("health", help="exit 0 when the database opens, migrations are "
                        "current and the ledger's invariants hold")
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
    if command == "console":
        from bot.console import run_console

        logging.getLogger().setLevel(logging.WARNING)
        asyncio.run(run_console(settings, args.console_db))
        return 0
    if command == "backup":
        from core.backups import backup

        written = asyncio.run(backup(settings.db_path, args.path))
        tr = translator(settings.locale)
        print(tr("Backup written to {path}.", path=str(written)))
        return 0
    if command == "health":
        from core.health import check_health

        report = asyncio.run(check_health(settings.db_path))
        for fact in report.facts:
            print(fact)
        for problem in report.problems:
            print("PROBLEM:", problem)
        print("healthy" if report.ok else "unhealthy")
        return 0 if report.ok else 1
    return asyncio.run(_admin(settings, args))


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
        if args.command == "community":
            community = await services.membership.create_community(
                code=args.code, name=args.name, unit=args.unit, credit_floor=args.floor,
                credit_ceiling=args.ceiling, approval=args.approval,
                orientation_required=args.orientation_required,
                reminder_hours=args.reminder_hours,
            )
            print(tr("Created {community} (code {code}).", community=community.name,
                     code=community.code))
            return 0
        if args.command == "coordinator":
            member = await services.membership.add_coordinator(
                code=args.community, channel="telegram", external_id=str(args.telegram_id)
            )
            print(tr("Telegram user {user} is now a coordinator (#{number}).",
                     user=args.telegram_id, number=member.number))
            return 0
        if args.command == "export":
            return await _export(services, args, tr)
        if args.command == "events":
            return await _import_events(services, args, tr)
        if args.command == "verify":
            report = await services.verify()
            for note in report.notes:
                print("note:", note)
            for problem in report.problems:
                print("PROBLEM:", problem)
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

    from handlers.exports import csv_files, parse_day, xlsx_workbook
    from handlers.i18n import TIMEZONE

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
    data = await services.stats.export(None, start, end, community_code=args.community)
    folder = Path(args.out)
    files = csv_files(tr, data)
    files[f"{data.community.code}-report.xlsx"] = xlsx_workbook(tr, data)

    def write_all() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (folder / name).write_bytes(content)

    await asyncio.to_thread(write_all)
    for name in files:
        print(folder / name)
    return 0
