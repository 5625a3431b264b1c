"""/api/outages: managers and supervisors register and cancel outages (停水公告); anyone logged in reads them.

Times without an offset are taken in the hotline's time zone. Bad input is a 422: pydantic's field errors, or
``{"error": "invalid_input", "message": ...}`` for an empty zone or a window that does not end after it starts."""


from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from agent_console.auth import Principal
from kernel.clock import Clock
from kernel.row_ids import RowId
from outages.models import Outage
from outages.store import cancel_outage, get_outage, list_outages, register_outage


class OutageIn(BaseModel):
    supply_zone: str = Field(min_length=1, max_length=64)
    kind: Literal["planned", "emergency"]
    starts_at: datetime
    ends_at: datetime
    note: str = Field(default="", max_length=1000)


def _utc(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def outage_view(outage: Outage) -> dict[str, Any]:
    """Times in UTC, as stored."""
    return {"id": outage.id, "supply_zone": outage.supply_zone, "kind": outage.kind,
            "starts_at": _utc(outage.starts_at), "ends_at": _utc(outage.ends_at), "note": outage.note,
            "created_by": outage.created_by, "created_at": _utc(outage.created_at),
            "cancelled_at": _utc(outage.cancelled_at)}


def outage_router(principal: Callable[..., Any], session: Callable[..., Iterator[Session]], clock: Clock,
                  tz: ZoneInfo) -> APIRouter:
    """``principal`` and ``session`` are the app's dependencies for the caller and a transaction."""
    router = APIRouter(prefix="/api/outages", tags=["outages"])
    CurrentUser = Annotated[Principal, Depends(principal)]
    Db = Annotated[Session, Depends(session, scope="function")]

    def aware(moment: datetime) -> datetime:
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)

    @router.post("", status_code=201)
    def create(body: OutageIn, who: CurrentUser, db: Db) -> dict[str, Any]:
        who.require("supervisor")
        outage = register_outage(db, supply_zone=body.supply_zone, kind=body.kind, starts_at=aware(body.starts_at),
                                 ends_at=aware(body.ends_at), note=body.note, created_by=who.user_id,
                                 now=clock.now())
        return outage_view(outage)

    @router.get("")
    def index(who: CurrentUser, db: Db, zone: str | None = None,
              include_cancelled: Annotated[bool, Query()] = False,
              current: Annotated[bool, Query(description="only those not yet ended")] = False
              ) -> list[dict[str, Any]]:
        rows = list_outages(db, zone=zone, include_cancelled=include_cancelled,
                            current_at=clock.now() if current else None)
        return [outage_view(o) for o in rows]

    @router.get("/{outage_id}")
    def read(outage_id: RowId, who: CurrentUser, db: Db) -> dict[str, Any]:
        return outage_view(get_outage(db, outage_id))

    @router.delete("/{outage_id}")
    def cancel(outage_id: RowId, who: CurrentUser, db: Db) -> dict[str, Any]:
        """Cancels the outage (callers stop hearing it); the record is kept."""
        who.require("supervisor")
        return outage_view(cancel_outage(db, outage_id, clock.now()))

    return router
