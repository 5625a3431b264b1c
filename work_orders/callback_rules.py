"""Callback rules (回访 and promised call-backs): pure — no SQL, no clock, no I/O.

A callback is ``scheduled`` for its owner, ``placed`` once a call to the customer is started (the telephony side
records the call's linkedid), then ends ``done`` (the customer was reached, or declined), ``failed`` (no answer,
busy, a wrong number) or ``cancelled`` (with a reason). A ``closing`` callback is a work order's 回访: reached,
it needs the customer's satisfaction score (1-5), and once done it lets the order close. ``queue`` callbacks are
the ones the ACD owes to callers who left a queue (contact.callback_status "requested"); the ACD places them
itself, so they are shown, never changed here. Only the owner or a supervisor changes a callback."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, get_args

from kernel.errors import Conflict, Forbidden, InvalidInput
from work_orders.rules import Actor

Kind = Literal["closing", "promised", "queue"]
CallbackStatus = Literal["scheduled", "placed", "done", "failed", "cancelled"]
Outcome = Literal["reached", "no_answer", "busy", "wrong_number", "declined"]

KINDS: tuple[Kind, ...] = get_args(Kind)
CALLBACK_STATUSES: tuple[CallbackStatus, ...] = get_args(CallbackStatus)
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
OPEN: frozenset[str] = frozenset({"scheduled", "placed"})
COMPLETING: frozenset[Outcome] = frozenset({"reached", "declined"})  # the rest fail the attempt
SATISFACTION = range(1, 6)


class CallbackClosed(Conflict):
    code = "callback_closed"


class QueueCallbackReadOnly(Conflict):
    code = "queue_callback_read_only"


@dataclass(frozen=True)
class Callback:
    kind: Kind
    status: CallbackStatus
    owner_id: int
    outcome: Outcome | None = None
    satisfaction: int | None = None
    placed_linkedid: str | None = None
    done_at: datetime | None = None


@dataclass(frozen=True)
class Place:
    actor: Actor
    linkedid: str


@dataclass(frozen=True)
class RecordOutcome:
    actor: Actor
    outcome: Outcome
    satisfaction: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Cancel:
    actor: Actor
    reason: str


CallbackCommand = Place | RecordOutcome | Cancel


def decide_callback(callback: Callback, command: CallbackCommand, now: datetime) -> Callback:
    if callback.kind == "queue":
        raise QueueCallbackReadOnly("the ACD places queue callbacks itself")
    if callback.status not in OPEN:
        raise CallbackClosed(f"this callback is {callback.status} and can no longer change")
    if command.actor.user_id != callback.owner_id and not command.actor.supervisor:
        raise Forbidden("only the callback's owner or a supervisor may change it")
    match command:
        case Place():
            if not command.linkedid:
                raise InvalidInput("a placed callback needs its call's linkedid")
            return replace(callback, status="placed", placed_linkedid=command.linkedid)
        case RecordOutcome():
            return _outcome(callback, command, now)
        case Cancel():
            if not command.reason.strip():
                raise InvalidInput("cancelling a callback needs a reason")
            return replace(callback, status="cancelled", done_at=now)
    raise TypeError(f"not a callback command: {command!r}")


def _outcome(callback: Callback, cmd: RecordOutcome, now: datetime) -> Callback:
    score = cmd.satisfaction
    if score is not None and (isinstance(score, bool) or score not in SATISFACTION):
        raise InvalidInput("satisfaction is a whole number from 1 to 5")
    if cmd.outcome != "reached" and score is not None:
        raise InvalidInput(f"satisfaction is recorded only when the customer was reached, not {cmd.outcome}")
    if cmd.outcome == "reached" and callback.kind == "closing" and score is None:
        raise InvalidInput("a closing callback (回访) that reached the customer needs their satisfaction (1-5)")
    status: CallbackStatus = "done" if cmd.outcome in COMPLETING else "failed"
    return replace(callback, status=status, outcome=cmd.outcome, satisfaction=score, done_at=now)


def completes_closing(callback: Callback) -> bool:
    """Whether this callback is a completed 回访 that lets its order close."""
    return callback.kind == "closing" and callback.status == "done"
