"""The ACD's live state: waiting calls in line, offers ringing at seats, agents; and ``Work``, a decision
in progress on private copies of it. Pure."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from acd.agents import BUSY, Agent, transition
from acd.policy import AcdPolicy
from kernel.errors import NotFound
from kernel.events import Event

# Dial statuses that mean "the seat did not take the call". Any status but ANSWER, CANCEL and LINK_DOWN
# counts as missed, so an unexpected status never drops a waiting caller.
MISSED_STATUSES = frozenset({"NOANSWER", "BUSY", "CHANUNAVAIL", "CONGESTION", "REDIRECT_FAILED", "OFFER_TIMEOUT"})
HANDLE_TIME_WEIGHT = 0.2  # weight of the newest call in the moving average of handle time


@dataclass(frozen=True)
class WaitingCall:
    linkedid: str
    channel: str  # "" for a virtual caller (a queue callback)
    queue: str
    enqueued_at: datetime
    seq: int
    priority: int = 0
    account_number: str | None = None
    caller_number: str = ""
    ivr_path: str = ""
    skills: Mapping[str, int] = field(default_factory=dict)
    owner_agent: int | None = None
    callback_number: str | None = None
    missed_by: frozenset[int] = frozenset()
    overflowed_to: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[int, int, str]:
        """The call's place in line: priority first, then arrival."""
        return (-self.priority, self.seq, self.linkedid)

    @property
    def is_callback(self) -> bool:
        return self.callback_number is not None

    def waited(self, now: datetime) -> float:
        return (now - self.enqueued_at).total_seconds()


@dataclass(frozen=True)
class Offer:
    call: WaitingCall
    agent_ids: frozenset[int]
    at: datetime
    direct: bool = False  # decided in the IVR: the caller's dialplan dials the seat(s), no Redirect was sent


@dataclass(frozen=True)
class AcdState:
    policy: AcdPolicy = field(default_factory=AcdPolicy)
    agents: Mapping[int, Agent] = field(default_factory=dict)
    waiting: Mapping[str, WaitingCall] = field(default_factory=dict)  # calls not yet with an agent
    line: tuple[tuple[int, int, str], ...] = ()  # the waiting calls' keys, in the order they are served
    offered: Mapping[str, Offer] = field(default_factory=dict)  # linkedid -> call ringing at a seat
    registered_seats: frozenset[str] = frozenset()
    next_seq: int = 0
    emergency: bool = False
    link_up: bool = True
    handle_seconds: Mapping[str, float] = field(default_factory=dict)  # queue -> average talk + wrap-up
    # Calls answered from the line (the caller's channel, queue, account ...), kept while the agent talks so
    # that the agent can transfer them: linkedid -> the call as it was offered.
    connected: Mapping[str, WaitingCall] = field(default_factory=dict)

    def waiting_in_order(self) -> list[WaitingCall]:
        return [self.waiting[key[2]] for key in self.line]


class Work:
    """A decision in progress: private copies of the state's collections, frozen again at the end."""

    def __init__(self, state: AcdState, now: datetime) -> None:
        self.base = state
        self.now = now
        self.policy = state.policy
        self.agents = dict(state.agents)
        self.waiting = dict(state.waiting)
        self.line = list(state.line)
        self.offered = dict(state.offered)
        self.registered_seats = state.registered_seats
        self.next_seq = state.next_seq
        self.emergency = state.emergency
        self.link_up = state.link_up
        self.handle_seconds = state.handle_seconds
        self.connected = dict(state.connected)
        self.direct: str | None = None  # the call of an Enqueue(direct=True) in this decision
        self.events: list[Event] = []

    def freeze(self) -> AcdState:
        return replace(self.base, agents=self.agents, waiting=self.waiting, line=tuple(self.line),
                       offered=self.offered, registered_seats=self.registered_seats, next_seq=self.next_seq,
                       emergency=self.emergency, link_up=self.link_up, handle_seconds=self.handle_seconds,
                       connected=self.connected)

    def agent(self, agent_id: int) -> Agent:
        agent = self.agents.get(agent_id)
        if agent is None:
            raise NotFound(f"agent {agent_id} is not logged in")
        return agent

    def move(self, agent_id: int, trigger: str, *, reason: str = "", call: str | None = None,
             call_queue: str | None = None, wrapup_seconds: float = 0.0, linkedid: str | None = None) -> Agent:
        """Moves the agent by ``trigger`` (raises and changes nothing if the table forbids it)."""
        updated, event = transition(self.agent(agent_id), trigger, self.now, reason=reason, call=call,
                                    call_queue=call_queue, wrapup_seconds=wrapup_seconds, linkedid=linkedid)
        self.agents[agent_id] = updated
        if event is not None:
            self.events.append(event)
        return updated

    def add_waiting(self, call: WaitingCall) -> None:
        self.waiting[call.linkedid] = call
        bisect.insort(self.line, call.key)

    def remove_waiting(self, linkedid: str) -> WaitingCall | None:
        call = self.waiting.pop(linkedid, None)
        if call is not None:
            index = bisect.bisect_left(self.line, call.key)
            del self.line[index]
        return call

    def holder(self, linkedid: str) -> Agent | None:
        """The agent the call rings for or is with; else one wrapping it up (after a transfer, the agent who
        transferred it wraps up while another takes it)."""
        offer = self.offered.get(linkedid)
        if offer is not None:
            return self.agents[min(offer.agent_ids)]
        holders = [agent for agent in self.agents.values() if agent.call == linkedid]
        return next((a for a in holders if a.state in BUSY), holders[0] if holders else None)
