"""The contact record of calls agents place (click-to-call) and move (transfer), as a fold over their events.
Pure, like :mod:`contacts.record`, which hands these events here.

An outbound call's contact: ``direction`` outbound, ``dialed_number`` the customer's number, the agent and
seat, the work order it is about (the callback list's id is in the ``outbound.started`` event's data);
``answered_at`` when the customer answered, ``ended_at`` (and ``talk_ended_at``) when the agent's leg ended;
``outcome`` answered, or why it did not connect (``agent_noanswer``, ``customer_busy``, ``lines_busy`` ...).
An outbound call never queued, so the queue figures (offered, answered, abandoned, ASA) do not count it.

A transferred call keeps one contact: the first answer stays (``answered_at``, ``agent_id``, ``wait_seconds``)
and ``talk_ended_at`` is the first agent's leg ending, so the talk time is never stretched over the next
agent's talk; ``transfer_count``, ``transferred_at``, ``transferred_to_agent_id`` and
``transfer_answered_at`` record the last transfer and who took it. An answered call is never an abandon, so a
caller who hangs up while back in line after a transfer is not one either."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kernel.agent_call_events import (
    CallTransferred,
    OutboundAgentRinging,
    OutboundAnswered,
    OutboundCustomerRinging,
    OutboundEnded,
    OutboundFailed,
    OutboundStarted,
)
from kernel.call_events import CallAnswered, CallOffered
from kernel.events import Event

OUTBOUND = "outbound"
INBOUND = "inbound"
AGENT_CALL_EVENTS = (CallTransferred, OutboundStarted, OutboundAgentRinging, OutboundCustomerRinging,
                     OutboundAnswered, OutboundFailed, OutboundEnded)


def agent_call_changes(current: Mapping[str, Any], event: Event) -> dict[str, Any] | None:
    """Fields to set for an outbound call's or a transfer's event; None when the event is not one of those
    (and the ordinary fold applies)."""
    match event:
        case OutboundStarted():
            placed = min(current.get("arrived_at") or event.at, event.at)
            changes: dict[str, Any] = {"direction": OUTBOUND, "arrived_at": placed,
                                       "dialed_number": event.number, "agent_id": event.agent_id,
                                       "seat": event.seat, "work_order_id": event.work_order_id}
            if event.account_number:
                changes["account_number"] = event.account_number
            return changes
        case OutboundAgentRinging() | OutboundCustomerRinging():
            return {}
        case OutboundAnswered():
            return {} if current.get("answered_at") else {"answered_at": event.at}
        case OutboundFailed():
            return {} if current.get("answered_at") else {"outcome": event.cause[:24]}
        case OutboundEnded():
            answered = current.get("answered_at") is not None
            changes = {"ended_at": event.at,
                       "outcome": "answered" if answered else current.get("outcome") or "not_connected"}
            if answered and not current.get("talk_ended_at"):
                changes["talk_ended_at"] = event.at
            return changes
        case CallTransferred():
            return {"transfer_count": (current.get("transfer_count") or 0) + 1, "transferred_at": event.at}
        case CallOffered() if current.get("answered_at"):  # offered on after a transfer: the first answer stays
            return {"offer_count": (current.get("offer_count") or 0) + 1}
        case CallAnswered() if current.get("answered_at") and current.get("transfer_count"):
            return {"transferred_to_agent_id": event.agent_id, "transfer_answered_at": event.at}
    return None
