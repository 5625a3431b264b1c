"""/api/callbacks: the callback list (回访, promised call-backs, and the queue callbacks the ACD owes). An agent
sees and changes only their own callbacks (others' are 404); supervisors (and above) all.

Routes (bodies are JSON; unknown fields are refused):

- ``GET /api/callbacks?scope=mine|all&include_closed=false`` → [callback]. ``all`` is for supervisors. Open
  callbacks, soonest due first, then (``include_closed``) finished ones. Queue callbacks the ACD owes are listed
  read-only: every one in ``all``; in ``mine`` those of accounts with an open work order the caller owns.
- ``POST /api/callbacks`` ``{work_order_id?, number, due_at, kind: "closing"|"promised", note?}`` → 201
  callback. On an order, it is the order's owner's; without one, the caller's. A ``closing`` callback needs a
  work order, and one at a time. ``due_at`` without an offset is in the hotline's time zone.
- ``POST /api/callbacks/{id}/outcome`` ``{outcome, satisfaction?, note?}`` → callback. ``outcome``: reached |
  declined (done) or no_answer | busy | wrong_number (failed: schedule another, or close the order with a
  reason). ``satisfaction`` 1-5 only with reached, and required with reached for a closing callback: that score
  is stored on the order (``callback_satisfaction``) and the order may then close.
- ``POST /api/callbacks/{id}/cancel`` ``{reason}`` → callback.

A callback::

    {"key": "callback-5", "id": 5, "kind": "closing", "read_only": false, "status": "scheduled",
     "work_order_id": 7, "contact_id": 3, "linkedid": null, "queue": null, "account_number": "10001234",
     "number": "13800000001", "owner_id": 2, "owner": {"id": 2, "name": "话务员一"}, "due_at": "…",
     "overdue": false, "outcome": null, "satisfaction": null, "note": "", "outcome_note": "",
     "created_at": "…", "done_at": null, "placed_linkedid": null}

``status``: scheduled | placed (the call to the customer started; ``placed_linkedid``) | done | failed |
cancelled. A queue callback has ``"kind": "queue"``, ``"read_only": true``, ``"id": null``, its call's
``linkedid`` and ``queue``, no owner, and ``due_at`` when the caller asked. Errors as in ``work_orders.api``,
plus 409 ``closing_callback_exists`` and ``callback_closed``."""


from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from agent_console.auth import Principal
from kernel.clock import Clock
from kernel.row_ids import RowId
from work_orders import callback_store
from work_orders.callback_rules import Outcome
from work_orders.rules import NOTE_MAX, REASON_MAX
from work_orders.views import callback_items, queue_callback_item


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CallbackIn(Body):
    work_order_id: RowId | None = None
    number: str = Field(pattern=r"^\+?[0-9]{3,20}$")
    due_at: datetime
    kind: Literal["closing", "promised"] = "promised"
    note: str = Field(default="", max_length=NOTE_MAX)


class OutcomeIn(Body):
    outcome: Outcome
    satisfaction: int | None = Field(default=None, ge=1, le=5, strict=True)
    note: str = Field(default="", max_length=NOTE_MAX)


class CancelIn(Body):
    reason: str = Field(min_length=1, max_length=REASON_MAX)


def callback_router(principal: Callable[..., Any], session: Callable[..., Iterator[Session]], clock: Clock,
                    tz: ZoneInfo, queue_memory: timedelta) -> APIRouter:
    """``queue_memory``: how far back owed queue callbacks are listed (the ACD's ``callback_memory_hours``)."""
    router = APIRouter(prefix="/api/callbacks", tags=["callbacks"])
    CurrentUser = Annotated[Principal, Depends(principal)]
    Db = Annotated[Session, Depends(session, scope="function")]  # committed before the answer is sent

    @router.get("")
    def listing(who: CurrentUser, db: Db, scope: Literal["mine", "all"] = "mine", include_closed: bool = False,
                limit: Annotated[int, Query(ge=1, le=500)] = 200) -> list[dict[str, Any]]:
        who.require("agent")
        now = clock.now()
        items = callback_items(db, callback_store.list_callbacks(db, who, scope, include_closed=include_closed,
                                                                 limit=limit), now)
        owed = [queue_callback_item(c) for c in
                callback_store.owed_queue_callbacks(db, who, scope, now - queue_memory)]
        open_items = sorted((i for i in [*items, *owed] if i["status"] in ("scheduled", "placed")),
                            key=lambda i: (datetime.fromisoformat(i["due_at"]), i["key"]))
        return open_items + [i for i in items if i["status"] not in ("scheduled", "placed")]

    @router.post("", status_code=201)
    def create(body: CallbackIn, who: CurrentUser, db: Db) -> dict[str, Any]:
        who.require("agent")
        now = clock.now()
        due_at = body.due_at if body.due_at.tzinfo is not None else body.due_at.replace(tzinfo=tz)
        callback = callback_store.schedule_callback(db, who, work_order_id=body.work_order_id, number=body.number,
                                                    due_at=due_at, kind=body.kind, note=body.note, now=now)
        return callback_items(db, [callback], now)[0]

    @router.post("/{callback_id}/outcome")
    def outcome(callback_id: RowId, body: OutcomeIn, who: CurrentUser, db: Db) -> dict[str, Any]:
        who.require("agent")
        now = clock.now()
        callback = callback_store.record_outcome(db, who, callback_id, outcome=body.outcome,
                                                 satisfaction=body.satisfaction, note=body.note, now=now)
        return callback_items(db, [callback], now)[0]

    @router.post("/{callback_id}/cancel")
    def cancel(callback_id: RowId, body: CancelIn, who: CurrentUser, db: Db) -> dict[str, Any]:
        who.require("agent")
        now = clock.now()
        callback = callback_store.cancel_callback(db, who, callback_id, body.reason, now)
        return callback_items(db, [callback], now)[0]

    return router
