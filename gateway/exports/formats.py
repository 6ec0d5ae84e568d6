"""An export's rows as CSV or XLSX bytes, produced chunk by chunk.

CSV is UTF-8 with a byte-order mark, so that Excel opens Chinese text as Chinese and not as
mojibake; a text cell that a spreadsheet would take for a formula (it starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return: a student's free text may) is prefixed with
``'``, OWASP's advice against CSV injection. Each batch of rows becomes one chunk, so the
first rows leave while the later ones are still being read.

XLSX is a ZIP archive whose directory comes last, so it cannot leave before its last row is
written: XlsxWriter writes the rows in ``constant_memory`` mode (each row flushed to a
temporary file as it is done) into an anonymous temporary file, which is then sent in
chunks and is gone when closed. The writing and the compression run off eventlet's hub
(``gateway.core.off_the_hub``), so a large XLSX does not stall other requests. Cells are
typed: text is always written as text, never as a formula or a link, so XLSX needs no prefix.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import xlsxwriter

from gateway.core.off_the_hub import off_the_hub

BOM = "\ufeff"
CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_CHUNK_BYTES = 64 * 1024
XLSX_MAX_ROWS = 1_048_576  # Excel's limit, the header row included
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NOT_IN_FILE_NAMES = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;%]+')

Batches = Iterable[Sequence[Sequence[Any]]]


class ExportTooLargeError(Exception):
    """More rows than a worksheet holds: the download is cut rather than silently short."""


def csv_cell(value: Any) -> str:
    """A value as CSV text: empty for none, ``true``/``false``, text defused of formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    return str(value)


def csv_chunks(headers: Sequence[str], batches: Batches) -> Iterator[bytes]:
    """The BOM and the header line, then one chunk per batch of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def taken() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    buffer.write(BOM)
    writer.writerow(headers)
    yield taken()
    for batch in batches:
        writer.writerows([csv_cell(value) for value in row] for row in batch)
        yield taken()


def xlsx_chunks(sheet_name: str, headers: Sequence[str], batches: Batches) -> Iterator[bytes]:
    """One worksheet with a bold header row, written row by row, then sent in chunks."""
    with tempfile.TemporaryFile(prefix="gravity-export-", suffix=".xlsx") as file:
        workbook = xlsxwriter.Workbook(
            file,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        sheet = workbook.add_worksheet(sheet_name)
        sheet.freeze_panes(1, 0)
        bold = workbook.add_format({"bold": True})
        for column, header in enumerate(headers):
            sheet.write_string(0, column, header, bold)
        row = 1
        for batch in batches:  # read on the hub (green database I/O), written off it
            if row + len(batch) > XLSX_MAX_ROWS:
                raise ExportTooLargeError(f"an XLSX holds at most {XLSX_MAX_ROWS - 1} rows")
            off_the_hub(_write_rows, sheet, row, batch)
            row += len(batch)
        off_the_hub(workbook.close)  # the ZIP compression: seconds for a large season
        file.seek(0)
        while chunk := file.read(FILE_CHUNK_BYTES):
            yield chunk


def _write_rows(sheet: Any, first_row: int, batch: Sequence[Sequence[Any]]) -> None:
    for row, values in enumerate(batch, start=first_row):
        for column, value in enumerate(values):
            _write_cell(sheet, row, column, value)


def _write_cell(sheet: Any, row: int, column: int, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    else:
        sheet.write_string(row, column, str(value))


def attachment(ascii_name: str, name: str) -> str:
    """A ``Content-Disposition`` that saves as ``name`` (RFC 5987 ``filename*``, UTF-8) and,
    in clients that know only ``filename``, as ``ascii_name``."""
    plain = _NOT_IN_FILE_NAMES.sub("-", ascii_name).encode("ascii", "replace").decode()
    full = _NOT_IN_FILE_NAMES.sub("-", name)
    quoted = urllib.parse.quote(full, safe="")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quoted}"
