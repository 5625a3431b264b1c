"""The contact record as a fold over a call's events. Pure: current field values and an event in, the
fields to change out. The recorder applies the result to the one ``contact`` row of the call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kernel.call_events import (
    AgentLegEnded,
    AgentRinging,
    CallArrived,
    CallEnded,
    CallOffered,
    CallQueued,
    IvrLeft,
    IvrStepped,
    OfferAnswered,
    OfferFailed,
    TrunkLinesBusy,
)
from kernel.events import Event

CONTACT_EVENTS = (CallArrived, IvrStepped, IvrLeft, CallQueued, CallOffered, AgentRinging, OfferAnswered,
                  OfferFailed, CallEnded, AgentLegEnded, TrunkLinesBusy)


def is_contact_event(event: Event) -> bool:
    return isinstance(event, CONTACT_EVENTS) and bool(event.linkedid)


def changes_for(current: Mapping[str, Any], event: Event) -> dict[str, Any]:
    """Fields to set on the contact row; ``current`` holds the row's present values (empty when new)."""
    match event:
        case CallArrived():
            return {"arrived_at": event.at, "caller_number": event.caller_number,
                    "dialed_number": event.dialed_number}
        case IvrLeft():
            changes: dict[str, Any] = {"ivr_left_at": event.at, "ivr_path": event.path}
            if event.account_number:
                changes["account_number"] = event.account_number
            if event.outcome:
                changes["outcome"] = event.outcome
            return changes
        case CallQueued():
            return _queued(current, event)
        case CallOffered():
            return {"offered_at": current.get("offered_at") or event.at, "agent_id": event.agent_id,
                    "seat": event.seat, "offer_count": (current.get("offer_count") or 0) + 1}
        case OfferAnswered():
            return {} if current.get("answered_at") else {"answered_at": event.at, "seat": event.seat}
        case CallEnded():
            return {"ended_at": event.at, "outcome": final_outcome(current)}
        case TrunkLinesBusy():
            return {"outcome": "lines_busy"}
    return {}


def _queued(current: Mapping[str, Any], event: CallQueued) -> dict[str, Any]:
    changes: dict[str, Any] = {"queue": event.queue}
    if not current.get("queued_at"):
        changes["queued_at"] = event.at
    if event.account_number:
        changes["account_number"] = event.account_number
    if event.ivr_path and not current.get("ivr_path"):
        changes["ivr_path"] = event.ivr_path
    if event.caller_number and not current.get("caller_number"):
        changes["caller_number"] = event.caller_number
    if event.reconstructed:
        changes["reconstructed"] = True
    return changes


def final_outcome(current: Mapping[str, Any]) -> str:
    """answered, abandoned (hung up while queued or ringing), or how the call ended without a queue."""
    if current.get("answered_at"):
        return "answered"
    if current.get("queued_at"):
        return "abandoned"
    if current.get("outcome"):
        return str(current["outcome"])
    if current.get("ivr_left_at"):
        return "ivr_hangup"
    return "ended"
