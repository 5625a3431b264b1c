"""The call log and the managers' reports, for local calendar days (``from``/``to``, today by default)."""

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from agent_console.auth import Principal
from agent_console.deps import ConsoleContext, Deps, plain_dict
from agent_console.export import FormatParam
from agent_console.report_period import First, Last, report_download, report_period
from kernel.errors import InvalidInput
from reports.export import Column
from reports.ivr import IVR_DEFINITIONS, ivr_report
from reports.metric_periods import By
from reports.metric_sql import Group
from reports.metrics import DEFINITIONS as METRIC_DEFINITIONS
from reports.metrics import ROW_DEFINITIONS
from reports.metrics_query import MetricsRow, metrics, metrics_by
from reports.report_tables import FIGURE_COLUMNS, figure_rows, metrics_table, record_table
from reports.staffing import STAFFING_DEFINITIONS, IntervalAdvice, advise, interval_loads, interval_seconds
from reports.summary import DEFINITIONS, call_log, summarize

STAFFING_INTERVALS = (15, 20, 30, 60)  # minutes that divide the day
RatesBy = Literal["day", "week", "month"]


def metrics_row(row: MetricsRow) -> dict[str, Any]:
    return {"period": row.period, "period_start": row.period_start.isoformat(),
            "period_end": row.period_end.isoformat(), "key": row.key, "figures": plain_dict(vars(row.figures))}


def report_router(ctx: ConsoleContext, deps: Deps) -> APIRouter:
    router = APIRouter(tags=["reports"])
    CurrentUser = Annotated[Principal, Depends(deps.principal)]
    Db = Annotated[Session, Depends(deps.session, scope="function")]

    def period(first: date | None, last: date | None) -> tuple[datetime, datetime]:
        return report_period(ctx, first, last)

    @router.get("/api/calls")
    def calls(who: CurrentUser, db: Db, first: First = None, last: Last = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
        start, end = period(first, last)
        agent_filter = who.user_id if who.role == "agent" else None
        entries = call_log(db, start, end, limit=limit, offset=offset, agent_id=agent_filter)
        return [plain_dict(vars(e)) for e in entries]

    def download(fmt: str, stem: str, start: datetime, end: datetime,
                 table: tuple[Sequence[Column], Sequence[Mapping[str, Any]]]) -> Response:
        return report_download(ctx, fmt, stem, start, end, table)

    @router.get("/api/reports/summary", response_model=None)
    def report(who: CurrentUser, db: Db, first: First = None, last: Last = None,
               queue: str | None = None, fmt: FormatParam = "json") -> dict[str, Any] | Response:
        who.require("supervisor")
        start, end = period(first, last)
        figures = summarize(db, start, end, queue=queue)
        if fmt != "json":
            return download(fmt, "summary", start, end, (FIGURE_COLUMNS, figure_rows(vars(figures), DEFINITIONS)))
        return {"from": start.isoformat(), "to": end.isoformat(), "figures": plain_dict(vars(figures)),
                "definitions": DEFINITIONS}

    @router.get("/api/reports/metrics", response_model=None)
    def metric_rows(who: CurrentUser, db: Db, first: First = None, last: Last = None, by: By = "total",
                    group: Group = "none", queue: str | None = None, agent_id: int | None = None,
                    company: str | None = None,
                    target_seconds: Annotated[float, Query(ge=0, le=3600)] = 20,
                    fmt: FormatParam = "json") -> dict[str, Any] | Response:
        """Every figure of issue 6 per local hour/day/week/month (or the total) and per queue, agent or
        company; empty periods left out. by=hour spans at most 100 days (422 beyond)."""
        who.require("supervisor")
        start, end = period(first, last)
        rows = metrics(db, start, end, by=by, group=group, tz=ctx.settings.timezone, now=ctx.clock.now(),
                       queue=queue, agent_id=agent_id, company=company, target_seconds=target_seconds)
        if fmt != "json":
            return download(fmt, f"metrics-{by}-{group}", start, end, metrics_table(rows))
        return {"from": start.isoformat(), "to": end.isoformat(), "by": by, "group": group,
                "target_seconds": target_seconds, "rows": [metrics_row(row) for row in rows],
                "definitions": {**METRIC_DEFINITIONS, **ROW_DEFINITIONS}}

    @router.get("/api/reports/dashboard")
    def dashboard(who: CurrentUser, db: Db, first: First = None, last: Last = None,
                  rates_by: Annotated[RatesBy, Query(description="the periods of the rates chart")] = "day",
                  hours: Annotated[bool, Query(description="the hourly rows of the heat-map (<= 100 days)")] = True,
                  target_seconds: Annotated[float, Query(ge=0, le=3600)] = 20) -> dict[str, Any]:
        """The reports page's figures in one reading: the period's total, its rows per local hour (the
        heat-map) and per day, week or month (the rates chart); the same figures as /api/reports/metrics."""
        who.require("supervisor")
        start, end = period(first, last)
        kinds: tuple[By, ...] = ("total", rates_by, *(("hour",) if hours else ()))
        found = metrics_by(db, start, end, bys=kinds, tz=ctx.settings.timezone, now=ctx.clock.now(),
                           target_seconds=target_seconds)
        total = found["total"]
        return {"from": start.isoformat(), "to": end.isoformat(), "target_seconds": target_seconds,
                "total": metrics_row(total[0]) if total else None,
                "hours": [metrics_row(row) for row in found["hour"]] if hours else None,
                "rates_by": rates_by, "rates": [metrics_row(row) for row in found[rates_by]],
                "definitions": {**METRIC_DEFINITIONS, **ROW_DEFINITIONS}}

    @router.get("/api/reports/ivr", response_model=None)
    def ivr_figures(who: CurrentUser, db: Db, first: First = None, last: Last = None,
                    fmt: FormatParam = "json") -> dict[str, Any] | Response:
        who.require("supervisor")
        start, end = period(first, last)
        figures = ivr_report(db, start, end)
        if fmt != "json":
            return download(fmt, "ivr", start, end, (FIGURE_COLUMNS, figure_rows(vars(figures), IVR_DEFINITIONS)))
        return {"from": start.isoformat(), "to": end.isoformat(),
                "figures": plain_dict(vars(figures)), "definitions": IVR_DEFINITIONS}

    @router.get("/api/reports/staffing", response_model=None)
    def staffing(who: CurrentUser, db: Db, first: First = None, last: Last = None,
                 interval: Annotated[int, Query(ge=15, le=60, description="minutes: 15, 20, 30 or 60")] = 30,
                 target_seconds: Annotated[float, Query(ge=0, le=600)] = 20,
                 service_level: Annotated[float, Query(gt=0, lt=1)] = 0.8,
                 shrinkage: Annotated[float, Query(ge=0, lt=1)] = 0.3,
                 patience_seconds: Annotated[float | None, Query(gt=0, le=3600)] = None,
                 blocking: Annotated[float, Query(gt=0, lt=1)] = 0.01,
                 fmt: FormatParam = "json") -> dict[str, Any] | Response:
        """Agents per interval of the day for a service-level target, from the period's history (Erlang C, or
        Erlang A with the callers' mean patience), and the trunk lines for a blocking target (Erlang B)."""
        who.require("supervisor")
        if interval not in STAFFING_INTERVALS:
            raise InvalidInput(f"interval must be one of {', '.join(map(str, STAFFING_INTERVALS))} minutes")
        start, end = period(first, last)
        loads = interval_loads(db, start, end, ctx.settings.timezone, interval, ctx.settings.acd.wrapup_seconds)
        advice = advise(loads, interval_seconds(interval), target_seconds=target_seconds,
                        service_level=service_level, shrinkage=shrinkage, patience_seconds=patience_seconds,
                        blocking_target=blocking, trunk_lines_now=ctx.settings.asterisk.trunk_lines)
        if fmt != "json":  # the intervals' table; the peak and trunk figures are in the JSON
            return download(fmt, "staffing", start, end,
                            record_table(advice.intervals, STAFFING_DEFINITIONS, IntervalAdvice))
        return {"from": start.isoformat(), "to": end.isoformat(), "interval_minutes": interval,
                "peak_agents": advice.peak_agents, "peak_scheduled": advice.peak_scheduled,
                "trunk_lines": advice.trunk_lines, "trunk_lines_now": ctx.settings.asterisk.trunk_lines,
                "trunk_blocking_now": advice.trunk_blocking_now,
                "intervals": [plain_dict(vars(a)) for a in advice.intervals], "definitions": STAFFING_DEFINITIONS}

    return router
