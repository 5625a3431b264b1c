"""Work orders and callbacks as JSON (the wire shapes are listed in ``work_orders.api``). Times are ISO 8601 in
UTC; notes and descriptions are returned as typed (the console escapes them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_console.auth import Principal
from agent_console.models import User
from contacts.models import Contact
from work_orders.models import Callback, WorkOrder, WorkOrderHistory
from work_orders.records import visible_order
from work_orders.rules import CATEGORY_NAMES, is_overdue, remaining_seconds


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in rows}


def _who(user_id: int | None, names: Mapping[int, str]) -> dict[str, Any] | None:
    return None if user_id is None else {"id": user_id, "name": names.get(user_id, "")}


def order_item(order: WorkOrder, now: datetime, names: Mapping[int, str]) -> dict[str, Any]:
    return {
        "id": order.id, "contact_id": order.contact_id, "account_number": order.account_number,
        "category": order.category, "category_name": CATEGORY_NAMES.get(order.category, order.category),
        "priority": order.priority, "status": order.status, "description": order.description,
        "address": order.address, "crew": order.crew,
        "owner_id": order.owner_id, "owner": _who(order.owner_id, names),
        "first_owner_id": order.first_owner_id, "first_owner": _who(order.first_owner_id, names),
        "created_by_id": order.created_by_id, "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at), "due_at": iso(order.due_at),
        "overdue": is_overdue(order.status, order.due_at, now),
        "remaining_seconds": remaining_seconds(order.status, order.due_at, now),
        "closed_at": iso(order.closed_at), "closing_reason": order.closing_reason,
        "satisfaction": order.satisfaction, "callback_satisfaction": order.callback_satisfaction,
    }


def order_items(session: Session, orders: list[WorkOrder], now: datetime) -> list[dict[str, Any]]:
    names = user_names(session, [i for o in orders for i in (o.owner_id, o.first_owner_id)])
    return [order_item(o, now, names) for o in orders]


def history_item(entry: WorkOrderHistory, names: Mapping[int, str]) -> dict[str, Any]:
    return {"at": iso(entry.at), "actor_id": entry.actor_id, "actor": _who(entry.actor_id, names),
            "action": entry.action, "from_status": entry.from_status, "to_status": entry.to_status,
            "from_owner_id": entry.from_owner_id, "to_owner_id": entry.to_owner_id, "note": entry.note}


def callback_item(callback: Callback, now: datetime, names: Mapping[int, str]) -> dict[str, Any]:
    still_open = callback.status in ("scheduled", "placed")
    return {
        "key": f"callback-{callback.id}", "id": callback.id, "kind": callback.kind, "read_only": False,
        "status": callback.status, "work_order_id": callback.work_order_id, "contact_id": callback.contact_id,
        "linkedid": None, "queue": None, "account_number": callback.account_number, "number": callback.number,
        "owner_id": callback.owner_id, "owner": _who(callback.owner_id, names), "due_at": iso(callback.due_at),
        "overdue": still_open and now > callback.due_at, "outcome": callback.outcome,
        "satisfaction": callback.satisfaction, "note": callback.note, "outcome_note": callback.outcome_note,
        "created_at": iso(callback.created_at), "done_at": iso(callback.done_at),
        "placed_linkedid": callback.placed_linkedid,
    }


def queue_callback_item(contact: Contact) -> dict[str, Any]:
    """A callback the ACD owes (read-only: the ACD places it); due since the caller asked for it."""
    asked = contact.queued_at or contact.ivr_left_at or contact.arrived_at
    return {
        "key": f"queue-{contact.linkedid}", "id": None, "kind": "queue", "read_only": True, "status": "scheduled",
        "work_order_id": None, "contact_id": contact.id, "linkedid": contact.linkedid, "queue": contact.queue,
        "account_number": contact.account_number, "number": contact.callback_number, "owner_id": None,
        "owner": None, "due_at": iso(asked), "overdue": False, "outcome": None, "satisfaction": None, "note": "",
        "outcome_note": "", "created_at": iso(asked), "done_at": None, "placed_linkedid": None,
    }


def callback_items(session: Session, callbacks: list[Callback], now: datetime) -> list[dict[str, Any]]:
    names = user_names(session, [c.owner_id for c in callbacks])
    return [callback_item(c, now, names) for c in callbacks]


def order_detail(session: Session, order: WorkOrder, now: datetime) -> dict[str, Any]:
    """The order with its history (oldest first) and its callbacks (newest first)."""
    history = list(session.scalars(select(WorkOrderHistory).where(WorkOrderHistory.work_order_id == order.id)
                                   .order_by(WorkOrderHistory.id)))
    callbacks = list(session.scalars(select(Callback).where(Callback.work_order_id == order.id)
                                     .order_by(Callback.id.desc())))
    names = user_names(session, [order.owner_id, order.first_owner_id, *(h.actor_id for h in history),
                                 *(c.owner_id for c in callbacks)])
    return {**order_item(order, now, names), "history": [history_item(h, names) for h in history],
            "callbacks": [callback_item(c, now, names) for c in callbacks]}


def order_view(session: Session, order_id: int, who: Principal, now: datetime) -> dict[str, Any]:
    """The order as ``who`` may see it (not found for an agent's look at someone else's order)."""
    return order_detail(session, visible_order(session, who, order_id), now)
