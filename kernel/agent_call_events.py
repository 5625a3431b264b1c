"""The vocabulary of the calls agents place or move from the console (click-to-call, transfer) and of
supervision (listen, whisper, barge), beside the call events of :mod:`kernel.call_events`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from kernel.events import Event


@dataclass(frozen=True, kw_only=True)
class CallTransferred(Event):
    """An agent handed their live call on: to another agent (offered at once, the caller's channel leaves the
    bridge for that agent's seat) or to a queue (back in line with top priority, on hold). The first agent's
    leg is hung up and they go to wrap-up; the contact stays one record."""

    wire_type: ClassVar[str] = "call.transferred"
    agent_id: int  # who transferred it
    seat: str
    to_agent_id: int | None
    to_queue: str | None
    queue: str  # the queue the call is in line for now (the agent's own for a transfer to an agent)
    channel: str  # the caller's channel


@dataclass(frozen=True, kw_only=True)
class OutboundStarted(Event):
    """An agent placed a call from the console (click-to-call, e.g. a callback 回访): their seat rings first,
    then the customer is dialled through the trunk with the hotline's number."""

    wire_type: ClassVar[str] = "outbound.started"
    agent_id: int
    seat: str
    number: str
    work_order_id: int | None = None
    callback_id: int | None = None
    account_number: str | None = None


@dataclass(frozen=True, kw_only=True)
class OutboundAgentRinging(Event):
    wire_type: ClassVar[str] = "outbound.agent_ringing"
    seat: str


@dataclass(frozen=True, kw_only=True)
class OutboundCustomerRinging(Event):
    """The agent answered and the customer's number is being dialled."""

    wire_type: ClassVar[str] = "outbound.customer_ringing"
    channel: str


@dataclass(frozen=True, kw_only=True)
class OutboundAnswered(Event):
    """The customer answered: the talk begins."""

    wire_type: ClassVar[str] = "outbound.answered"


@dataclass(frozen=True, kw_only=True)
class OutboundFailed(Event):
    """The outbound call did not connect. ``cause``: ``agent_<status>`` (the agent's seat did not answer:
    noanswer, busy, chanunavail, link_down, timeout ...), ``customer_<status>`` (noanswer, busy, congestion,
    chanunavail ...) or ``lines_busy`` (every trunk line was taken)."""

    wire_type: ClassVar[str] = "outbound.failed"
    cause: str
    agent_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class OutboundEnded(Event):
    """The agent's leg of an outbound call hung up: the call is over (the customer's leg goes with it)."""

    wire_type: ClassVar[str] = "outbound.ended"
    seat: str
    cause: str


SPY_MODES = ("listen", "whisper", "barge")  # ChanSpy: listen only; talk to the agent; talk to both


@dataclass(frozen=True, kw_only=True)
class SpyStarted(Event):
    """A supervisor's seat is rung to listen to, whisper to or barge into an agent's live call. ``linkedid``
    is the supervision session's own call (see kernel.call_ids); ``call_linkedid`` the call listened to."""

    wire_type: ClassVar[str] = "spy.started"
    supervisor_id: int
    seat: str
    agent_id: int
    agent_seat: str
    call_linkedid: str
    mode: str


@dataclass(frozen=True, kw_only=True)
class SpyEnded(Event):
    """The supervisor's leg of a supervision session hung up (or never answered)."""

    wire_type: ClassVar[str] = "spy.ended"
    seat: str
