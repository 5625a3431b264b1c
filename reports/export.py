"""Any report as CSV or XLSX, written as a stream of byte chunks in bounded memory (no web framework here).

``columns`` say which value of each row goes where and what its header says (bilingual, e.g. "接通率
answer_rate"); ``rows`` are sequences in column order or mappings by column key, pulled lazily, so a year of
calls (~530,000 rows) never sits in memory.

Choices, the same in both formats unless said:

- Date-times are shown in the hotline's local time zone ``tz`` (the managers' clock; pass
  ``ZoneInfo(settings.timezone)``; UTC by default). A naive datetime is taken as UTC, as the database stores it.
  CSV writes ISO 8601 with the offset (``2026-11-26T09:00:00+08:00``): unambiguous for tools. XLSX writes real
  Excel dates (serial numbers with a date format, local wall time) so a sheet sorts and filters by date.
- ``None`` is an empty cell; so is a float that is not finite (Excel has no NaN). Floats keep their shortest
  exact form (``repr``). Booleans are TRUE/FALSE. Integers of 16 digits or more are written as text in XLSX,
  where a number would lose digits.
- CSV is UTF-8 with a byte-order mark (Excel then reads Chinese right), RFC 4180 quoting, CRLF line ends. A text
  cell starting with ``= + - @``, TAB or CR gets a leading apostrophe, so a spreadsheet shows it as text instead
  of running it as a formula (CSV formula injection: a caller number ``+86…`` or a description ``=HYPERLINK(…)``
  is user text). Numbers are never touched. XLSX needs no such guard: its strings are inline strings, which no
  spreadsheet evaluates, so the text is kept as it was.
- XLSX drops characters XML 1.0 cannot carry (control characters, lone surrogates) and cuts a text at Excel's
  32,767 characters. Excel's sheet holds 1,048,576 rows: beyond that the rows go on in a new sheet ("通话 (2)"),
  with the header repeated. A sheet also goes on in a new one before its XML part reaches 2 GB: the package is
  then never ZIP64, whose streamed form (sizes after the data) Excel is known to refuse.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Any

from reports import xlsx_parts as parts

EXCEL_MAX_ROWS = 1_048_576  # rows in an Excel sheet, the header row included
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_TEXT = 32_767  # characters in one cell
SHEET_PART_BYTES = 2_000_000_000  # zipfile needs ZIP64 past 2 GiB - 1 of one part; roll over before it
BATCH_CHARS = 256 * 1024  # rows are handed to the compressor (and the sink drained) per this much XML
CSV_BATCH_ROWS = 1000
BOM = "\ufeff".encode()
_EXCEL_EPOCH = datetime(1899, 12, 30)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
_END: Any = object()


@dataclass(frozen=True)
class Column:
    key: str  # the row's mapping key (rows may also be sequences in column order)
    title: str  # the header, bilingual: "接通率 answer_rate"


def row_values(row: Mapping[str, Any] | Sequence[Any], keys: Sequence[str]) -> Sequence[Any]:
    """A row's values in column order."""
    if isinstance(row, Mapping):
        return [row.get(key) for key in keys]
    if len(row) != len(keys):
        raise ValueError(f"a row has {len(row)} values for {len(keys)} columns")
    return row


def local_wall_time(value: datetime, tz: tzinfo) -> datetime:
    """``value`` as naive wall-clock time in ``tz`` (a naive value is UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(tz).replace(tzinfo=None)


# --- CSV -----------------------------------------------------------------------------------------------------


def csv_text(value: str) -> str:
    """User text made safe to open in a spreadsheet: a leading apostrophe before a formula's first character."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_value(value: Any, tz: tzinfo) -> Any:
    """What the csv module should write for ``value``: text, or an int/float it writes itself."""
    kind = type(value)
    if value is None or kind is int:
        return value
    if kind is str:
        return csv_text(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(tz).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else None
    if isinstance(value, Enum):
        return csv_value(value.value, tz)
    if isinstance(value, int | float):  # a subclass such as numpy's float64
        return csv_value(float(value) if isinstance(value, float) else int(value), tz)
    return csv_text(str(value))


def csv_chunks(columns: Sequence[Column], rows: Iterable[Mapping[str, Any] | Sequence[Any]], *,
               tz: tzinfo = UTC, batch_rows: int = CSV_BATCH_ROWS) -> Iterator[bytes]:
    """The table as CSV: the BOM and header first, then one chunk per ``batch_rows`` rows."""
    keys = [c.key for c in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_text(c.title) for c in columns])
    yield BOM + buffer.getvalue().encode("utf-8", "replace")
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for row in rows:
        writer.writerow([csv_value(v, tz) for v in row_values(row, keys)])
        pending += 1
        if pending == batch_rows:
            yield buffer.getvalue().encode("utf-8", "replace")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue().encode("utf-8", "replace")


# --- XLSX ----------------------------------------------------------------------------------------------------


class _Sink:
    """A write-only byte sink with no ``tell``/``seek``: zipfile then streams (sizes in data descriptors after
    each part's data); the generator drains it after each batch, so it holds one batch at most."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def excel_serial(value: datetime | date | time, tz: tzinfo) -> float | None:
    """Excel's serial day number (1900 date system) of a local date-time, date or time of day; None before
    1900-03-01, where Excel's calendar is wrong (it has a 29 February 1900)."""
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    moment = local_wall_time(value, tz) if isinstance(value, datetime) else datetime.combine(value, time(0))
    delta = moment - _EXCEL_EPOCH
    if delta.days < 61:
        return None
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def _text_cell(ref: str, value: str) -> str:
    if len(value) > EXCEL_MAX_TEXT:
        value = value[:EXCEL_MAX_TEXT]
    text = parts.xml_text(value)
    if text and (text[0].isspace() or text[-1].isspace()):
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx_cell(ref: str, value: Any, tz: tzinfo) -> str:
    """One ``<c>`` element (empty text for an empty cell)."""
    kind = type(value)
    if value is None:
        return ""
    if kind is str:
        return _text_cell(ref, value)
    if kind is int:
        return f'<c r="{ref}"><v>{value}</v></c>' if -10**15 < value < 10**15 else _text_cell(ref, str(value))
    if kind is float:
        return f'<c r="{ref}"><v>{value!r}</v></c>' if math.isfinite(value) else ""
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime | date | time):
        style = (parts.STYLE_DATETIME if isinstance(value, datetime)
                 else parts.STYLE_DATE if isinstance(value, date) else parts.STYLE_TIME)
        serial = excel_serial(value, tz)
        if serial is None:
            return _text_cell(ref, value.isoformat())
        return f'<c r="{ref}" s="{style}"><v>{serial!r}</v></c>'
    if isinstance(value, Decimal):
        return f'<c r="{ref}"><v>{value}</v></c>' if value.is_finite() else ""
    if isinstance(value, Enum):
        return xlsx_cell(ref, value.value, tz)
    if isinstance(value, int | float):
        return xlsx_cell(ref, float(value) if isinstance(value, float) else int(value), tz)
    return _text_cell(ref, str(value))


def xlsx_row(number: int, letters: Sequence[str], values: Sequence[Any], tz: tzinfo) -> str:
    """One ``<row>`` element, row ``number`` (1-based), cells in the columns ``letters``."""
    r = str(number)
    cells = "".join([xlsx_cell(x + r, v, tz) for x, v in zip(letters, values, strict=True)])
    return f'<row r="{r}">{cells}</row>'


def display_width(value: Any) -> int:
    """Roughly how many character cells a value takes on screen (CJK characters count two)."""
    if isinstance(value, datetime):
        return 19
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text[:60])


def sheet_name(base: str, number: int) -> str:
    """A legal sheet name (31 characters, none of []:*?/\\); the ``number``-th sheet gets " (n)"."""
    clean = base.translate(_SHEET_NAME_FORBIDDEN).strip("'") or "Sheet"
    suffix = "" if number == 1 else f" ({number})"
    return clean[:31 - len(suffix)] + suffix


def xlsx_chunks(columns: Sequence[Column], rows: Iterable[Mapping[str, Any] | Sequence[Any]], *,
                sheet: str = "Sheet1", tz: tzinfo = UTC, max_rows_per_sheet: int = EXCEL_MAX_ROWS,
                max_sheet_bytes: int = SHEET_PART_BYTES, compresslevel: int = 6) -> Iterator[bytes]:
    """The table as an XLSX workbook, streamed: the fixed parts, then each sheet's rows as they are pulled
    (a chunk per ~256 K characters of XML), then the workbook that lists the sheets. Memory holds one batch."""
    if not 1 <= len(columns) <= EXCEL_MAX_COLUMNS:
        raise ValueError(f"a sheet has 1 to {EXCEL_MAX_COLUMNS} columns, not {len(columns)}")
    if max_rows_per_sheet < 2:
        raise ValueError("a sheet needs room for its header and one row")
    keys = [c.key for c in columns]
    letters = parts.column_letters(len(columns))
    source = iter(rows)
    pending = next(source, _END)
    first = row_values(pending, keys) if pending is not _END else [None] * len(keys)
    widths = [min(max(display_width(c.title), display_width(v), 6) + 2, 60)
              for c, v in zip(columns, first, strict=True)]
    head = parts.worksheet_head(widths)
    header = '<row r="1">' + "".join(
        f'<c r="{x}1" s="{parts.STYLE_HEADER}" t="inlineStr"><is><t>{parts.xml_text(c.title)}</t></is></c>'
        for x, c in zip(letters, columns, strict=True)) + "</row>"
    sink = _Sink()
    sheets: list[tuple[str, str]] = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as package:
        package.writestr("_rels/.rels", parts.PACKAGE_RELS)
        package.writestr("xl/styles.xml", parts.STYLES)
        yield sink.drain()
        while True:
            number = len(sheets) + 1
            row_number = 1
            with package.open(f"xl/worksheets/sheet{number}.xml", "w") as part:
                written = part.write((head + header).encode())
                batch: list[str] = []
                size = 0
                while pending is not _END and row_number < max_rows_per_sheet and written + size < max_sheet_bytes:
                    row_number += 1
                    xml = xlsx_row(row_number, letters, row_values(pending, keys), tz)
                    batch.append(xml)
                    size += len(xml)
                    pending = next(source, _END)
                    if size >= BATCH_CHARS:
                        written += part.write("".join(batch).encode())
                        batch.clear()
                        size = 0
                        chunk = sink.drain()
                        if chunk:
                            yield chunk
                part.write(("".join(batch) + parts.worksheet_tail(f"A1:{letters[-1]}{row_number}")).encode())
            sheets.append((sheet_name(sheet, number), f"$A$1:${letters[-1]}${row_number}"))
            if pending is _END:
                break
        package.writestr("xl/workbook.xml", parts.workbook(sheets))
        package.writestr("xl/_rels/workbook.xml.rels", parts.workbook_rels(len(sheets)))
        package.writestr("[Content_Types].xml", parts.content_types(len(sheets)))
    yield sink.drain()
