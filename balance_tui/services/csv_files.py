"""Reading and writing CSV files the way an operator's spreadsheet makes and opens them.

Reading: UTF-8 with or without a byte-order mark; a file that is not UTF-8, a line with more
fields than the header, an unknown column or a field too long for a money back office is
refused with the line named. Writing: cells a spreadsheet would run as formulas are
neutralised and control characters escaped (``domain.text.spreadsheet_cell``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from balance_tui.domain.errors import InvalidInputError
from balance_tui.domain.text import spreadsheet_cell, visible_line

#: The longest field we read (names are 200, reasons 500, metadata 10,000 characters).
MAX_FIELD = 20_000
#: The largest CSV file an import reads, and the most rows it takes: an import is one
#: transaction (all or nothing), so every other writer waits for it while it runs.
MAX_BYTES = 64 * 1024 * 1024
MAX_ROWS = 50_000


def read_rows(
    path: Path, required: Iterable[str], optional: Iterable[str]
) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: text}) for every non-empty row; raises with the line named."""
    required, optional = tuple(required), tuple(optional)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InvalidInputError(f"{path} is over {MAX_BYTES // 2**20:,} MB; split it.")
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"Cannot read {path}: {exc.strerror}.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInputError(
            f"{path}, line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
            "save the file as UTF-8. Nothing imported."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = [_column_name(h) for h in next(reader, [])]
        _check_header(path, header, required, optional)
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(fields) > len(header):
                raise InvalidInputError(
                    f"{path}, line {line}: {len(fields)} fields, but the header names "
                    f"{len(header)}. Nothing imported."
                )
            long = next((f for f in fields if len(f) > MAX_FIELD), None)
            if long is not None:
                raise InvalidInputError(
                    f"{path}, line {line}: a field of {len(long):,} characters "
                    f"(the limit is {MAX_FIELD:,}). Nothing imported."
                )
            if len(rows) == MAX_ROWS:
                raise InvalidInputError(
                    f"{path} has more than {MAX_ROWS:,} rows: an import is one transaction "
                    "that every other writer waits for; split the file. Nothing imported."
                )
            rows.append((line, dict(zip(header, fields + [""] * len(header), strict=False))))
    except csv.Error as exc:
        raise InvalidInputError(
            f"{path}, line {reader.line_num}: not readable as CSV ({exc}). Nothing imported."
        ) from None
    return rows


#: Characters no one sees in a header: byte-order marks (a file saved twice, files pasted
#: together) and zero-width spaces and joiners.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"))


def _column_name(field: str) -> str:
    """A header field as it reads: invisible characters and spaces around it dropped."""
    return field.translate(_INVISIBLE).strip().lower()


def _check_header(
    path: Path, header: list[str], required: tuple[str, ...], optional: tuple[str, ...]
) -> None:
    if any(len(h) > 100 for h in header):
        raise InvalidInputError(f"{path}, line 1: a header field is too long to be a column name.")
    missing = [c for c in required if c not in header]
    if missing:
        raise InvalidInputError(
            f"{path}: the header must name {', '.join(required)}; missing {', '.join(missing)}."
        )
    unknown = [h for h in header if h not in required + optional]
    if unknown:
        raise InvalidInputError(
            f"{path}, line 1: unknown column {visible_line(unknown[0])!r}; the columns are "
            f"{', '.join(required + optional)}."
        )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise InvalidInputError(f"{path}, line 1: column {duplicated[0]!r} appears twice.")


def write_rows(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Rows as CSV (the first row's keys are the header); returns the count."""
    writer: csv.DictWriter[str] | None = None
    count = 0
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row))
            writer.writeheader()
        writer.writerow({k: spreadsheet_cell(v) for k, v in row.items()})
        count += 1
    return count
