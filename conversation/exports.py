"""CSV files (UTF-8 with BOM, so Excel opens Korean correctly) and one XLSX workbook with a
sheet each and a summary sheet of the statistics, for the performance report.

`write_export` streams a period of any size into files (see `export_files`); `csv_files` and
`xlsx_workbook` give the same files' bytes for data already in memory."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import tempfile
from collections.abc import Callable
from contextlib import aclosing
from datetime import date, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from conversation.channel_stats import channel_name
from conversation.channel_stats import summary_rows as channel_rows
from conversation.export_files import DOCUMENT_LIMIT, CsvTable, OutFile, Workbook
from conversation.i18n import TIMEZONE, Translator
from conversation.render import (
    category_name,
    former_member,
    kind_label,
    member_status_name,
    post_status_name,
    role_name,
    transfer_kind_name,
)
from conversation.render_events import event_status_name
from conversation.render_events import kind_name as event_kind_name
from core.models import Community
from core.stats import EXPORT_TABLES, CommunityStats, ExportData, ExportStream, PeriodTotals

Column = tuple[str, Callable[[dict[str, Any]], Any]]

# A cell whose text starts with one of these is read by spreadsheets as a formula
# (OWASP "CSV injection"): a member named =HYPERLINK(...) must stay a name.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """Text a spreadsheet would run as a formula; numbers (a negative amount) are not."""
    return isinstance(value, str) and value.startswith(_FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """The value for a CSV cell: formula-like text gets a leading ' so it stays text."""
    return "'" + value if formula_like(value) else value


_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_day(text: str | None) -> date | None:
    """A day written YYYY-MM-DD (2026-3-5 too); None when it is not a real day."""
    match = _DAY.fullmatch((text or "").strip())
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def party_name(tr: Translator, number: int | None, name: str | None) -> str:
    """One side of a transfer: a member's name (an erased one's label), a shop's or an
    institution's name, or the community account (no membership, so no number, no name)."""
    if number is None:
        return name or tr("the community account")
    return name or former_member(tr, number)


def _when(moment: datetime | None, tr: Translator) -> str:
    """Seoul time in a form spreadsheets sort and read as a date."""
    return "" if moment is None else moment.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")


def _columns(tr: Translator) -> dict[str, list[Column]]:
    transfer_columns: list[Column] = [
        (tr("Transfer"), lambda r: f"T{r['id']}"),
        (tr("Date and time"), lambda r: _when(r["created_at"], tr)),
        (tr("Kind"), lambda r: transfer_kind_name(tr, r["kind"], r["purpose"])),
        (tr("Payer number"), lambda r: r["payer_number"] or ""),
        (tr("Payer"), lambda r: party_name(tr, r["payer_number"], r["payer_name"])),
        (tr("Payee number"), lambda r: r["payee_number"] or ""),
        (tr("Payee"), lambda r: party_name(tr, r["payee_number"], r["payee_name"])),
        (tr("Amount"), lambda r: r["amount"]),
        (tr("Memo"), lambda r: r["memo"] or ""),
        (tr("Correction of"), lambda r: f"T{r['reverses_id']}" if r["reverses_id"] else ""),
        (tr("Reason"), lambda r: r["reason"] or ""),
        # where the statistics count it (a correction or a reversed trade counts nowhere)
        (tr("Channel"), lambda r: channel_name(tr, r["channel"]) if r["channel"] else ""),
    ]
    member_columns: list[Column] = [
        (tr("Number"), lambda r: r["number"] or ""),
        (tr("Name"), lambda r: r["display_name"] or former_member(tr, r["number"])),
        (tr("Role"), lambda r: role_name(tr, r["role"])),
        (tr("Status"), lambda r: member_status_name(tr, r["status"])),
        (tr("Joined"), lambda r: _when(r["decided_at"] or r["created_at"], tr)),
        (tr("Balance"), lambda r: r["balance"] if r["balance"] is not None else ""),
        (tr("Credit floor"), lambda r: r["credit_floor"]),
        (tr("Ceiling"), lambda r: r["credit_ceiling"]),
    ]
    post_columns: list[Column] = [
        (tr("Post"), lambda r: r["id"]),
        (tr("Date and time"), lambda r: _when(r["created_at"], tr)),
        (tr("Kind"), lambda r: kind_label(tr, r["kind"])),
        (tr("Category"), lambda r: category_name(tr, r["category"])),
        (tr("Title"), lambda r: r["title"] or tr("(erased)")),
        (tr("Price"), lambda r: r["price"] if r["price"] is not None else ""),
        (tr("Status"), lambda r: post_status_name(tr, r["status"])),
        (tr("Author number"), lambda r: r["author_number"]),
        (tr("Author"), lambda r: r["author_name"] or former_member(tr, r["author_number"])),
    ]
    event_columns: list[Column] = [
        (tr("Event"), lambda r: r["id"]),
        (tr("Kind"), lambda r: event_kind_name(tr, r["kind"])),
        (tr("Title"), lambda r: r["title"]),
        (tr("Start"), lambda r: _when(r["starts_at"], tr)),
        (tr("End"), lambda r: _when(r["ends_at"], tr)),
        (tr("Place"), lambda r: r["place"] or ""),
        (tr("Capacity"), lambda r: r["capacity"] or ""),
        (tr("Status"), lambda r: event_status_name(tr, r["status"])),
        (tr("Signed up"), lambda r: r["signed_up"]),
        (tr("Attended"), lambda r: r["attended"]),
    ]
    return {"transfers": transfer_columns, "members": member_columns, "posts": post_columns,
            "events": event_columns}


def csv_bytes(columns: list[Column], rows: list[dict], tail: list[Any] | None = None) -> bytes:
    """A CSV file (UTF-8 with BOM) of the rows under the column titles, every cell guarded
    against formulas; `tail` is a last line (e.g. "… 12 more rows not included")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(title) for title, _ in columns])
    for row in rows:
        writer.writerow([csv_cell(value(row)) for _, value in columns])
    if tail:
        writer.writerow([csv_cell(value) for value in tail])
    return buffer.getvalue().encode("utf-8-sig")


def summary_rows(tr: Translator, stats: CommunityStats) -> list[list[Any]]:
    periods: list[tuple[str, PeriodTotals]] = [
        (tr("This year ({year})", year=stats.year), stats.this_year),
        (tr("Last year ({year})", year=stats.year - 1), stats.last_year),
        (tr("Cumulative"), stats.cumulative),
    ]
    rows: list[list[Any]] = [[tr("Period"), tr("Trades"), tr("Volume ({unit})",
                                                               unit=stats.community.unit),
                              tr("Active members"), tr("New members"), tr("Posts"),
                              tr("Event attendance")]]
    for label, totals in periods:
        rows.append([label, totals.trades, totals.volume, totals.active_members,
                     totals.new_members, totals.posts, totals.attendance])
    rows.append([])
    rows.append([tr("Month"), tr("Trades"), tr("Volume ({unit})", unit=stats.community.unit)])
    for month in stats.months_last_year + stats.months_this_year:
        rows.append([month.month, month.trades, month.volume])
    rows.append([])
    rows += channel_rows(tr, stats)
    return rows


# A workbook holds a table's rows up to this many; beyond, its sheet says they are in the CSV
# files. (A spreadsheet opens 1,048,576 rows; 300,000 transfers make a workbook of some 19 MB,
# well under what Telegram takes, in a minute's writing; a community's year has ~10,000.)
WORKBOOK_ROWS = 300_000


def _month(field: str) -> Callable[[dict[str, Any]], str]:
    return lambda row: row[field].astimezone(TIMEZONE).strftime("%Y-%m")


# Tables whose CSV, when too big for one message, is cut into monthly files.
_MONTH_OF = {"transfers": _month("created_at"), "posts": _month("created_at")}


class ExportWriter:
    """The export's files, written into `folder` as the rows of each table are fed in, chunk by
    chunk (synchronous: run it off the event loop). `limit`: the largest file to send (None: no
    limit, nothing zipped); `counts`: the tables' sizes where known, for the workbook."""

    def __init__(self, tr: Translator, community: Community, stats: CommunityStats,
                 folder: Path, *, csv: bool = True, workbook: bool = True,
                 limit: int | None = DOCUMENT_LIMIT, counts: dict[str, int] | None = None
                 ) -> None:
        self._folder = folder
        self._code = community.code
        self._limit = limit
        self._columns = _columns(tr)
        self._csv: dict[str, CsvTable] = {}
        self._book: Workbook | None = None
        self._left_out = {name for name, count in (counts or {}).items()
                          if count > WORKBOOK_ROWS}
        try:
            if csv:
                for name, columns in self._columns.items():
                    self._csv[name] = CsvTable(folder, f"{self._code}-{name}",
                                               [csv_cell(title) for title, _ in columns])
            if workbook:
                self._book = Workbook([tr("Summary"), tr("Transfers"), tr("Members"),
                                       tr("Posts"), tr("Events")])
                self._book.append(0, summary_rows(tr, stats), formula_like)
                for name, columns in self._columns.items():
                    self._book.append(self._sheet(name), [[title for title, _ in columns]],
                                      formula_like)
                    if name in self._left_out:
                        note = tr("This period has {count} rows, too many for this workbook: "
                                  "they are all in the CSV file sent with it.",
                                  count=tr.number((counts or {})[name]))
                        self._book.append(self._sheet(name), [[note]], formula_like)
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _sheet(table: str) -> int:
        return 1 + EXPORT_TABLES.index(table)

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        getters = [value for _, value in self._columns[table]]
        values = [[value(row) for value in getters] for row in rows]
        if table in self._csv:
            cells = [[csv_cell(value) for value in line] for line in values]
            month_of = _MONTH_OF.get(table)
            if month_of is None:
                self._csv[table].add(cells)
            else:
                months = [month_of(row) for row in rows]
                start = 0
                for month, group in groupby(months):
                    end = start + sum(1 for _ in group)
                    self._csv[table].add(cells[start:end], month)
                    start = end
        if self._book is not None and table not in self._left_out:
            self._book.append(self._sheet(table), values, formula_like)

    def finish(self) -> list[OutFile]:
        """The CSV files (or ZIP volumes) in table order, then the workbook."""
        files: list[OutFile] = []
        try:
            for table in self._csv.values():
                files += table.finish(self._limit)
            self._csv = {}
            if self._book is not None:
                files.append(self._book.finish(self._folder / f"{self._code}-report.xlsx"))
                self._book = None
        except BaseException:
            for file in files:
                file.path.unlink(missing_ok=True)
            self.close()
            raise
        return files

    def close(self) -> None:
        """Drop the files of an export that will not be finished."""
        for table in self._csv.values():
            table.close()
        if self._book is not None:
            self._book.close()
        self._csv, self._book = {}, None


async def write_export(tr: Translator, stream: ExportStream, folder: Path, *,
                       limit: int | None = DOCUMENT_LIMIT) -> list[OutFile]:
    """Every file of the export, written into `folder` from the stream's chunks; the formatting
    and writing run in a worker thread, so the event loop stays free meanwhile."""
    counts = {}
    for table in EXPORT_TABLES:
        count = await stream.count(table)
        if count is not None:
            counts[table] = count
    writer = await asyncio.to_thread(ExportWriter, tr, stream.community, stream.stats, folder,
                                     limit=limit, counts=counts)
    try:
        for table in EXPORT_TABLES:
            async with aclosing(stream.rows(table)) as chunks:
                async for rows in chunks:
                    await asyncio.to_thread(writer.add, table, rows)
        return await asyncio.to_thread(writer.finish)
    except BaseException:
        writer.close()
        raise


def _in_memory(tr: Translator, data: ExportData, **options: Any) -> dict[str, bytes]:
    """The files of data already in memory, as bytes (for small periods and tests)."""
    with tempfile.TemporaryDirectory(prefix="pumasi-export-") as folder:
        writer = ExportWriter(tr, data.community, data.stats, Path(folder), **options)
        try:
            for table in EXPORT_TABLES:
                writer.add(table, getattr(data, table))
        except BaseException:
            writer.close()
            raise
        return {file.name: file.path.read_bytes() for file in writer.finish()}


def csv_files(tr: Translator, data: ExportData) -> dict[str, bytes]:
    return _in_memory(tr, data, workbook=False, limit=None)


def xlsx_workbook(tr: Translator, data: ExportData) -> bytes:
    counts = {table: len(getattr(data, table)) for table in EXPORT_TABLES}
    return next(iter(_in_memory(tr, data, csv=False, counts=counts).values()))
