"""/takings [today | month | YYYY-MM-DD | YYYY-MM]: what a shop took, for its staff; paged,
with CSV and XLSX files of the period (streamed through the export's file writers), and a
Refund button for each payment of the page still within the refund window."""

from __future__ import annotations

import asyncio
import re
import tempfile
from datetime import date
from html import escape
from pathlib import Path

from conversation.export_files import CsvTable, Workbook
from conversation.exports import csv_cell, formula_like, parse_day
from conversation.i18n import TIMEZONE, Translator
from conversation.keyboards import pager
from conversation.limits import NAME_IN_LIST, cut
from conversation.render import numbered_name
from conversation.replies import Button, keyboard
from conversation.shop_render import won
from conversation.turn import Turn
from core.errors import DomainError
from core.membership import require_active_member
from core.merchant_pay import refundable
from core.takings import TakingLine, Takings, day_period, month_period

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


async def takings(turn: Turn) -> None:
    require_active_member(turn.actor)
    tr = turn.tr
    mine = await turn.services.organisations.mine(turn.actor)
    mine = [o for o in mine if o.status != "pending"]
    if not mine:
        raise DomainError("shop_not_yours")
    period = _period(turn, " ".join(turn.args))
    if period is None:
        await turn.reply(tr("Please write a day as YYYY-MM-DD or a month as YYYY-MM, e.g. "
                            "/takings 2026-03-05."))
        return
    first, last = period
    for organisation in mine:
        result = await turn.services.takings.takings(turn.actor, organisation.id, first, last)
        await _show(turn, result)


def _period(turn: Turn, text: str) -> tuple[date, date] | None:
    today = turn.services.takings.today()
    text = text.strip()
    if text in ("", "today", "오늘"):
        return day_period(today)
    if text in ("month", "이번달", "이번 달"):
        return month_period(today)
    day = parse_day(text)
    if day is not None:
        return day_period(day)
    match = _MONTH.match(text)
    if match and 1 <= int(match.group(2)) <= 12:
        return month_period(date(int(match.group(1)), int(match.group(2)), 1))
    return None


def _line(tr: Translator, line: TakingLine, unit: str) -> str:
    who = escape(numbered_name(tr, line.member_number, cut(line.member_name, NAME_IN_LIST)))
    text = (f"{tr.datetime(line.paid_at)} · {who} · {tr.amount(line.currency, unit)}"
            f" + {won(tr, line.cash)}")
    if line.reversed:
        return text + " " + tr("(reversed by a coordinator)")
    return text + (" " + tr("(refunded)") if line.refunded else "")


def takings_text(tr: Translator, result: Takings, unit: str) -> str:
    span = (result.first_day.isoformat() if result.first_day == result.last_day
            else f"{result.first_day.isoformat()} – {result.last_day.isoformat()}")
    lines = [
        tr("📊 {shop} · {span}", shop=escape(result.organisation.name), span=span),
        tr("{count} payments · {currency} in 품앗이 · {cash} in cash", count=result.count,
           currency=tr.amount(result.currency, unit), cash=won(tr, result.cash)),
    ]
    lines += [_line(tr, line, unit) for line in result.lines]
    if not result.lines:
        lines.append(tr("No payments in this period."))
    return "\n".join(lines)


def _code(first: date, last: date) -> str:
    return first.strftime("%Y%m%d") + ("" if first == last else "m")


def _from_code(code: str) -> tuple[date, date] | None:
    try:
        day = date(int(code[:4]), int(code[4:6]), int(code[6:8]))
    except ValueError:
        return None
    return month_period(day) if code.endswith("m") else day_period(day)


async def _show(turn: Turn, result: Takings) -> None:
    tr = turn.tr
    unit = escape(turn.actor.community.unit)
    ident, code = result.organisation.id, _code(result.first_day, result.last_day)
    now = turn.services.clock.now()
    rows = [[Button(_refund_label(tr, line, unit), f"mpay:rq:{line.payment_id}")]
            for line in result.lines
            if not (line.refunded or line.reversed) and refundable(line.paid_at, now)]
    rows += [pager(f"tk:p:{ident}:{code}", result.page, result.has_more, tr),
            [Button(tr("📊 Today's takings"), f"tk:d:{ident}"),
             Button(tr("📅 This month"), f"tk:m:{ident}")],
            [Button(tr("CSV file"), f"tk:csv:{ident}:{code}"),
             Button(tr("XLSX file"), f"tk:xlsx:{ident}:{code}")]]
    await turn.reply(takings_text(tr, result, unit), keyboard(rows))


def _refund_label(tr: Translator, line: TakingLine, unit: str) -> str:
    who = (f"#{line.member_number}" if line.member_number is not None
           else cut(line.member_name, 10))
    return tr("↩️ Refund {member} {currency}", member=who,
              currency=tr.amount(line.currency, unit))


async def on_button(turn: Turn) -> None:
    """`tk:d:<shop>` today, `tk:m:<shop>` this month, `tk:p:<shop>:<period>:<page>` a page,
    `tk:csv|xlsx:<shop>:<period>` the files."""
    parts = turn.data.split(":")
    if len(parts) < 3 or not parts[2].isdigit():
        return
    action, ident = parts[1], int(parts[2])
    today = turn.services.takings.today()
    if action in ("d", "m"):
        first, last = day_period(today) if action == "d" else month_period(today)
        await turn.answer()
        await _show(turn, await turn.services.takings.takings(turn.actor, ident, first, last))
        return
    period = _from_code(parts[3]) if len(parts) > 3 else None
    if period is None:
        return
    if action == "p" and len(parts) > 4 and parts[4].isdigit():
        result = await turn.services.takings.takings(turn.actor, ident, *period,
                                                     page=int(parts[4]))
        await turn.answer()
        await _show(turn, result)
    elif action in ("csv", "xlsx"):
        await turn.answer()
        await _send_file(turn, ident, period, action)


async def _send_file(turn: Turn, ident: int, period: tuple[date, date], kind: str) -> None:
    tr = turn.tr
    header = [tr("Date and time"), tr("Member number"), tr("Member"), tr("Bill (won)"),
              tr("품앗이 ({unit})", unit=turn.actor.community.unit), tr("Cash (won)"),
              tr("Refunded")]
    with tempfile.TemporaryDirectory(prefix="pumasi-takings-") as folder:
        async with turn.services.takings.stream(turn.actor, ident, *period) as (shop, chunks):
            stem = f"shop{shop.number}-{_code(*period)}"
            table = (CsvTable(Path(folder), stem, [csv_cell(t) for t in header])
                     if kind == "csv" else None)
            book = Workbook([tr("Takings")]) if kind == "xlsx" else None
            if book is not None:
                book.append(0, [header], formula_like)
            async for lines in chunks:
                values = [_cells(tr, line) for line in lines]
                if table is not None:
                    await asyncio.to_thread(
                        table.add, [[csv_cell(v) for v in row] for row in values])
                else:
                    await asyncio.to_thread(book.append, 0, values, formula_like)
        if table is not None:
            out = (await asyncio.to_thread(table.finish, None))[0]
        else:
            out = await asyncio.to_thread(book.finish, Path(folder) / f"{stem}.xlsx")
        await turn.file(out.path.read_bytes(), out.name,
                        tr("Takings of {shop}", shop=escape(shop.name)))


def _cells(tr: Translator, line: TakingLine) -> list:
    return [line.paid_at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M"),
            line.member_number or "", line.member_name, line.bill, line.currency, line.cash,
            tr("yes") if line.refunded else tr("reversed") if line.reversed else ""]
