"""The export's files, written into a folder as the rows arrive, so memory stays flat whatever
the size of the period: each CSV straight to its file, the workbook with openpyxl's write-only
mode. A CSV too big for one message goes as ZIP volumes of monthly files.

Everything here is synchronous CPU and file work, meant to run off the event loop."""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

# Telegram lets bots send documents of up to 50 MB; a file is kept under this many bytes.
DOCUMENT_LIMIT = 50_000_000
# What a ZIP volume may still grow by beyond what is on disk: the compressor's output not yet
# written (zlib at memLevel 8 emits a block every 16K symbols, under 64 KiB compressed), and
# the member headers and closing directory.
_PENDING = 128 * 1024
_TAIL = 64 * 1024
_BOM = "\ufeff".encode()
_COPY_BLOCK = 1 << 20


@dataclass(frozen=True)
class OutFile:
    """A finished file of the export."""

    path: Path
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def _csv_bytes(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


class CsvTable:
    """One table's CSV (UTF-8 with a BOM, so Excel reads Korean), written to `folder`, with the
    byte range of each chunk of rows and its month kept, so that a file too big to send can be
    cut into monthly files at row boundaries without being read as CSV again."""

    def __init__(self, folder: Path, stem: str, header: list[Any]) -> None:
        self.folder = folder
        self.stem = stem  # e.g. "mapo-transfers"
        self.path = folder / f"{stem}.csv"
        self._head = _BOM + _csv_bytes([header])
        self._file: IO[bytes] = self.path.open("w+b")
        self._file.write(self._head)
        self._segments: list[tuple[str, int, int]] = []  # (month or "", start, end)

    def add(self, rows: list[list[Any]], month: str = "") -> None:
        data = _csv_bytes(rows)
        start = self._file.tell()
        self._file.write(data)
        self._segments.append((month, start, start + len(data)))

    def close(self) -> None:
        """Drop the file of an export that will not be finished."""
        self._file.close()
        self.path.unlink(missing_ok=True)

    def finish(self, limit: int | None) -> list[OutFile]:
        """The CSV itself if it fits in `limit` bytes (None: no limit); else ZIP volumes."""
        size = self._file.tell()
        if limit is None or size <= limit:
            self._file.close()
            return [OutFile(self.path, size)]
        try:
            volumes = self._zipped(limit)
        finally:
            self.close()
        if len(volumes) == 1:
            single = volumes[0].rename(self.folder / f"{self.stem}.zip")
            return [OutFile(single, single.stat().st_size)]
        return [OutFile(volume, volume.stat().st_size) for volume in volumes]

    def _zipped(self, limit: int) -> list[Path]:
        """Volumes of at most `limit` bytes, each holding one CSV per month (with the header);
        a month cut by the end of a volume goes on in the next as `…-2026-03-2.csv`."""
        volumes: list[Path] = []
        handle: IO[bytes] | None = None
        archive: zipfile.ZipFile | None = None
        member: IO[bytes] | None = None
        member_month = ""
        member_bytes = 0  # written into the member so far, before compression
        files_of_month: Counter[str] = Counter()

        def close_volume() -> None:
            nonlocal handle, archive, member
            for part in (member, archive, handle):
                if part is not None:
                    part.close()
            handle = archive = member = None

        def drop_volumes() -> None:
            for part in (member, archive, handle):
                with contextlib.suppress(Exception):
                    if part is not None:
                        part.close()
            for volume in volumes:
                volume.unlink(missing_ok=True)

        try:
            for month, start, end in self._segments:
                # Deflate never makes a chunk bigger than it is (but for a few bytes a block),
                # so this bounds the volume's size once the chunk is in.
                held_back = min(member_bytes, _PENDING)
                grows = end - start + len(self._head) + _TAIL
                if handle is None or (member is not None
                                      and handle.tell() + held_back + grows > limit):
                    close_volume()
                    volumes.append(self.folder / f"{self.stem}-{len(volumes) + 1}.zip")
                    handle = volumes[-1].open("wb")
                    archive = zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED)
                assert archive is not None
                if member is None or month != member_month:
                    if member is not None:
                        member.close()
                    files_of_month[month] += 1
                    count = files_of_month[month]
                    parts = [self.stem, month, str(count) if count > 1 else ""]
                    member = archive.open("-".join(p for p in parts if p) + ".csv", "w")
                    member.write(self._head)
                    member_month, member_bytes = month, len(self._head)
                self._copy(start, end, member)
                member_bytes += end - start
            close_volume()
        except BaseException:
            drop_volumes()
            raise
        return volumes

    def _copy(self, start: int, end: int, into: IO[bytes]) -> None:
        self._file.seek(start)
        left = end - start
        while left > 0:
            block = self._file.read(min(_COPY_BLOCK, left))
            into.write(block)
            left -= len(block)


class Workbook:
    """An XLSX workbook written row by row (openpyxl's write-only mode): rows go to
    temporary files as they come and are zipped into the workbook at the end."""

    def __init__(self, titles: list[str]) -> None:
        from openpyxl import Workbook as OpenpyxlWorkbook

        self._book = OpenpyxlWorkbook(write_only=True)
        self._sheets = [self._book.create_sheet(title[:31]) for title in titles]

    def append(self, sheet: int, rows: list[list[Any]],
               quoted: Callable[[Any], bool]) -> None:
        """Rows of values; a value for which `quoted` is true is stored as a string cell with
        Excel's quote prefix (openpyxl would store text starting with = as a formula)."""
        target = self._sheets[sheet]
        for values in rows:
            if any(quoted(value) for value in values):
                values = [self._text_cell(target, value) if quoted(value) else value
                          for value in values]
            target.append(values)

    @staticmethod
    def _text_cell(sheet: Any, value: str) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell

    def finish(self, path: Path) -> OutFile:
        try:
            self._book.save(path)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return OutFile(path, path.stat().st_size)

    def close(self) -> None:
        """Remove the rows' temporary files of a workbook that will not be finished."""
        for sheet in self._sheets:
            with contextlib.suppress(Exception):
                if not sheet.closed:
                    sheet.close()  # ends openpyxl's writer, which holds the file open
            path = getattr(getattr(sheet, "_writer", None), "out", None)
            if isinstance(path, str):
                Path(path).unlink(missing_ok=True)
