"""The streamed export writes exactly what the in-memory export wrote (the CSV bytes, the
workbook's cells), however the rows are chunked; a CSV too big for one message goes as ZIP
volumes of monthly files; a table too big for the workbook is named there, not cut."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook

from conversation import exports
from conversation.export_files import CsvTable
from conversation.exports import (
    _columns,
    csv_cell,
    csv_files,
    formula_like,
    summary_rows,
    write_export,
    xlsx_workbook,
)
from conversation.i18n import translator
from core.stats import ExportData
from tests.handlers.test_exports import EVIL_NAME, every_code
from tests.support import seed_community

PERIOD = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))


# ----- the export as it was written before it streamed: the reference --------------------

def reference_csv(tr, data: ExportData) -> dict[str, bytes]:
    files = {}
    for name, columns in _columns(tr).items():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([csv_cell(title) for title, _ in columns])
        for row in getattr(data, name):
            writer.writerow([csv_cell(value(row)) for _, value in columns])
        files[f"{data.community.code}-{name}.csv"] = buffer.getvalue().encode("utf-8-sig")
    return files


def _reference_row(sheet, values) -> None:
    sheet.append(["" if formula_like(value) else value for value in values])
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if formula_like(value):
            cell = sheet.cell(row=row, column=column)
            cell.value = value
            cell.data_type = "s"
            cell.quotePrefix = True


def reference_xlsx(tr, data: ExportData) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = tr("Summary")[:31]
    for row in summary_rows(tr, data.stats):
        _reference_row(summary, row)
    titles = {"transfers": tr("Transfers"), "members": tr("Members"), "posts": tr("Posts"),
              "events": tr("Events")}
    for name, columns in _columns(tr).items():
        sheet = workbook.create_sheet(titles[name][:31])
        _reference_row(sheet, [title for title, _ in columns])
        for row in getattr(data, name):
            _reference_row(sheet, [value(row) for _, value in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cells(content: bytes) -> dict[str, list[list[tuple]]]:
    """Every sheet's cells as (value, type, quote prefix), rows trimmed of empty cells."""
    workbook = load_workbook(io.BytesIO(content))
    sheets = {}
    for sheet in workbook.worksheets:
        rows = []
        for row in sheet.iter_rows():
            line = [(c.value, c.data_type, bool(c.quotePrefix)) for c in row]
            while line and line[-1][0] is None:
                line.pop()
            rows.append(line)
        sheets[sheet.title] = rows
    return sheets


# ----- fixtures ------------------------------------------------------------------------------

@pytest.fixture
async def months(services, clock):
    """Trades over five months with formula-like names and memos, posts, a correction."""
    kim, lee, park = await seed_community(services)
    await services.people.resolve("telegram", "102", EVIL_NAME, "user102")
    lee = await services.people.reload(lee.person.id)
    memos = ["+1+2", "떡값", "@SUM(A1)", "-2+3", "", "김장 =도움", "\t=1"]
    for index in range(23):
        payer, payee = (lee, "#3") if index % 3 else (kim, "#2")
        view = await services.ledger.start_trade(payer, kind="pay", counterparty=payee,
                                                 amount=100 + index, memo=memos[index % 7],
                                                 request_key=f"m{index}")
        await services.ledger.confirm_pay(payer, view.request.id)
        if index % 5 == 0:
            await services.market.create_post(lee, kind="offer", category="food",
                                              title=f"=떡 {index}", description="",
                                              price=None, photo_file_id=None)
        clock.advance(timedelta(days=6, hours=5))
    return kim


# ----- equality ------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", ["ko", "en"])
def test_in_memory_files_are_the_reference_files(locale):
    tr = translator(locale)
    data = every_code()
    assert csv_files(tr, data) == reference_csv(tr, data)
    assert cells(xlsx_workbook(tr, data)) == cells(reference_xlsx(tr, data))


@pytest.mark.parametrize("chunk", [1, 4, 5000])
async def test_streamed_in_chunks_the_files_are_the_reference_files(services, months, chunk,
                                                                    tmp_path):
    tr = translator("ko")
    data = await services.stats.export(months, *PERIOD)
    assert len(data.transfers) == 23 and len(data.posts) == 5
    async with services.stats.export_stream(months, *PERIOD, chunk=chunk) as stream:
        files = await write_export(tr, stream, tmp_path)
    written = {file.name: file.path.read_bytes() for file in files}
    expected = reference_csv(tr, data)
    assert list(written) == [*expected, "mapo-report.xlsx"]
    for name, content in expected.items():
        assert written[name] == content, name
    assert cells(written["mapo-report.xlsx"]) == cells(reference_xlsx(tr, data))


# ----- too big for one message -------------------------------------------------------------

def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_csv_over_the_limit_goes_as_zip_volumes_of_monthly_files(tmp_path):
    header = ["거래", "날짜", "메모"]
    table = CsvTable(tmp_path, "mapo-transfers", header)
    every = []
    number = 0
    for month in ["2026-01", "2026-02", "2026-03", "2026-04"]:
        for _ in range(7):  # seven chunks a month
            chunk = [[f"T{number + i}", f"{month}-0{1 + i % 9} 10:00",
                      hashlib.sha1(str(number + i).encode()).hexdigest()] for i in range(400)]
            number += 400
            every += chunk
            table.add(chunk, month)
    limit = 300_000
    files = table.finish(limit)
    assert not (tmp_path / "mapo-transfers.csv").exists()
    assert len(files) > 1 and [f.name for f in files] == [
        f"mapo-transfers-{n}.zip" for n in range(1, len(files) + 1)]
    found = []
    names = []
    for file in files:
        assert file.size == file.path.stat().st_size <= limit
        with zipfile.ZipFile(file.path) as archive:
            for name in archive.namelist():
                content = archive.read(name)
                assert content.startswith(b"\xef\xbb\xbf")
                rows = rows_of(content)
                assert rows[0] == header and len(rows) > 1
                month = name.removeprefix("mapo-transfers-")[:7]
                assert all(row[1].startswith(month) for row in rows[1:]), name
                found += rows[1:]
                names.append(name)
    assert found == every
    assert names[0] == "mapo-transfers-2026-01.csv"
    assert any(name.endswith("-2.csv") for name in names)  # a month went on in the next
    assert len(set(names)) == len(names)


def test_a_csv_within_the_limit_stays_a_csv(tmp_path):
    table = CsvTable(tmp_path, "mapo-members", ["번호"])
    table.add([["1"], ["2"]])
    (file,) = table.finish(10_000)
    assert file.name == "mapo-members.csv" and rows_of(file.path.read_bytes())[1:] == [
        ["1"], ["2"]]


async def test_a_table_too_big_for_the_workbook_is_named_there_and_whole_in_the_csv(
        services, months, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "WORKBOOK_ROWS", 10)
    async with services.stats.export_stream(months, *PERIOD, chunk=4) as stream:
        files = await write_export(translator("ko"), stream, tmp_path)
    written = {file.name: file.path for file in files}
    assert len(rows_of(written["mapo-transfers.csv"].read_bytes())) == 24
    sheet = cells(written["mapo-report.xlsx"].read_bytes())["거래 내역"]
    assert len(sheet) == 2
    assert "23건" in sheet[1][0][0] and "CSV" in sheet[1][0][0]
    assert len(cells(written["mapo-report.xlsx"].read_bytes())["게시물"]) == 6  # under 10


async def test_a_failed_export_leaves_no_file(services, months, tmp_path, monkeypatch):
    def broken(self, table, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports.ExportWriter, "add", broken)
    folder = tmp_path / "export"
    folder.mkdir()
    with pytest.raises(RuntimeError, match="disk full"):
        async with services.stats.export_stream(months, *PERIOD) as stream:
            await write_export(translator("ko"), stream, folder)
    assert list(folder.iterdir()) == []
