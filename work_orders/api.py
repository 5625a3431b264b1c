"""/api/work-orders: work orders (工单) over HTTP. Every route needs a logged-in user (``Authorization: Bearer``);
roles are agent < supervisor < manager < admin, and "supervisor" below means supervisor or above.

Routes (bodies are JSON; unknown fields are refused):

- ``POST /api/work-orders`` ``{linkedid?, category, priority?, description, address?, account_number?}`` → 201
  order. With ``linkedid`` the order is the call's: its owner is the agent who took the call (only they or a
  supervisor may open it) and the account comes from the call when not given. Header ``Idempotency-Key: <UUID>``
  (optional; the console always sends one): a retry with the same key returns the order it created, 200, never
  a second order; 409 ``idempotency_key_reused`` if the key was used by another user or for another order,
  ``idempotency_key_in_use`` while a concurrent request with it is being written; 422 if it is not a UUID.
- ``GET /api/work-orders?scope=mine|overdue|unowned|all&include_closed=false&limit=100&offset=0`` → [order].
  ``mine`` (default) is the caller's own; the others are for supervisors. Open orders first, soonest due first.
  Unowned: open orders whose owner's account is deactivated (the agent left).
- ``GET /api/work-orders/{id}`` → order with ``history`` and ``callbacks``. An agent gets 404 for an order
  that is not theirs (never 403).
- ``POST /api/work-orders/{id}/status`` ``{status, note?, crew?}`` → order. ``dispatched`` needs ``crew`` (the
  field crew) or a note saying who goes.
  Moving to ``awaiting_callback`` schedules the closing callback (回访) for the owner unless one is open
  (``callbacks`` shows it; none when there is no number to call).
- ``POST /api/work-orders/{id}/handover`` ``{to_agent_id, reason}`` (owner or supervisor) → order.
- ``POST /api/work-orders/{id}/reassign`` ``{to_agent_id, reason}`` (supervisor) → order.
- ``POST /api/work-orders/{id}/close`` ``{note?, no_callback_reason?}`` → order. Needs a completed closing
  callback or ``no_callback_reason``: customer_declined | no_phone_number | unreachable | duplicate | other
  (``other`` needs a note), or the reason in the agent's own words (up to 500 characters: stored as ``other``,
  the words leading the history note).

An order::

    {"id": 7, "contact_id": 3, "account_number": "10001234", "category": "leak", "category_name": "报漏",
     "priority": "high", "status": "dispatched", "description": "…", "address": "…", "crew": "抢修二队",
     "owner_id": 2, "owner": {"id": 2, "name": "话务员一"}, "first_owner_id": 2, "first_owner": {...},
     "created_by_id": 2, "created_at": "…", "updated_at": "…", "due_at": "…", "overdue": false,
     "remaining_seconds": 12345, "closed_at": null, "closing_reason": null, "satisfaction": null,
     "callback_satisfaction": null,
     "history": [{"at": "…", "actor_id": 2, "actor": {...}, "action": "created", "from_status": null,
                  "to_status": "new", "from_owner_id": null, "to_owner_id": 2, "note": ""}, ...],
     "callbacks": [callback, ...]}          # history and callbacks: single-order answers only

``category``: repair 报修 | leak 报漏 | consultation 咨询 | complaint 投诉 | query 查询 | suggestion 建议;
``priority``: low | normal | high | urgent; ``status``: new | in_progress | dispatched | awaiting_callback |
closed. ``remaining_seconds`` counts down to ``due_at`` (negative once overdue, null when closed);
``closing_reason`` is "callback" or the no-callback reason. History ``action``: created | status_changed |
handed_over | reassigned | closed | callback_scheduled | callback_completed | callback_failed |
callback_cancelled. ``satisfaction`` is the post-call survey's score; ``callback_satisfaction`` the closing
callback's. A callback's shape is in ``work_orders.callback_api``.

Errors: 401 not logged in; 403 ``forbidden`` (role); 404 ``not_found``; 409 ``illegal_transition``,
``order_closed``, ``closing_callback_required``; 422 pydantic's field errors (``{"detail": [...]}``) or
``{"error": "invalid_input", "message": ...}``; 503 ``database_unavailable`` with Retry-After while the database
is away (any route: send the same request again later, a creation with the same Idempotency-Key). Every domain
error is ``{"error": code, "message": text}``."""


from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from agent_console.auth import Principal
from kernel.clock import Clock
from kernel.row_ids import RowId
from work_orders import store
from work_orders.rules import CREW_MAX, NOTE_MAX, REASON_MAX, Category, Priority, Status, TimeLimits
from work_orders.views import order_detail, order_items

DESCRIPTION_MAX = 4000
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", pattern=UUID_PATTERN,
                                              description="a UUID the client made for this creation")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkOrderIn(Body):
    linkedid: str | None = Field(default=None, max_length=64)  # "" or null: not from a call
    category: Category
    priority: Priority = "normal"
    description: str = Field(min_length=1, max_length=DESCRIPTION_MAX)
    address: str = Field(default="", max_length=255)
    account_number: str | None = Field(default=None, pattern=r"^[0-9]{4,20}$")


class StatusIn(Body):
    status: Status
    note: str = Field(default="", max_length=NOTE_MAX)
    crew: str = Field(default="", max_length=CREW_MAX)


class HandoverIn(Body):
    to_agent_id: RowId
    reason: str = Field(min_length=1, max_length=REASON_MAX)


class CloseIn(Body):
    note: str = Field(default="", max_length=NOTE_MAX)
    no_callback_reason: str | None = Field(default=None, min_length=1, max_length=REASON_MAX)


def work_order_router(principal: Callable[..., Any], session: Callable[..., Iterator[Session]], clock: Clock,
                      limits: TimeLimits, callback_due_after: timedelta) -> APIRouter:
    """``principal`` and ``session`` are the app's dependencies for the caller and a transaction;
    ``callback_due_after``: when a closing callback is due after its order starts awaiting it."""
    router = APIRouter(prefix="/api/work-orders", tags=["work orders"])
    CurrentUser = Annotated[Principal, Depends(principal)]
    Db = Annotated[Session, Depends(session, scope="function")]  # committed before the answer is sent

    @router.post("", status_code=201)
    def create(body: WorkOrderIn, who: CurrentUser, db: Db, response: Response,
               idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
        who.require("agent")
        now = clock.now()
        key = idempotency_key.lower() if idempotency_key else None
        if key and (done := store.order_for_key(db, who, key, category=body.category,
                                                description=body.description)) is not None:
            response.status_code = 200  # a retry: the order its first try created
            return order_detail(db, done, now)
        order = store.create_work_order(
            db, who, linkedid=body.linkedid, category=body.category, priority=body.priority,
            description=body.description, address=body.address, account_number=body.account_number, now=now,
            limits=limits, client_key=key)
        return order_detail(db, order, now)

    @router.get("")
    def listing(who: CurrentUser, db: Db, scope: Literal["mine", "overdue", "unowned", "all"] = "mine",
                include_closed: bool = False, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
        who.require("agent")
        now = clock.now()
        orders = store.list_work_orders(db, who, scope, now, include_closed=include_closed, limit=limit,
                                        offset=offset)
        return order_items(db, orders, now)

    @router.get("/{order_id}")
    def read(order_id: RowId, who: CurrentUser, db: Db) -> dict[str, Any]:
        who.require("agent")
        return order_detail(db, store.get_work_order(db, who, order_id), clock.now())

    @router.post("/{order_id}/status")
    def status(order_id: RowId, body: StatusIn, who: CurrentUser, db: Db) -> dict[str, Any]:
        who.require("agent")
        now = clock.now()
        order = store.change_status(db, who, order_id, body.status, note=body.note, crew=body.crew, now=now,
                                    callback_due_after=callback_due_after)
        return order_detail(db, order, now)

    @router.post("/{order_id}/handover")
    def handover(order_id: RowId, body: HandoverIn, who: CurrentUser, db: Db) -> dict[str, Any]:
        who.require("agent")
        now = clock.now()
        order = store.hand_over(db, who, order_id, body.to_agent_id, body.reason, now)
        return order_detail(db, order, now)

    @router.post("/{order_id}/reassign")
    def reassign(order_id: RowId, body: HandoverIn, who: CurrentUser, db: Db) -> dict[str, Any]:
        who.require("supervisor")
        now = clock.now()
        order = store.hand_over(db, who, order_id, body.to_agent_id, body.reason, now, reassign=True)
        return order_detail(db, order, now)

    @router.post("/{order_id}/close")
    def close(order_id: RowId, body: CloseIn, who: CurrentUser, db: Db) -> dict[str, Any]:
        who.require("agent")
        now = clock.now()
        order = store.close_order(db, who, order_id, note=body.note, no_callback_reason=body.no_callback_reason,
                                  now=now)
        return order_detail(db, order, now)

    return router
