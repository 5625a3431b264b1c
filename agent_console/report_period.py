"""What every report route shares: the period from ``from``/``to`` local calendar days (today by default) and
the CSV/XLSX download of a report's table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Query
from fastapi.responses import Response

from agent_console.deps import ConsoleContext
from agent_console.export import period_filename, tabular_response
from reports.export import Column
from reports.summary import local_date, range_bounds

First = Annotated[date | None, Query(alias="from")]
Last = Annotated[date | None, Query(alias="to")]


def report_period(ctx: ConsoleContext, first: date | None, last: date | None) -> tuple[datetime, datetime]:
    """The UTC period from local day ``first`` to local day ``last`` inclusive (each defaulting to today)."""
    tz = ctx.settings.timezone
    today = local_date(ctx.clock.now(), tz)
    return range_bounds(first or today, last or first or today, tz)


def report_download(ctx: ConsoleContext, fmt: str, stem: str, start: datetime, end: datetime,
                    table: tuple[Sequence[Column], Sequence[Mapping[str, Any]]]) -> Response:
    """A report's table as a CSV or XLSX file named after the report and its period."""
    tz = ZoneInfo(ctx.settings.timezone)
    return tabular_response(fmt, period_filename(stem, start, end, tz), *table, tz=tz)
