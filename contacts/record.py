"""The contact record as a fold over a call's events. Pure: current field values and an event in, the
fields to change out. The recorder applies the result to the one ``contact`` row of the call.

The caller's wait is queued -> answered for an answered call and queued -> ended for an abandon. An abandon
is staged "ringing" when the caller hung up while a seat was offered the call or rang (Dial ends CANCEL only
then), else "queue"; one shorter than the short-abandon threshold is marked a short abandon.

The post-call survey's score is stored whenever it comes: the caller's channel ends after the survey, but the
survey's events and the hang-up may reach the database in either order. A survey offered and not answered
stays in the event log only (``survey.offered`` without ``survey.answered``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from contacts.agent_call_record import AGENT_CALL_EVENTS, INBOUND, agent_call_changes
from kernel.call_events import (
    AgentLegEnded,
    AgentRinging,
    CallAnswered,
    CallArrived,
    CallbackDialEnded,
    CallbackRequested,
    CallEnded,
    CallOffered,
    CallOverflowed,
    CallQueued,
    IvrLeft,
    IvrStepped,
    OfferAnswered,
    OfferFailed,
    SurveyAnswered,
    SurveyOffered,
    TrunkLinesBusy,
)
from kernel.events import Event

CONTACT_EVENTS = (CallArrived, IvrStepped, IvrLeft, CallQueued, CallOffered, AgentRinging, OfferAnswered,
                  OfferFailed, CallEnded, AgentLegEnded, TrunkLinesBusy, CallAnswered, CallOverflowed,
                  CallbackRequested, CallbackDialEnded, SurveyOffered, SurveyAnswered, *AGENT_CALL_EVENTS)


def is_contact_event(event: Event) -> bool:
    return isinstance(event, CONTACT_EVENTS) and bool(event.linkedid)


DEFAULT_SHORT_ABANDON_SECONDS = 5.0
ANSWERED = "answered"
ABANDONED = "abandoned"
# Outcomes that end a queued call's wait without an agent and without abandoning it (a caller who chose a
# callback is not abandoned): set by their own event before the call ends, kept when it ends.
QUEUE_EXITS: frozenset[str] = frozenset({"callback_requested"})
# offer_state values during which a hang-up is an abandon while ringing; "cancel" is Dial's status when the
# caller hung up while the seat rang, which arrives just before the caller's own hang-up.
RINGING_OFFER_STATES = frozenset({"offered", "ringing", "cancel"})


def changes_for(current: Mapping[str, Any], event: Event, *,
                short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS) -> dict[str, Any]:
    """Fields to set on the contact row; ``current`` holds the row's present values (empty when new)."""
    agent_call = agent_call_changes(current, event)  # outbound calls, transfers (contacts.agent_call_record)
    if agent_call is not None:
        return agent_call
    match event:
        case CallArrived():
            return {"arrived_at": event.at, "caller_number": event.caller_number,
                    "dialed_number": event.dialed_number, "direction": INBOUND}
        case IvrLeft():
            changes: dict[str, Any] = {"ivr_left_at": event.at, "ivr_path": event.path}
            if event.account_number:
                changes["account_number"] = event.account_number
            if event.outcome:
                changes["outcome"] = event.outcome
            if event.company:
                changes["company"] = event.company
            if event.caller_number and not current.get("caller_number"):
                changes["caller_number"] = event.caller_number
            return changes
        case CallQueued():
            return _queued(current, event)
        case CallOffered():  # queued at the latest when offered (an offer decided in the IVR comes first)
            return {"queued_at": current.get("queued_at") or event.at,
                    "offered_at": current.get("offered_at") or event.at, "agent_id": event.agent_id,
                    "seat": event.seat, "offer_count": (current.get("offer_count") or 0) + 1,
                    "offer_state": "offered"}
        case AgentRinging():
            return {} if current.get("answered_at") else {"offer_state": "ringing"}
        case OfferFailed():
            return {} if current.get("answered_at") else {"offer_state": event.status.lower()[:16]}
        case OfferAnswered():
            if current.get("answered_at"):
                return {}
            return {"answered_at": event.at, "seat": event.seat, "offer_state": "answered",
                    "wait_seconds": seconds_between(current.get("queued_at"), event.at)}
        case CallEnded():
            return _ended(current, event, short_abandon_seconds)
        case TrunkLinesBusy():
            return {"outcome": "lines_busy"}
        case CallAnswered():  # the ACD's word on who took the call (with ring-all, the seat that answered)
            changes = {"agent_id": event.agent_id, "seat": event.seat}
            if event.callback:
                changes["callback_status"] = "agent_answered"
            return changes
        case CallOverflowed():
            return {"overflowed_to": event.to_queue}
        case CallbackRequested():
            changes = {"outcome": "callback_requested", "callback_number": event.number,
                       "callback_status": "requested"}
            if not current.get("queue"):  # never queued (the IVR's night service): the queue that owes the call
                changes["queue"] = event.queue
            return changes
        case CallbackDialEnded():
            return {"callback_status": "connected" if event.status == "ANSWER" else
                    f"customer_{event.status.lower()}"[:24]}
        case AgentLegEnded():  # the answering seat hung up: the talk is over (the survey may follow)
            answered = current.get("answered_at") is not None and not current.get("talk_ended_at")
            return {"talk_ended_at": event.at} if answered and event.seat == current.get("seat") else {}
        case SurveyAnswered():  # before or after CallEnded (the survey's node may not be the one that saw it)
            return {"satisfaction": event.score, "satisfaction_at": event.at} if valid_score(event.score) else {}
    return {}


SCORES = range(1, 6)


def valid_score(score: object) -> bool:
    """A survey score is 1 (very dissatisfied) to 5 (very satisfied)."""
    return isinstance(score, int) and not isinstance(score, bool) and score in SCORES


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


def _ended(current: Mapping[str, Any], event: CallEnded, short_abandon_seconds: float) -> dict[str, Any]:
    outcome = final_outcome(current)
    changes: dict[str, Any] = {"ended_at": event.at, "outcome": outcome}
    if current.get("answered_at") and not current.get("talk_ended_at"):
        changes["talk_ended_at"] = event.at  # the caller hung up first: the talk ended with the call
    if outcome == ABANDONED:
        wait = seconds_between(current.get("queued_at"), event.at)
        changes["wait_seconds"] = wait
        changes["abandon_stage"] = "ringing" if current.get("offer_state") in RINGING_OFFER_STATES else "queue"
        changes["short_abandon"] = wait is not None and wait < short_abandon_seconds
    return changes


def seconds_between(earlier: datetime | None, later: datetime) -> float | None:
    """``later − earlier`` in seconds, to the millisecond (None without ``earlier``)."""
    return None if earlier is None else round((later - earlier).total_seconds(), 3)


def final_outcome(current: Mapping[str, Any]) -> str:
    """answered; a queue exit the caller chose (never an abandon); abandoned (hung up while queued or
    ringing); or how the call ended without a queue."""
    if current.get("answered_at"):
        return ANSWERED
    if current.get("outcome") in QUEUE_EXITS:
        return str(current["outcome"])
    if current.get("queued_at"):
        return ABANDONED
    if current.get("outcome"):
        return str(current["outcome"])
    if current.get("ivr_left_at"):
        return "ivr_hangup"
    return "ended"
