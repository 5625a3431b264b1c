"""Work orders (工单): created from a call by the agent who took it, who owns it (首问负责制). An order created
from a call carries the caller's post-call survey score, whether the caller rated the call before or after."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agent_console.auth import Principal
from agent_console.models import WorkOrder, WorkOrderHistory
from contacts.models import Contact
from kernel.errors import Forbidden, InvalidInput, NotFound


def create_work_order(session: Session, actor: Principal, *, linkedid: str | None, category: str, priority: str,
                      description: str, address: str, account_number: str | None, now: datetime) -> WorkOrder:
    owner_id = actor.user_id
    contact_id = None
    if linkedid:
        # Locked (PostgreSQL) so that a survey score being recorded now waits for this order, then copies to it.
        contact = session.scalars(select(Contact).where(Contact.linkedid == linkedid)
                                  .with_for_update()).one_or_none()
        if contact is None:
            raise NotFound(f"no call {linkedid}")
        if contact.agent_id is not None and contact.agent_id != actor.user_id and actor.role == "agent":
            raise Forbidden("only the agent who took the call opens its work order")
        owner_id = contact.agent_id if contact.agent_id is not None else actor.user_id
        contact_id = contact.id
        account_number = account_number or contact.account_number
    if not description.strip():
        raise InvalidInput("description must not be empty")
    order = WorkOrder(contact_id=contact_id, account_number=account_number or None, category=category,
                      priority=priority, status="new", description=description.strip(), address=address.strip(),
                      owner_id=owner_id, created_by_id=actor.user_id, created_at=now, updated_at=now)
    session.add(order)
    session.flush()
    if contact_id is not None:  # read after the insert: on SQLite only the writer's own read is current
        order.satisfaction = session.scalar(select(Contact.satisfaction).where(Contact.id == contact_id))
    session.add(WorkOrderHistory(work_order_id=order.id, at=now, actor_id=actor.user_id, action="created",
                                 from_status=None, to_status="new", note=""))
    return order


def record_satisfaction(session: Session, contact_id: int, score: int) -> int:
    """Stores a call's survey score on every work order opened from it; returns how many there were. The
    contact recorder calls it in the transaction that stores the score on the contact."""
    result = session.execute(update(WorkOrder).where(WorkOrder.contact_id == contact_id)
                             .values(satisfaction=score).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def get_work_order(session: Session, actor: Principal, order_id: int) -> WorkOrder:
    order = session.get(WorkOrder, order_id)
    if order is None or (actor.role == "agent" and order.owner_id != actor.user_id):
        raise NotFound(f"no work order {order_id}")  # agents cannot probe others' order ids
    return order


def list_work_orders(session: Session, owner_id: int, limit: int = 100) -> list[WorkOrder]:
    query = select(WorkOrder).where(WorkOrder.owner_id == owner_id).order_by(WorkOrder.id.desc()).limit(limit)
    return list(session.scalars(query))


def history_of(session: Session, order_id: int) -> list[WorkOrderHistory]:
    query = select(WorkOrderHistory).where(WorkOrderHistory.work_order_id == order_id).order_by(
        WorkOrderHistory.id)
    return list(session.scalars(query))


def open_order_owner(session: Session, account_number: str) -> int | None:
    """The owner of the account's most recent open work order (首问负责制: a repeat caller reaches them
    first), or None."""
    query = (select(WorkOrder.owner_id).where(WorkOrder.account_number == account_number,
                                              WorkOrder.status != "closed")
             .order_by(WorkOrder.id.desc()).limit(1))
    return session.scalars(query).first()
