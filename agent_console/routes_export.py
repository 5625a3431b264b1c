"""The call-detail export: every call of a period as a CSV or XLSX download, streamed.

Supervisors and above get every call; an agent gets only the calls they took, as with ``/api/calls``. The
period and format are checked before the body starts; the rows are then read in batches by the body itself,
in its own session (the request's session has closed by the time a streamed body runs)."""

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_console.auth import Principal
from agent_console.deps import ConsoleContext, Deps
from agent_console.export import FileFormatParam, period_filename, tabular_response
from agent_console.models import User
from reports.call_export import CALL_COLUMNS, call_rows
from reports.summary import local_date, range_bounds

First = Annotated[date | None, Query(alias="from")]
Last = Annotated[date | None, Query(alias="to")]


def export_router(ctx: ConsoleContext, deps: Deps) -> APIRouter:
    router = APIRouter(tags=["reports"])
    CurrentUser = Annotated[Principal, Depends(deps.principal)]
    Db = Annotated[Session, Depends(deps.session, scope="function")]

    @router.get("/api/calls/export", response_class=StreamingResponse,
                responses={200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument."
                                             "spreadsheetml.sheet": {}}}})
    def export_calls(who: CurrentUser, db: Db, first: First = None, last: Last = None,
                     fmt: FileFormatParam = "csv") -> StreamingResponse:
        """The calls that arrived from local day ``from`` to ``to`` (today by default), oldest first: one row
        per call with the call log's columns, headers in Chinese and English; times in the hotline's zone."""
        tz_name = ctx.settings.timezone
        today = local_date(ctx.clock.now(), tz_name)
        start, end = range_bounds(first or today, last or first or today, tz_name)
        agent_filter = who.user_id if who.role == "agent" else None
        names: dict[int, str] = {user_id: name for user_id, name in db.execute(select(User.id, User.display_name))}
        rows = call_rows(ctx.factory, start, end, agent_id=agent_filter, agent_names=names)
        tz = ZoneInfo(tz_name)
        return tabular_response(fmt, period_filename("通话明细 calls", start, end, tz), CALL_COLUMNS, rows,
                                tz=tz, sheet="通话明细 calls")

    return router
