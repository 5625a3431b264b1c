"""Commands to the ACD core (imperative): what agents and supervisors ask, and telephony facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class LogIn:
    agent_id: int
    seat: str
    skills: Mapping[str, int] = field(default_factory=dict)
    queues: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LogOut:
    agent_id: int


@dataclass(frozen=True)
class SetReady:
    agent_id: int


@dataclass(frozen=True)
class SetNotReady:
    agent_id: int
    reason: str = "break"


@dataclass(frozen=True)
class ExtendWrapUp:
    agent_id: int
    seconds: float


@dataclass(frozen=True)
class RegisterSeat:
    seat: str
    registered: bool


@dataclass(frozen=True)
class SetTelephonyLink:
    """The link to Asterisk is up or down; while down, nothing is offered (offers would fail)."""

    up: bool


@dataclass(frozen=True)
class SetEmergency:
    on: bool
    actor_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Enqueue:
    linkedid: str
    channel: str
    queue: str
    priority: int = 0
    account_number: str | None = None
    caller_number: str = ""
    ivr_path: str = ""
    skills: Mapping[str, int] | None = None  # None: the queue's required skills
    owner_agent: int | None = None  # owner of the account's open work order (first-responder stickiness)
    direct: bool = False  # from the IVR: offered only if an agent is free now, and the caller's dialplan dials
    #                       the seat(s) itself (no Redirect); otherwise not kept (the holding context enqueues it)
    offer_until: float | None = None  # direct: the IVR waits for the answer until then (UNIX seconds); later it
    #                                   has sent the caller to hold, so the command is dropped unheard
    held: bool = False  # from the holding context, with no seat to dial (not a direct offer's caller going on to
    #                     it): a direct offer still out for the call was never dialled, and is withdrawn


@dataclass(frozen=True)
class RequestCallback:
    """The waiting caller asked to be called back at ``number``; they keep their place as a virtual caller.
    With ``queue``, a caller who is not in line (the IVR found the queue closed) joins the end of that queue's
    line as a virtual caller, in the same decision: it is never offered as a call with no channel."""

    linkedid: str
    number: str
    queue: str | None = None
    account_number: str | None = None
    ivr_path: str = ""


@dataclass(frozen=True)
class MarkAnswered:
    """A seat answered: an offer, or the Originate of the agent's own outbound call or supervision session."""

    linkedid: str
    seat: str = ""  # which seat answered ("" when the call was offered to one agent)


@dataclass(frozen=True)
class MarkNoAnswer:
    linkedid: str
    status: str  # Asterisk's DIALSTATUS, REDIRECT_FAILED, or LINK_DOWN
    seat: str = ""  # "" applies to every agent the call was offered to


@dataclass(frozen=True)
class CallerGone:
    """The caller hung up (in queue, while ringing, or during the talk)."""

    linkedid: str


@dataclass(frozen=True)
class AgentLegGone:
    linkedid: str
    seat: str


@dataclass(frozen=True)
class Reconcile:
    """Asterisk's channels were re-read (after a reconnect or a takeover): ``live`` holds the linkedids of
    every call that had a channel at ``as_of``. Calls the ACD knew before then without one are gone; their
    agents are freed. (A call that arrived after ``as_of`` is not in the list and is left alone.) ``talking``
    maps the calls whose caller was bridged to a seat to that seat: an offer whose answer went unseen is
    answered there."""

    live: frozenset[str]
    as_of: datetime | None = None  # None: judge every call
    talking: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DialOut:
    """An agent (ready or not ready, not on a call) places a call from the console: ``linkedid`` names it
    before Asterisk has seen it (kernel.call_ids). The agent is busy with it until it ends, then wraps up."""

    agent_id: int
    linkedid: str
    number: str
    work_order_id: int | None = None
    callback_id: int | None = None
    account_number: str | None = None


@dataclass(frozen=True)
class Transfer:
    """The agent on a call hands it to another agent (who must be ready now) or to a queue (``to_queue``)."""

    agent_id: int
    to_agent_id: int | None = None
    to_queue: str | None = None


@dataclass(frozen=True)
class StartSpy:
    """A supervisor on a registered seat listens to, whispers to or barges into an agent's live call;
    ``linkedid`` names the supervision session's own call (kernel.call_ids)."""

    supervisor_id: int
    agent_id: int
    mode: str  # kernel.agent_call_events.SPY_MODES
    linkedid: str


@dataclass(frozen=True)
class Tick:
    """Time passed: wrap-ups end, skills relax, calls overflow, stickiness expires."""


Command = (LogIn | LogOut | SetReady | SetNotReady | ExtendWrapUp | RegisterSeat | SetTelephonyLink | SetEmergency
           | Enqueue | RequestCallback | MarkAnswered | MarkNoAnswer | CallerGone | AgentLegGone | Reconcile
           | DialOut | Transfer | StartSpy | Tick)
