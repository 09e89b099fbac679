"""The year's report as an XLSX workbook (openpyxl, write-only): a sheet per section with the
same figures as the PDF, numbers as numbers, amounts formatted with their unit."""

from __future__ import annotations

from pathlib import Path

from conversation.exports import formula_like
from conversation.report_sections import Amount, Cell, Section


def write_xlsx(title: str, sections: list[Section], path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    book.properties.title = title
    for section in sections:
        sheet = book.create_sheet(section.key)
        bold = Font(bold=True)
        head = WriteOnlyCell(sheet, value=section.title)
        head.font = bold
        sheet.append([head])
        if section.note:
            sheet.append([section.note])
        labels = []
        for name in section.headers:
            label = WriteOnlyCell(sheet, value=name)
            label.font = bold
            labels.append(label)
        sheet.append(labels)
        for values in section.rows:
            sheet.append([_cell(sheet, value, WriteOnlyCell) for value in values])
    book.save(str(path))
    return path


def _cell(sheet, value: Cell, make):
    if isinstance(value, Amount):
        cell = make(sheet, value=value.value)
        unit = value.unit.replace('"', "")
        cell.number_format = f'#,##0"{unit}"' if unit else "#,##0"
        return cell
    if isinstance(value, int):
        cell = make(sheet, value=value)
        cell.number_format = "#,##0"
        return cell
    if formula_like(value):  # a story or name starting with = stays text
        cell = make(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value
