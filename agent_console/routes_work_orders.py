"""Work orders (工单): open one from a call, read it with its history, list one's own."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from agent_console import work_orders
from agent_console.auth import Principal
from agent_console.deps import ConsoleContext, Deps
from agent_console.models import CATEGORIES, PRIORITIES


class WorkOrderIn(BaseModel):
    linkedid: str | None = Field(default=None, max_length=64)
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    priority: Literal[PRIORITIES] = "normal"  # type: ignore[valid-type]
    description: str = Field(min_length=1, max_length=4000)
    address: str = Field(default="", max_length=255)
    account_number: str | None = Field(default=None, pattern=r"^[0-9]{4,20}$")


def work_order_router(ctx: ConsoleContext, deps: Deps) -> APIRouter:
    router = APIRouter(tags=["work orders"])
    CurrentUser = Annotated[Principal, Depends(deps.principal)]
    Db = Annotated[Session, Depends(deps.session, scope="function")]

    @router.post("/api/work-orders", status_code=201)
    def create_order(body: WorkOrderIn, who: CurrentUser, db: Db) -> dict[str, Any]:
        order = work_orders.create_work_order(
            db, who, linkedid=body.linkedid, category=body.category, priority=body.priority,
            description=body.description, address=body.address, account_number=body.account_number,
            now=ctx.clock.now())
        return order_view(db, order.id, who)

    @router.get("/api/work-orders/{order_id}")
    def read_order(order_id: int, who: CurrentUser, db: Db) -> dict[str, Any]:
        return order_view(db, order_id, who)

    @router.get("/api/work-orders")
    def my_orders(who: CurrentUser, db: Db) -> list[dict[str, Any]]:
        return [order_view(db, o.id, who) for o in work_orders.list_work_orders(db, who.user_id)]

    return router


def order_view(db: Session, order_id: int, who: Principal) -> dict[str, Any]:
    order = work_orders.get_work_order(db, who, order_id)
    history = [{"at": h.at.isoformat(), "actor_id": h.actor_id, "action": h.action, "from_status": h.from_status,
                "to_status": h.to_status, "note": h.note} for h in work_orders.history_of(db, order.id)]
    return {"id": order.id, "contact_id": order.contact_id, "account_number": order.account_number,
            "category": order.category, "priority": order.priority, "status": order.status,
            "description": order.description, "address": order.address, "owner_id": order.owner_id,
            "created_by_id": order.created_by_id, "created_at": order.created_at.isoformat(),
            "satisfaction": order.satisfaction, "history": history}
