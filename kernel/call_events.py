"""The vocabulary of a call's life, shared by the telephony adapter (which observes it), the ACD (which
routes on it), the contact record (which stores it) and the console (which shows it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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


# How a call that never reached an agent ended in the IVR (IvrLeft.outcome)
SELF_SERVICE = "self_service"  # served by the IVR alone (e.g. heard the bill)
DEFLECTED = "deflected"  # hung up after an outage notice: the notice answered the call
CLOSED = "closed"  # the queue was closed: the night service's message (a night callback is callback_requested)


@dataclass(frozen=True, kw_only=True)
class IvrLeft(Event):
    wire_type: ClassVar[str] = "ivr.left"
    path: str
    account_number: str | None
    next: str  # "queue" or "hangup"
    outcome: str | None  # e.g. "self_service" when the caller was served without an agent
    company: str = ""  # the water company the caller's number or account belongs to ("" = the default one)
    # The caller's number as the IVR heard it: the contact has it even when no node saw the call arrive over
    # AMI (it arrived while no node routed: the shared store away, a routing node just killed)
    caller_number: str = ""


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
    owner_agent: int | None = None  # owner of the account's open work order (first-responder stickiness)
    held: bool = False  # the holding context has no seat to dial for it (no direct offer reached the IVR)


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
    agent_ids: tuple[int, ...] = ()  # every agent offered at once (ring-all); () means just ``agent_id``
    seats: tuple[str, ...] = ()
    callback_number: str | None = None  # a queue callback: the agent is called first, then this number
    direct: bool = False  # the caller's own dialplan dials the seat(s) (decided in the IVR): no Redirect
    transferred_by: int | None = None  # a live call an agent transferred to this agent (see CallTransferred)


@dataclass(frozen=True, kw_only=True)
class CallAnswered(Event):
    """An agent took the call (the ACD's view: who, from which queue, after how long a wait)."""

    wire_type: ClassVar[str] = "call.answered"
    agent_id: int
    seat: str
    queue: str
    waited_seconds: float
    callback: bool = False


@dataclass(frozen=True, kw_only=True)
class CallOverflowed(Event):
    wire_type: ClassVar[str] = "call.overflowed"
    from_queue: str
    to_queue: str
    waited_seconds: float


@dataclass(frozen=True, kw_only=True)
class CallbackRequested(Event):
    """A waiting caller chose to be called back; a virtual caller keeps their place in line."""

    wire_type: ClassVar[str] = "callback.requested"
    number: str
    queue: str
    position: int


@dataclass(frozen=True, kw_only=True)
class EmergencyModeChanged(Event):
    wire_type: ClassVar[str] = "acd.emergency_changed"
    on: bool
    actor_id: int | None
    note: str
    emergency_seats: tuple[str, ...]
    overflow: tuple[str, ...]  # the overflow rules now in force, as "queue>after_s>to_queue"


@dataclass(frozen=True, kw_only=True)
class WrapUpExtended(Event):
    wire_type: ClassVar[str] = "agent.wrapup_extended"
    agent_id: int
    until: datetime


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
class TelephonyLinkChanged(Event):
    """The AMI link to Asterisk came up (after login and resync) or went down."""

    wire_type: ClassVar[str] = "telephony.link_changed"
    up: bool


@dataclass(frozen=True, kw_only=True)
class CallbackDialEnded(Event):
    """The customer leg of a queue callback ended its dialling (ANSWER, NOANSWER, BUSY, ...)."""

    wire_type: ClassVar[str] = "callback.dial_ended"
    status: str


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


@dataclass(frozen=True, kw_only=True)
class ChannelsResynced(Event):
    """Asterisk's channels were re-read: ``live`` holds the linkedid of every call that still has one;
    ``waiting`` those whose caller is in the holding context; ``talking`` those whose caller is bridged to a
    seat's leg, and ``talking_seats`` that seat (same order)."""

    wire_type: ClassVar[str] = "telephony.channels_resynced"
    live: tuple[str, ...]
    waiting: tuple[str, ...] = ()
    talking: tuple[str, ...] = ()
    talking_seats: tuple[str, ...] = ()

    def seat_talking(self) -> dict[str, str]:
        """linkedid -> the seat its caller talks to."""
        return dict(zip(self.talking, self.talking_seats, strict=False))


@dataclass(frozen=True, kw_only=True)
class SurveyOffered(Event):
    """The agent hung up first and the caller, still on the line, was asked to rate the call (post-call
    satisfaction survey). With :class:`SurveyAnswered` it gives the survey's response rate."""

    wire_type: ClassVar[str] = "survey.offered"


@dataclass(frozen=True, kw_only=True)
class SurveyAnswered(Event):
    """The caller rated the call by keypad: 5 very satisfied, 4 satisfied, 3 fair, 2 dissatisfied, 1 very
    dissatisfied."""

    wire_type: ClassVar[str] = "survey.answered"
    score: int


@dataclass(frozen=True, kw_only=True)
class RecordingStarted(Event):
    """Asterisk began recording an agent's leg of the call (MixMonitor, from the moment it was answered) into
    ``file``, a path on the recording store that is never shown to a client. ``linkedid`` is the contact's (for
    a queue callback, the original call's)."""

    wire_type: ClassVar[str] = "recording.started"
    seat: str
    file: str
