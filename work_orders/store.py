"""Work orders (工单) in SQL: opened from a call by the agent who took it, who owns it (首问负责制); the lists
(mine, overdue, unowned, all); status changes, handovers and reassignments, closing. Each verb locks the order's
row, lets ``work_orders.rules`` decide, and writes the change and its history entry in the caller's transaction.

An order created from a call carries the caller's post-call survey score, whether the caller rated the call
before or after (see :func:`record_satisfaction`).

**Unowned** means: not closed, and its owner's user account is deactivated (``app_user.active`` false: the
agent left). Such orders wait for a supervisor to reassign them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agent_console.auth import Principal
from agent_console.models import User
from contacts.models import Contact
from kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from work_orders import callback_store
from work_orders.models import Callback, WorkOrder, WorkOrderHistory
from work_orders.records import actor_of, add_history, apply_to_order, is_supervisor, visible_order
from work_orders.rules import (
    DEFAULT_LIMITS,
    NO_CALLBACK_REASONS,
    Category,
    Close,
    HandOver,
    NoCallbackReason,
    Priority,
    Reassign,
    SetStatus,
    Status,
    TimeLimits,
    open_order,
)

Scope = Literal["mine", "overdue", "unowned", "all"]
SUPERVISOR_SCOPES = ("overdue", "unowned", "all")


class KeyReused(Conflict):
    """The idempotency key was already used, by another user or for a different order."""

    code = "idempotency_key_reused"


class KeyInUse(Conflict):
    """Another request with the same idempotency key is being written right now: send it again shortly."""

    code = "idempotency_key_in_use"


def order_for_key(session: Session, actor: Principal, client_key: str, *, category: str,
                  description: str) -> WorkOrder | None:
    """The order an earlier request with this idempotency key created (a retry: the same user, the same order),
    or None if there is none yet."""
    order = session.scalars(select(WorkOrder).where(WorkOrder.client_key == client_key)).one_or_none()
    if order is not None and (order.created_by_id != actor.user_id or order.category != category
                              or order.description != description):
        raise KeyReused("this Idempotency-Key was used for another work order: send a new key")
    return order


def create_work_order(session: Session, actor: Principal, *, linkedid: str | None, category: Category,
                      priority: Priority, description: str, address: str, account_number: str | None,
                      now: datetime, limits: TimeLimits = DEFAULT_LIMITS, client_key: str | None = None) -> WorkOrder:
    """Opens an order. From a call (``linkedid``) its owner is the agent who took the call, and only that agent
    (or a supervisor) may open it. ``client_key``: the request's idempotency key (unique; see
    :func:`order_for_key`)."""
    owner_id = actor.user_id
    contact_id = None
    if linkedid:
        # Locked (PostgreSQL) so that a survey score being recorded now waits for this order, then copies to it.
        contact = session.scalars(select(Contact).where(Contact.linkedid == linkedid)
                                  .with_for_update()).one_or_none()
        if contact is None:
            raise NotFound(f"no call {linkedid}")
        if contact.agent_id is not None and contact.agent_id != actor.user_id and not is_supervisor(actor):
            raise Forbidden("only the agent who took the call opens its work order")
        owner_id = contact.agent_id if contact.agent_id is not None else actor.user_id
        contact_id = contact.id
        account_number = account_number or contact.account_number
    if not description.strip():
        raise InvalidInput("description must not be empty")
    state, change = open_order(category, owner_id, actor.user_id, now, limits)
    order = WorkOrder(contact_id=contact_id, account_number=account_number or None, category=category,
                      priority=priority, status=state.status, description=description, address=address,
                      owner_id=owner_id, first_owner_id=state.first_owner_id, created_by_id=actor.user_id,
                      created_at=now, updated_at=now, due_at=state.due_at, crew="", client_key=client_key)
    session.add(order)
    try:
        session.flush()
    except IntegrityError as exc:  # the same key, written by a concurrent request since order_for_key looked
        if client_key is not None and "client_key" in str(exc.orig):
            raise KeyInUse("a request with this Idempotency-Key is being written: send it again") from exc
        raise
    if contact_id is not None:  # read after the insert: on SQLite only the writer's own read is current
        order.satisfaction = session.scalar(select(Contact.satisfaction).where(Contact.id == contact_id))
    add_history(session, order.id, change)
    return order


def record_satisfaction(session: Session, contact_id: int, score: int) -> int:
    """Stores a call's survey score on every work order opened from it; returns how many there were. The
    contact recorder calls it in the transaction that stores the score on the contact."""
    result = session.execute(update(WorkOrder).where(WorkOrder.contact_id == contact_id)
                             .values(satisfaction=score).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def get_work_order(session: Session, actor: Principal, order_id: int) -> WorkOrder:
    return visible_order(session, actor, order_id)


def list_work_orders(session: Session, who: Principal, scope: Scope, now: datetime, *,
                     include_closed: bool = False, limit: int = 100, offset: int = 0) -> list[WorkOrder]:
    """``mine``: the caller's own; ``overdue``, ``unowned`` and ``all``: supervisors only. Open orders come
    first, the soonest due first; closed ones (with ``include_closed``, never for overdue or unowned) after."""
    if scope in SUPERVISOR_SCOPES:
        who.require("supervisor")
    query: Select[tuple[WorkOrder]] = select(WorkOrder)
    if scope == "mine":
        query = query.where(WorkOrder.owner_id == who.user_id)
    elif scope == "overdue":
        query = query.where(WorkOrder.due_at < now)
    elif scope == "unowned":
        query = query.join(User, User.id == WorkOrder.owner_id).where(User.active.is_(False))
    if not include_closed or scope in ("overdue", "unowned"):
        query = query.where(WorkOrder.status != "closed")
    closed_last = (WorkOrder.status == "closed").asc()
    query = query.order_by(closed_last, WorkOrder.due_at, WorkOrder.id).limit(limit).offset(offset)
    return list(session.scalars(query))


def change_status(session: Session, who: Principal, order_id: int, to: Status, *, note: str, crew: str,
                  now: datetime, callback_due_after: timedelta = timedelta(hours=24)) -> WorkOrder:
    """Moves the order along its status flow. Awaiting callback schedules its closing callback (回访) for the
    owner, due ``callback_due_after`` from now, unless one is already open or there is no number to call."""
    order = visible_order(session, who, order_id, lock=True)
    apply_to_order(session, order, SetStatus(actor_of(who), to, note=note, crew=crew), now)
    if to == "awaiting_callback" and not callback_store.open_closing_callback(session, order.id):
        callback_store.schedule_closing_callback(session, who, order, now, now + callback_due_after)
    return order


def hand_over(session: Session, who: Principal, order_id: int, to_agent_id: int, reason: str, now: datetime, *,
              reassign: bool = False) -> WorkOrder:
    """The owner or a supervisor hands the order over (``reassign``: a supervisor reassigns it) to another active
    user; its open callbacks go with it."""
    if reassign:
        who.require("supervisor")
    order = visible_order(session, who, order_id, lock=True)
    target = session.get(User, to_agent_id)
    if target is None or not target.active:
        raise InvalidInput(f"to_agent_id {to_agent_id} is not an active user")
    command = (Reassign if reassign else HandOver)(actor_of(who), to_agent_id, reason)
    apply_to_order(session, order, command, now)
    session.execute(update(Callback).where(Callback.work_order_id == order.id,
                                           Callback.status.in_(("scheduled", "placed")))
                    .values(owner_id=to_agent_id).execution_options(synchronize_session=False))
    return order


def close_order(session: Session, who: Principal, order_id: int, *, note: str, no_callback_reason: str | None,
                now: datetime) -> WorkOrder:
    """Closes the order: after its closing callback, or with the reason none was possible — one of
    ``NO_CALLBACK_REASONS``, or in the agent's own words (stored as "other", the words leading the history note).
    Callbacks still open on it are cancelled."""
    order = visible_order(session, who, order_id, lock=True)
    reason: NoCallbackReason | None = None
    if no_callback_reason is not None:
        if not no_callback_reason.strip():
            raise InvalidInput("no_callback_reason must say why (or leave it out)")
        if no_callback_reason in NO_CALLBACK_REASONS:
            reason = no_callback_reason
        else:
            reason, note = "other", no_callback_reason + (f"\n{note}" if note else "")
    apply_to_order(session, order, Close(actor_of(who), note=note, no_callback_reason=reason), now)
    callback_store.cancel_open_callbacks(session, order.id, now, "the work order was closed")
    return order


def history_of(session: Session, order_id: int) -> list[WorkOrderHistory]:
    query = select(WorkOrderHistory).where(WorkOrderHistory.work_order_id == order_id).order_by(
        WorkOrderHistory.id)
    return list(session.scalars(query))


def open_order_owner(session: Session, account_number: str) -> int | None:
    """The owner of the account's most recent open work order (首问负责制: a repeat caller reaches them
    first), or None; an owner who left (deactivated) is no one to wait for."""
    query = (select(WorkOrder.owner_id).join(User, User.id == WorkOrder.owner_id)
             .where(WorkOrder.account_number == account_number, WorkOrder.status != "closed",
                    User.active.is_(True))
             .order_by(WorkOrder.id.desc()).limit(1))
    return session.scalars(query).first()
