"""Work-order rules (工单): pure — no SQL, no clock, no I/O; ``now`` is an argument.

An order is a frozen snapshot (:class:`Order`). ``decide(order, command, now) -> (order, change)`` applies one
command and returns the new snapshot and the one history entry (:class:`Change`) it makes; a refused command
raises and the caller keeps the order it had. Every accepted command makes exactly one history entry.

Status flow (``TRANSITIONS``): new → in_progress → dispatched (to a field crew: ``crew``, or named in the note)
→ awaiting_callback → closed, with the detours a hotline needs (dispatch straight from new; back to
in_progress or to the crew when the callback finds the problem unsolved). ``closed`` is reached only by
:class:`Close`, which needs a completed closing callback (回访: reached with a satisfaction score, or the
customer declined it) or a reason why none was possible (``NO_CALLBACK_REASONS``). A closed order never changes.

Ownership (首问负责制): the agent who took the call owns the order; ``first_owner_id`` never changes, so
reports keep that agent accountable after a handover. The owner or a supervisor hands an order over, a
supervisor reassigns it; both need a reason. Time limits: ``due_at = created_at + limit(category)``; an
order is overdue when it is not closed and ``now > due_at``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal, get_args

from kernel.errors import Conflict, Forbidden, InvalidInput

Category = Literal["repair", "leak", "consultation", "complaint", "query", "suggestion"]
Priority = Literal["low", "normal", "high", "urgent"]
Status = Literal["new", "in_progress", "dispatched", "awaiting_callback", "closed"]
NoCallbackReason = Literal["customer_declined", "no_phone_number", "unreachable", "duplicate", "other"]
Action = Literal["created", "status_changed", "handed_over", "reassigned", "closed", "callback_scheduled",
                 "callback_completed", "callback_failed", "callback_cancelled"]

CATEGORIES: tuple[Category, ...] = get_args(Category)
CATEGORY_NAMES = {"repair": "报修", "leak": "报漏", "consultation": "咨询", "complaint": "投诉", "query": "查询",
                  "suggestion": "建议"}
PRIORITIES: tuple[Priority, ...] = get_args(Priority)
STATUSES: tuple[Status, ...] = get_args(Status)
OPEN_STATUSES: tuple[Status, ...] = tuple(s for s in STATUSES if s != "closed")
NO_CALLBACK_REASONS: tuple[NoCallbackReason, ...] = get_args(NoCallbackReason)
CLOSED_BY_CALLBACK = "callback"  # closing_reason of an order closed after its closing callback

TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    "new": frozenset({"in_progress", "dispatched", "closed"}),
    "in_progress": frozenset({"dispatched", "awaiting_callback", "closed"}),
    "dispatched": frozenset({"in_progress", "awaiting_callback"}),
    "awaiting_callback": frozenset({"in_progress", "dispatched", "closed"}),
    "closed": frozenset(),
}

DEFAULT_TIME_LIMIT_HOURS: Mapping[Category, float] = {
    "repair": 24, "leak": 4, "consultation": 48, "complaint": 72, "query": 24, "suggestion": 168}
REASON_MAX = 500
NOTE_MAX = 2000
CREW_MAX = 100


class IllegalTransition(Conflict):
    code = "illegal_transition"


class OrderClosed(Conflict):
    code = "order_closed"


class ClosingCallbackRequired(Conflict):
    code = "closing_callback_required"


@dataclass(frozen=True)
class TimeLimits:
    """Hours allowed per category, from configuration (``work_orders.time_limits``)."""

    hours: Mapping[Category, float]

    def due_at(self, category: Category, created_at: datetime) -> datetime:
        return created_at + timedelta(hours=self.hours.get(category, DEFAULT_TIME_LIMIT_HOURS[category]))


DEFAULT_LIMITS = TimeLimits(DEFAULT_TIME_LIMIT_HOURS)


def is_overdue(status: str, due_at: datetime, now: datetime) -> bool:
    return status != "closed" and now > due_at


def remaining_seconds(status: str, due_at: datetime, now: datetime) -> int | None:
    """Whole seconds left before ``due_at`` (negative once overdue); None for a closed order."""
    return None if status == "closed" else math.floor((due_at - now).total_seconds())


@dataclass(frozen=True)
class Actor:
    user_id: int
    supervisor: bool = False  # supervisor, manager or admin


@dataclass(frozen=True)
class Order:
    category: Category
    status: Status
    owner_id: int
    first_owner_id: int
    created_at: datetime
    due_at: datetime
    crew: str = ""
    closed_at: datetime | None = None
    closing_reason: str | None = None
    callback_satisfaction: int | None = None
    callback_completed: bool = False  # a closing callback reached the customer (or they declined it)


@dataclass(frozen=True)
class Change:
    """One history entry: who, when, what, from/to status and owner, and the note as typed."""

    at: datetime
    actor_id: int
    action: Action
    from_status: Status | None = None
    to_status: Status | None = None
    from_owner_id: int | None = None
    to_owner_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class SetStatus:
    actor: Actor
    to: Status
    note: str = ""
    crew: str = ""  # the field crew, required when dispatching


@dataclass(frozen=True)
class HandOver:
    """The owner (e.g. at the end of a shift) or a supervisor passes the order to another agent."""

    actor: Actor
    to_owner_id: int
    reason: str


@dataclass(frozen=True)
class Reassign:
    """A supervisor gives the order to another agent (an owner who left, an overdue order)."""

    actor: Actor
    to_owner_id: int
    reason: str


@dataclass(frozen=True)
class Close:
    actor: Actor
    note: str = ""
    no_callback_reason: NoCallbackReason | None = None


@dataclass(frozen=True)
class LogCallback:
    """Something happened to one of the order's callbacks; ``closing`` marks its closing callback (回访)."""

    actor: Actor
    event: Literal["scheduled", "completed", "failed", "cancelled"]
    closing: bool
    note: str = ""
    satisfaction: int | None = None


Command = SetStatus | HandOver | Reassign | Close | LogCallback
CALLBACK_ACTIONS: Mapping[str, Action] = {"scheduled": "callback_scheduled", "completed": "callback_completed",
                                          "failed": "callback_failed", "cancelled": "callback_cancelled"}


def open_order(category: Category, owner_id: int, actor_id: int, now: datetime,
               limits: TimeLimits = DEFAULT_LIMITS) -> tuple[Order, Change]:
    """A new order owned by ``owner_id`` (the agent who took the call), due by its category's time limit."""
    order = Order(category=category, status="new", owner_id=owner_id, first_owner_id=owner_id, created_at=now,
                  due_at=limits.due_at(category, now))
    return order, Change(at=now, actor_id=actor_id, action="created", to_status="new", to_owner_id=owner_id)


def decide(order: Order, command: Command, now: datetime) -> tuple[Order, Change]:
    if order.status == "closed":
        raise OrderClosed("this work order is closed and can no longer change")
    match command:
        case SetStatus():
            return _set_status(order, command, now)
        case HandOver() | Reassign():
            return _hand_over(order, command, now)
        case Close():
            return _close(order, command, now)
        case LogCallback():
            return _log_callback(order, command, now)
    raise TypeError(f"not a work-order command: {command!r}")


def _owner_or_supervisor(order: Order, actor: Actor, what: str) -> None:
    if actor.user_id != order.owner_id and not actor.supervisor:
        raise Forbidden(f"only the order's owner or a supervisor may {what}")


def _check_move(order: Order, to: Status) -> None:
    if to not in TRANSITIONS[order.status]:
        allowed = ", ".join(sorted(TRANSITIONS[order.status])) or "none"
        raise IllegalTransition(f"a work order cannot go from {order.status} to {to} (from {order.status}: "
                                f"{allowed})")


def _set_status(order: Order, cmd: SetStatus, now: datetime) -> tuple[Order, Change]:
    _owner_or_supervisor(order, cmd.actor, "change its status")
    if cmd.to == "closed":
        raise IllegalTransition("close a work order with the close action (it checks the closing callback)")
    if cmd.to == order.status:
        raise IllegalTransition(f"the work order is already {order.status}")
    _check_move(order, cmd.to)
    crew = cmd.crew.strip()
    if cmd.to == "dispatched" and not crew and not cmd.note.strip():
        raise InvalidInput("dispatching needs the field crew (crew) or a note saying who goes")
    note = cmd.note
    if cmd.to == "dispatched" and crew:  # the crew goes into the history too: a re-dispatch shows both crews
        note = f"crew: {crew}" + (f"\n{cmd.note}" if cmd.note else "")
    new = replace(order, status=cmd.to, crew=crew if cmd.to == "dispatched" else order.crew)
    return new, Change(at=now, actor_id=cmd.actor.user_id, action="status_changed", from_status=order.status,
                       to_status=cmd.to, note=note)


def _hand_over(order: Order, cmd: HandOver | Reassign, now: datetime) -> tuple[Order, Change]:
    if isinstance(cmd, Reassign):
        if not cmd.actor.supervisor:
            raise Forbidden("only a supervisor reassigns work orders")
    else:
        _owner_or_supervisor(order, cmd.actor, "hand it over")
    if not cmd.reason.strip():
        raise InvalidInput("a handover or reassignment needs a reason")
    if cmd.to_owner_id == order.owner_id:
        raise InvalidInput("the work order already belongs to that agent")
    action: Action = "reassigned" if isinstance(cmd, Reassign) else "handed_over"
    return replace(order, owner_id=cmd.to_owner_id), Change(
        at=now, actor_id=cmd.actor.user_id, action=action, from_owner_id=order.owner_id,
        to_owner_id=cmd.to_owner_id, note=cmd.reason.strip())


def _close(order: Order, cmd: Close, now: datetime) -> tuple[Order, Change]:
    _owner_or_supervisor(order, cmd.actor, "close it")
    _check_move(order, "closed")
    if cmd.no_callback_reason == "other" and not cmd.note.strip():
        raise InvalidInput("closing without a callback for reason 'other' needs a note saying why")
    if cmd.no_callback_reason is None and not order.callback_completed:
        raise ClosingCallbackRequired(
            "closing needs a completed closing callback (回访) or a reason why none was possible "
            f"(no_callback_reason: {', '.join(NO_CALLBACK_REASONS)})")
    reason = CLOSED_BY_CALLBACK if cmd.no_callback_reason is None else cmd.no_callback_reason
    new = replace(order, status="closed", closed_at=now, closing_reason=reason)
    return new, Change(at=now, actor_id=cmd.actor.user_id, action="closed", from_status=order.status,
                       to_status="closed", note=cmd.note)


def _log_callback(order: Order, cmd: LogCallback, now: datetime) -> tuple[Order, Change]:
    new = order
    if cmd.closing and cmd.event == "completed":
        satisfaction = cmd.satisfaction if cmd.satisfaction is not None else order.callback_satisfaction
        new = replace(order, callback_completed=True, callback_satisfaction=satisfaction)
    return new, Change(at=now, actor_id=cmd.actor.user_id, action=CALLBACK_ACTIONS[cmd.event], note=cmd.note)
