"""CSV files (UTF-8 with BOM, so Excel opens Korean correctly) and one XLSX workbook with a
sheet each and a summary sheet of the statistics, for the performance report."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

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
from core.stats import ExportData, PeriodTotals

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


def _xlsx_row(sheet: Any, values: list[Any]) -> None:
    """Append a row; formula-like text is stored as a string cell with Excel's quote prefix
    (openpyxl would otherwise store any text starting with = as a formula)."""
    sheet.append(["" if formula_like(value) else value for value in values])
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if formula_like(value):
            cell = sheet.cell(row=row, column=column)
            cell.value = value
            cell.data_type = "s"
            cell.quotePrefix = True


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
    """One side of a transfer: a member's name (an erased one's label), or the community
    account, which has no membership and so no number."""
    if number is None:
        return tr("the community account")
    return name or former_member(tr, number)


def _when(moment: datetime | None, tr: Translator) -> str:
    """Seoul time in a form spreadsheets sort and read as a date."""
    return "" if moment is None else moment.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")


def _sheets(tr: Translator, data: ExportData) -> dict[str, tuple[list[Column], list[dict]]]:
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
    return {
        "transfers": (transfer_columns, data.transfers),
        "members": (member_columns, data.members),
        "posts": (post_columns, data.posts),
        "events": (event_columns, data.events),
    }


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


def csv_files(tr: Translator, data: ExportData) -> dict[str, bytes]:
    return {f"{data.community.code}-{name}.csv": csv_bytes(columns, rows)
            for name, (columns, rows) in _sheets(tr, data).items()}


def summary_rows(tr: Translator, data: ExportData) -> list[list[Any]]:
    stats = data.stats
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
    return rows


def xlsx_workbook(tr: Translator, data: ExportData) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    summary = workbook.active
    summary.title = tr("Summary")[:31]
    for row in summary_rows(tr, data):
        _xlsx_row(summary, row)
    titles = {"transfers": tr("Transfers"), "members": tr("Members"), "posts": tr("Posts"),
              "events": tr("Events")}
    for name, (columns, rows) in _sheets(tr, data).items():
        sheet = workbook.create_sheet(titles[name][:31])
        _xlsx_row(sheet, [title for title, _ in columns])
        for row in rows:
            _xlsx_row(sheet, [value(row) for _, value in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
