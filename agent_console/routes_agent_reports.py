"""The managers' agent reports: per-agent figures, the agent state timeline of a day, and the abandon curve
by wait time. Supervisor role or above; periods are local calendar days (``from``/``to``, today by default),
as in :mod:`agent_console.routes_reports`."""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from acd.agents import AgentState
from agent_console.auth import Principal
from agent_console.deps import ConsoleContext, Deps, plain_dict
from agent_console.export import FormatParam
from agent_console.report_period import First, Last, report_download, report_period
from reports.abandon_curve import DEFINITIONS as CURVE_DEFINITIONS
from reports.abandon_curve import MAX_BUCKET_SECONDS, Bucket, abandon_curve
from reports.agent_timeline import timeline
from reports.agents import DEFINITIONS as AGENT_DEFINITIONS
from reports.agents import agent_report
from reports.report_tables import agent_table, record_table

STATES = [state.value for state in AgentState if state != AgentState.LOGGED_OUT]


def agent_report_router(ctx: ConsoleContext, deps: Deps) -> APIRouter:
    router = APIRouter(tags=["reports"])
    CurrentUser = Annotated[Principal, Depends(deps.principal)]
    Db = Annotated[Session, Depends(deps.session, scope="function")]

    def period(first: date | None, last: date | None) -> tuple[datetime, datetime]:
        return report_period(ctx, first, last)

    @router.get("/api/reports/agents", response_model=None)
    def agents(who: CurrentUser, db: Db, first: First = None, last: Last = None,
               fmt: FormatParam = "json") -> dict[str, Any] | Response:
        """Per agent: time in each state, occupancy, calls handled, handle time, work orders, satisfaction."""
        who.require("supervisor")
        start, end = period(first, last)
        rows = agent_report(db, start, end, now=ctx.clock.now())
        if fmt != "json":
            return report_download(ctx, fmt, "agents", start, end, agent_table(rows, AGENT_DEFINITIONS, STATES))
        return {"from": start.isoformat(), "to": end.isoformat(), "rows": [plain_dict(vars(r)) for r in rows],
                "definitions": AGENT_DEFINITIONS}

    @router.get("/api/reports/agent-timeline")
    def agent_timeline(who: CurrentUser, db: Db, day: date | None = None,
                       agent_id: int | None = None) -> dict[str, Any]:
        """Each agent's states over one local day, as contiguous segments (an unknown agent_id is a 404)."""
        who.require("supervisor")
        start, end = period(day, day)
        agents = timeline(db, start, end, agent_id=agent_id, now=ctx.clock.now())
        return {"from": start.isoformat(), "to": end.isoformat(), "agents": [
            {"agent_id": a.agent_id, "name": a.name,
             "segments": [{"state": s.state, "reason": s.reason, "linkedid": s.linkedid,
                           "from": s.start.isoformat(), "to": s.end.isoformat()} for s in a.segments]}
            for a in agents]}

    @router.get("/api/reports/abandon-curve", response_model=None)
    def curve(who: CurrentUser, db: Db, first: First = None, last: Last = None, queue: str | None = None,
              bucket_seconds: Annotated[int, Query(ge=1, le=MAX_BUCKET_SECONDS)] = 10,
              fmt: FormatParam = "json") -> dict[str, Any] | Response:
        """Abandoned, answered and still waiting callers by wait time (the survival curve)."""
        who.require("supervisor")
        start, end = period(first, last)
        buckets = abandon_curve(db, start, end, queue=queue, bucket_seconds=bucket_seconds)
        if fmt != "json":
            return report_download(ctx, fmt, "abandon-curve", start, end,
                                   record_table(buckets, CURVE_DEFINITIONS, Bucket))
        return {"from": start.isoformat(), "to": end.isoformat(), "queue": queue, "bucket_seconds": bucket_seconds,
                "buckets": [plain_dict(vars(b)) for b in buckets], "definitions": CURVE_DEFINITIONS}

    return router
