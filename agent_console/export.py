"""Reports as downloads: the ``format`` query parameter (json|csv|xlsx) and the streamed CSV/XLSX response with
a file name that may be Chinese (RFC 6266 ``filename*`` with RFC 5987 UTF-8 encoding, plus an ASCII fallback).

Everything a download could refuse (the format, the period) is checked before the response starts: once its
first bytes are sent, an error can no longer become a 4xx."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Annotated, Any, Literal, get_args
from urllib.parse import quote

from fastapi import Query
from fastapi.responses import StreamingResponse

from kernel.errors import InvalidInput
from reports.export import Column, csv_chunks, xlsx_chunks

ReportFormat = Literal["json", "csv", "xlsx"]
FileFormat = Literal["csv", "xlsx"]
FormatParam = Annotated[ReportFormat, Query(alias="format", description="json (default), csv or xlsx")]
FileFormatParam = Annotated[FileFormat, Query(alias="format", description="csv (default) or xlsx")]

MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_UNSAFE_ASCII = re.compile(r'[^A-Za-z0-9._ ()-]+')


def check_format(value: str, allowed: Iterable[str] = get_args(ReportFormat)) -> str:
    """``value`` if it is one of ``allowed``; InvalidInput (422) otherwise."""
    choices = tuple(allowed)
    if value not in choices:
        raise InvalidInput(f"format must be one of {', '.join(choices)}, not {value!r}")
    return value


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` for old clients and the exact UTF-8 ``filename*``."""
    fallback = _UNSAFE_ASCII.sub("_", filename).strip("_ ") or "export"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def period_filename(stem: str, start: datetime, end: datetime, tz: tzinfo) -> str:
    """``stem_2026-11-01_2026-11-30`` for the local days of the half-open UTC period (one date for one day)."""
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    return f"{stem}_{first}" if last == first else f"{stem}_{first}_{last}"


def tabular_response(fmt: str, filename: str, columns: Sequence[Column],
                     rows: Iterable[Mapping[str, Any] | Sequence[Any]], *, tz: tzinfo = UTC,
                     sheet: str | None = None) -> StreamingResponse:
    """The table streamed as a CSV or XLSX download named ``filename`` plus the format's extension. ``rows`` is
    consumed while the body is sent: a generator that opens its own database session reads in batches there."""
    check_format(fmt, get_args(FileFormat))
    if not filename.endswith(f".{fmt}"):
        filename = f"{filename}.{fmt}"
    if fmt == "csv":
        body = csv_chunks(columns, rows, tz=tz)
    else:
        body = xlsx_chunks(columns, rows, sheet=sheet or filename.rsplit(".", 1)[0], tz=tz)
    headers = {"Content-Disposition": content_disposition(filename), "Cache-Control": "no-store",
               "X-Content-Type-Options": "nosniff"}
    return StreamingResponse(body, media_type=MEDIA_TYPES[fmt], headers=headers)
