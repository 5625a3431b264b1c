"""The vocabulary of a call's life, shared by the telephony adapter (which observes it), the ACD (which
routes on it), the contact record (which stores it) and the console (which shows it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from kernel.events import Event


@dataclass(frozen=True, kw_only=True)
class CallArrived(Event):
    wire_type: ClassVar[str] = "call.arrived"
    channel: str
    caller_number: str
    dialed_number: str


@dataclass(frozen=True, kw_only=True)
class IvrStepped(Event):
    wire_type: ClassVar[str] = "ivr.stepped"
    step: str


@dataclass(frozen=True, kw_only=True)
class IvrLeft(Event):
    wire_type: ClassVar[str] = "ivr.left"
    path: str
    account_number: str | None
    next: str  # "queue" or "hangup"
    outcome: str | None  # e.g. "self_service" when the caller was served without an agent


@dataclass(frozen=True, kw_only=True)
class CallQueued(Event):
    wire_type: ClassVar[str] = "call.queued"
    channel: str
    queue: str
    account_number: str | None
    priority: int
    ivr_path: str
    caller_number: str
    reconstructed: bool = False


@dataclass(frozen=True, kw_only=True)
class CallOffered(Event):
    """The ACD chose an agent for a waiting call."""

    wire_type: ClassVar[str] = "call.offered"
    agent_id: int
    seat: str
    channel: str
    queue: str
    account_number: str | None
    caller_number: str
    ivr_path: str


@dataclass(frozen=True, kw_only=True)
class AgentRinging(Event):
    wire_type: ClassVar[str] = "agent.ringing"
    seat: str
    agent_channel: str


@dataclass(frozen=True, kw_only=True)
class OfferAnswered(Event):
    wire_type: ClassVar[str] = "offer.answered"
    seat: str


@dataclass(frozen=True, kw_only=True)
class OfferFailed(Event):
    wire_type: ClassVar[str] = "offer.failed"
    seat: str
    status: str  # Asterisk's DIALSTATUS: NOANSWER, BUSY, CHANUNAVAIL, CANCEL, ... or REDIRECT_FAILED


@dataclass(frozen=True, kw_only=True)
class CallEnded(Event):
    """The caller's channel hung up: the contact is over."""

    wire_type: ClassVar[str] = "call.ended"
    channel: str
    cause: str


@dataclass(frozen=True, kw_only=True)
class AgentLegEnded(Event):
    wire_type: ClassVar[str] = "agent.leg_ended"
    seat: str


@dataclass(frozen=True, kw_only=True)
class SeatAvailability(Event):
    wire_type: ClassVar[str] = "seat.availability"
    seat: str
    registered: bool


@dataclass(frozen=True, kw_only=True)
class AgentStateChanged(Event):
    wire_type: ClassVar[str] = "agent.state_changed"
    agent_id: int
    from_state: str
    to_state: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class TrunkLinesBusy(Event):
    wire_type: ClassVar[str] = "trunk.lines_busy"
    caller_number: str


@dataclass(frozen=True, kw_only=True)
class TrunkLineSeized(Event):
    """A trunk call took a line. ``lines_in_use`` is Asterisk's own count (``GROUP_COUNT``) with this call,
    or None when the dialplan did not say."""

    wire_type: ClassVar[str] = "trunk.line_seized"
    channel: str
    lines_in_use: int | None


@dataclass(frozen=True, kw_only=True)
class TrunkLineReleased(Event):
    """A trunk call let its line go. ``lines_in_use`` is Asterisk's count without this call, or None."""

    wire_type: ClassVar[str] = "trunk.line_released"
    channel: str
    lines_in_use: int | None
