"""Callbacks in SQL: scheduling (a work order's closing callback 回访, or one an agent promised), the lists, the
outcome with the customer's satisfaction, cancelling, and marking one placed (the telephony side calls
:func:`mark_placed` with the call's linkedid when it starts the call).

A callback on a work order belongs to the order's owner and follows the order on a handover; each of its steps
is also an entry in the order's history. Queue callbacks the ACD owes (``contact.callback_status`` "requested")
are listed beside them, read-only: the ACD places those itself."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from agent_console.auth import Principal
from billing.models import Account
from contacts.models import Contact
from kernel.errors import Conflict, InvalidInput
from work_orders.callback_rules import CallbackCommand, Cancel, Kind, Outcome, Place, RecordOutcome, decide_callback
from work_orders.models import Callback, WorkOrder
from work_orders.records import (
    actor_of,
    apply_to_order,
    callback_snapshot,
    visible_callback,
    visible_order,
    write_callback,
)
from work_orders.rules import LogCallback

log = logging.getLogger(__name__)
Scope = Literal["mine", "all"]
OPEN_STATUSES = ("scheduled", "placed")
PHONE = re.compile(r"\+?[0-9]{3,20}")
MAX_AHEAD = timedelta(days=90)
PAST_SLACK = timedelta(minutes=5)
ORDER_EVENTS: dict[str, Literal["completed", "failed", "cancelled"]] = {
    "done": "completed", "failed": "failed", "cancelled": "cancelled"}


class ClosingCallbackExists(Conflict):
    code = "closing_callback_exists"


def open_closing_callback(session: Session, order_id: int) -> Callback | None:
    return session.scalars(select(Callback).where(Callback.work_order_id == order_id, Callback.kind == "closing",
                                                  Callback.status.in_(OPEN_STATUSES))).first()


def number_to_call(session: Session, order: WorkOrder) -> str | None:
    """The number a closing callback dials: the caller's number of the order's call, else the account's phone."""
    candidates: list[str | None] = []
    if order.contact_id is not None:
        candidates.append(session.scalar(select(Contact.caller_number).where(Contact.id == order.contact_id)))
    if order.account_number:
        candidates.append(session.scalar(select(Account.phone).where(Account.account_number == order.account_number)))
    return next((n for n in candidates if n and PHONE.fullmatch(n)), None)


def schedule_closing_callback(session: Session, who: Principal, order: WorkOrder, now: datetime,
                              due_at: datetime) -> Callback | None:
    """The order's closing callback for its owner; None when there is no number to call (the order then closes
    with a reason, or someone schedules one with a number)."""
    number = number_to_call(session, order)
    if number is None:
        return None
    return _insert(session, who, order, kind="closing", number=number, due_at=due_at, note="", now=now)


def schedule_callback(session: Session, who: Principal, *, work_order_id: int | None, number: str,
                      due_at: datetime, kind: Kind, note: str, now: datetime) -> Callback:
    if kind == "queue":
        raise InvalidInput("queue callbacks are the ACD's: schedule a closing or promised callback")
    if not PHONE.fullmatch(number):
        raise InvalidInput("number must be 3 to 20 digits, optionally after a +")
    if due_at.tzinfo is None:
        raise InvalidInput("due_at needs a time zone")
    if due_at < now - PAST_SLACK or due_at > now + MAX_AHEAD:
        raise InvalidInput("due_at must be from now to 90 days ahead")
    if work_order_id is None:
        if kind == "closing":
            raise InvalidInput("a closing callback (回访) belongs to a work order: give work_order_id")
        callback = Callback(work_order_id=None, contact_id=None, account_number=None, number=number, kind=kind,
                            owner_id=who.user_id, created_by_id=who.user_id, due_at=due_at, status="scheduled",
                            note=note, outcome_note="", created_at=now)
        session.add(callback)
        session.flush()
        log.info("callback %s (%s) scheduled for user %s, due %s", callback.id, kind, who.user_id, due_at)
        return callback
    order = visible_order(session, who, work_order_id, lock=True)
    if kind == "closing" and open_closing_callback(session, order.id) is not None:
        raise ClosingCallbackExists("this work order already has a closing callback scheduled")
    return _insert(session, who, order, kind=kind, number=number, due_at=due_at, note=note, now=now)


def _insert(session: Session, who: Principal, order: WorkOrder, *, kind: Kind, number: str, due_at: datetime,
            note: str, now: datetime) -> Callback:
    """A callback on ``order`` (locked by the caller), for its owner, written in the order's history."""
    apply_to_order(session, order, LogCallback(actor_of(who), "scheduled", closing=kind == "closing",
                                               note=f"{kind} callback to {number}, due {due_at.isoformat()}"), now)
    callback = Callback(work_order_id=order.id, contact_id=order.contact_id, account_number=order.account_number,
                        number=number, kind=kind, owner_id=order.owner_id, created_by_id=who.user_id,
                        due_at=due_at, status="scheduled", note=note, outcome_note="", created_at=now)
    session.add(callback)
    session.flush()
    log.info("callback %s (%s) scheduled on work order %s for user %s, due %s", callback.id, kind, order.id,
             order.owner_id, due_at)
    return callback


def list_callbacks(session: Session, who: Principal, scope: Scope, *, include_closed: bool = False,
                   limit: int = 200) -> list[Callback]:
    """``mine``: the caller's own; ``all``: everyone's (supervisors). Open ones first, the soonest due first."""
    if scope == "all":
        who.require("supervisor")
    query: Select[tuple[Callback]] = select(Callback)
    if scope == "mine":
        query = query.where(Callback.owner_id == who.user_id)
    if not include_closed:
        query = query.where(Callback.status.in_(OPEN_STATUSES))
    done_last = Callback.status.not_in(OPEN_STATUSES).asc()
    return list(session.scalars(query.order_by(done_last, Callback.due_at, Callback.id).limit(limit)))


def owed_queue_callbacks(session: Session, who: Principal, scope: Scope, since: datetime) -> list[Contact]:
    """Queue callbacks the ACD still owes (requested since ``since``), oldest first: all of them for ``all``; for
    ``mine``, those of accounts with an open work order the caller owns (the ACD offers them to the owner first)."""
    if scope == "all":
        who.require("supervisor")
    query = select(Contact).where(Contact.callback_status == "requested", Contact.callback_number.is_not(None),
                                  Contact.arrived_at >= since)
    if scope == "mine":
        owned = select(WorkOrder.account_number).where(WorkOrder.owner_id == who.user_id,
                                                       WorkOrder.status != "closed",
                                                       WorkOrder.account_number.is_not(None))
        query = query.where(Contact.account_number.in_(owned))
    return list(session.scalars(query.order_by(Contact.arrived_at, Contact.id)))


def record_outcome(session: Session, who: Principal, callback_id: int, *, outcome: Outcome,
                   satisfaction: int | None, note: str, now: datetime) -> Callback:
    """The call's outcome: reached (with the customer's satisfaction, 1-5, for a closing callback) or declined
    complete the callback; no answer, busy or a wrong number fail it (schedule another, or close the order with a
    reason). A completed closing callback lets its order close and puts the score on the order."""
    return _change(session, who, callback_id, RecordOutcome(actor_of(who), outcome, satisfaction, note), now, note)


def cancel_callback(session: Session, who: Principal, callback_id: int, reason: str, now: datetime) -> Callback:
    return _change(session, who, callback_id, Cancel(actor_of(who), reason), now, reason)


def mark_placed(session: Session, who: Principal, callback_id: int, linkedid: str, now: datetime) -> Callback:
    """The call to the customer has started (click-to-call): the callback is ``placed`` with the call's linkedid."""
    return _change(session, who, callback_id, Place(actor_of(who), linkedid), now, None)


def _change(session: Session, who: Principal, callback_id: int, command: CallbackCommand, now: datetime,
            note: str | None) -> Callback:
    found = visible_callback(session, who, callback_id)
    # The order's row lock first, then the callback's: the order the other verbs take them in.
    order = session.scalars(select(WorkOrder).where(WorkOrder.id == found.work_order_id)
                            .with_for_update()).one_or_none() if found.work_order_id is not None else None
    callback = visible_callback(session, who, callback_id, lock=True)
    after = decide_callback(callback_snapshot(callback), command, now)
    if order is not None and not isinstance(command, Place):
        event = ORDER_EVENTS[after.status]
        summary = f"{callback.kind} callback {after.outcome or 'cancelled'}" + (
            f", satisfaction {after.satisfaction}" if after.satisfaction is not None else "")
        apply_to_order(session, order, LogCallback(actor_of(who), event, closing=callback.kind == "closing",
                                                   note=f"{summary}: {note}" if note else summary,
                                                   satisfaction=after.satisfaction), now)
    write_callback(callback, after)
    if note is not None:
        callback.outcome_note = note
    return callback


def cancel_open_callbacks(session: Session, order_id: int, now: datetime, reason: str) -> None:
    session.execute(update(Callback).where(Callback.work_order_id == order_id, Callback.status.in_(OPEN_STATUSES))
                    .values(status="cancelled", done_at=now, outcome_note=reason)
                    .execution_options(synchronize_session=False))


def get_callback(session: Session, who: Principal, callback_id: int) -> Callback:
    return visible_callback(session, who, callback_id)
