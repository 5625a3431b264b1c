"""Between rows and rules: a work order or callback row as the rules' snapshot, a decision written back with its
history entry, and who may see which row. Every state change of an order goes through :func:`apply_to_order`."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import cast

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from agent_console.auth import ROLE_RANK, Principal
from kernel.errors import NotFound
from work_orders.callback_rules import Callback as CallbackState
from work_orders.callback_rules import CallbackStatus, Kind, Outcome
from work_orders.models import Callback, WorkOrder, WorkOrderHistory
from work_orders.rules import Actor, Category, Change, Command, Order, Status, decide

log = logging.getLogger(__name__)


def is_supervisor(who: Principal) -> bool:
    """Supervisors, managers and admins."""
    return ROLE_RANK.get(who.role, -1) >= ROLE_RANK["supervisor"]


def actor_of(who: Principal) -> Actor:
    return Actor(user_id=who.user_id, supervisor=is_supervisor(who))


def visible_order(session: Session, who: Principal, order_id: int, *, lock: bool = False) -> WorkOrder:
    """The order, if ``who`` may see it: an agent sees only their own (others' are "not found", never
    "forbidden", so ids cannot be probed); supervisors see all. ``lock`` takes the row lock for a change."""
    query = select(WorkOrder).where(WorkOrder.id == order_id)
    order = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if order is None or (not is_supervisor(who) and order.owner_id != who.user_id):
        raise NotFound(f"no work order {order_id}")
    return order


def visible_callback(session: Session, who: Principal, callback_id: int, *, lock: bool = False) -> Callback:
    query = select(Callback).where(Callback.id == callback_id)
    callback = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if callback is None or (not is_supervisor(who) and callback.owner_id != who.user_id):
        raise NotFound(f"no callback {callback_id}")
    return callback


def closing_callback_done(session: Session, order_id: int) -> bool:
    return bool(session.scalar(select(exists().where(Callback.work_order_id == order_id, Callback.kind == "closing",
                                                     Callback.status == "done"))))


def order_snapshot(row: WorkOrder, callback_completed: bool) -> Order:
    return Order(category=cast(Category, row.category), status=cast(Status, row.status), owner_id=row.owner_id,
                 first_owner_id=row.first_owner_id, created_at=row.created_at, due_at=row.due_at, crew=row.crew,
                 closed_at=row.closed_at, closing_reason=row.closing_reason,
                 callback_satisfaction=row.callback_satisfaction, callback_completed=callback_completed)


def add_history(session: Session, order_id: int, change: Change) -> None:
    session.add(WorkOrderHistory(work_order_id=order_id, at=change.at, actor_id=change.actor_id,
                                 action=change.action, from_status=change.from_status, to_status=change.to_status,
                                 from_owner_id=change.from_owner_id, to_owner_id=change.to_owner_id,
                                 note=change.note))


def apply_to_order(session: Session, row: WorkOrder, command: Command, now: datetime) -> Change:
    """Decides ``command`` on the order (a refusal raises and changes nothing), writes the new state and its
    history entry. Take the row with ``visible_order(..., lock=True)`` first."""
    before = order_snapshot(row, closing_callback_done(session, row.id))
    after, change = decide(before, command, now)
    row.status, row.owner_id, row.crew = after.status, after.owner_id, after.crew
    row.closed_at, row.closing_reason = after.closed_at, after.closing_reason
    row.callback_satisfaction = after.callback_satisfaction
    row.updated_at = now
    add_history(session, row.id, change)
    if change.from_status != change.to_status and change.to_status is not None:
        log.info("work order %s %s -[%s]-> %s by %s", row.id, before.status, change.action, after.status,
                 change.actor_id)
    elif change.to_owner_id is not None:
        log.info("work order %s owner %s -[%s]-> %s by %s", row.id, before.owner_id, change.action,
                 after.owner_id, change.actor_id)
    return change


def callback_snapshot(row: Callback) -> CallbackState:
    return CallbackState(kind=cast(Kind, row.kind), status=cast(CallbackStatus, row.status), owner_id=row.owner_id,
                         outcome=cast(Outcome | None, row.outcome), satisfaction=row.satisfaction,
                         placed_linkedid=row.placed_linkedid, done_at=row.done_at)


def write_callback(row: Callback, state: CallbackState) -> None:
    if row.status != state.status:
        log.info("callback %s %s -> %s (%s)", row.id, row.status, state.status, state.outcome or "")
    row.status, row.outcome, row.satisfaction = state.status, state.outcome, state.satisfaction
    row.placed_linkedid, row.done_at = state.placed_linkedid, state.done_at
