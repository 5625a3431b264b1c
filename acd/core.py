"""The ACD's routing core: no I/O, no asyncio, time passed in.

``decide(state, command, now) -> (state, events)``. The agent state machine is a transition table; an
illegal transition raises :class:`IllegalTransition` and leaves the state unchanged. After every command
the router offers waiting calls (highest priority first, FIFO within a priority) to ready agents whose seat
phone is registered, longest idle first. A call is never offered to two agents at once, an agent never has
two calls, and an agent who missed a call is not offered the same call again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from kernel.call_events import AgentStateChanged, CallOffered
from kernel.errors import Conflict, NotFound
from kernel.events import Event


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    READY = "ready"
    NOT_READY = "not_ready"
    OFFERED = "offered"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"


class IllegalTransition(Conflict):
    code = "illegal_agent_transition"


# (state, trigger) -> next state. Anything else is illegal.
TRANSITIONS: Mapping[tuple[AgentState, str], AgentState] = {
    (AgentState.LOGGED_OUT, "log_in"): AgentState.NOT_READY,
    (AgentState.NOT_READY, "log_in"): AgentState.NOT_READY,
    (AgentState.READY, "log_in"): AgentState.READY,
    (AgentState.NOT_READY, "ready"): AgentState.READY,
    (AgentState.READY, "ready"): AgentState.READY,
    (AgentState.WRAP_UP, "ready"): AgentState.READY,
    (AgentState.READY, "not_ready"): AgentState.NOT_READY,
    (AgentState.NOT_READY, "not_ready"): AgentState.NOT_READY,
    (AgentState.WRAP_UP, "not_ready"): AgentState.NOT_READY,
    (AgentState.READY, "offer"): AgentState.OFFERED,
    (AgentState.OFFERED, "answer"): AgentState.ON_CALL,
    (AgentState.OFFERED, "no_answer"): AgentState.NOT_READY,
    (AgentState.OFFERED, "caller_gone"): AgentState.READY,
    (AgentState.ON_CALL, "call_over"): AgentState.WRAP_UP,
    (AgentState.WRAP_UP, "wrapup_done"): AgentState.READY,
    (AgentState.READY, "log_out"): AgentState.LOGGED_OUT,
    (AgentState.NOT_READY, "log_out"): AgentState.LOGGED_OUT,
    (AgentState.WRAP_UP, "log_out"): AgentState.LOGGED_OUT,
    (AgentState.LOGGED_OUT, "log_out"): AgentState.LOGGED_OUT,
}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Dial statuses that mean "the seat did not take the call". Any status but ANSWER and CANCEL counts as
# missed, so an unexpected status never drops a waiting caller.
MISSED_STATUSES = frozenset({"NOANSWER", "BUSY", "CHANUNAVAIL", "CONGESTION", "REDIRECT_FAILED"})



@dataclass(frozen=True)
class Agent:
    agent_id: int
    seat: str | None = None
    state: AgentState = AgentState.LOGGED_OUT
    reason: str = ""
    since: datetime | None = None
    idle_since: datetime | None = None
    call: str | None = None  # linkedid of the call offered to or handled by this agent
    wrapup_until: datetime | None = None


@dataclass(frozen=True)
class WaitingCall:
    linkedid: str
    channel: str
    queue: str
    enqueued_at: datetime
    seq: int
    priority: int = 0
    account_number: str | None = None
    caller_number: str = ""
    ivr_path: str = ""
    missed_by: frozenset[int] = frozenset()


@dataclass(frozen=True)
class AcdState:
    agents: Mapping[int, Agent] = field(default_factory=dict)
    waiting: tuple[WaitingCall, ...] = ()  # calls not yet with an agent, in arrival order
    offered: Mapping[str, WaitingCall] = field(default_factory=dict)  # linkedid -> call being offered
    registered_seats: frozenset[str] = frozenset()
    next_seq: int = 0
    wrapup_seconds: float = 10.0


# Commands (imperative) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogIn:
    agent_id: int
    seat: str


@dataclass(frozen=True)
class LogOut:
    agent_id: int


@dataclass(frozen=True)
class SetReady:
    agent_id: int


@dataclass(frozen=True)
class SetNotReady:
    agent_id: int
    reason: str = ""


@dataclass(frozen=True)
class RegisterSeat:
    seat: str
    registered: bool


@dataclass(frozen=True)
class Enqueue:
    linkedid: str
    channel: str
    queue: str
    priority: int = 0
    account_number: str | None = None
    caller_number: str = ""
    ivr_path: str = ""


@dataclass(frozen=True)
class MarkAnswered:
    linkedid: str


@dataclass(frozen=True)
class MarkNoAnswer:
    linkedid: str
    status: str


@dataclass(frozen=True)
class CallerGone:
    """The caller hung up (in queue, while ringing, or during the talk)."""

    linkedid: str


@dataclass(frozen=True)
class AgentLegGone:
    linkedid: str
    seat: str


@dataclass(frozen=True)
class Tick:
    pass


Command = (LogIn | LogOut | SetReady | SetNotReady | RegisterSeat | Enqueue | MarkAnswered | MarkNoAnswer
           | CallerGone | AgentLegGone | Tick)


# The decision function -------------------------------------------------------------------------------


def decide(state: AcdState, command: Command, now: datetime) -> tuple[AcdState, list[Event]]:
    events: list[Event] = []
    state = _release_finished_wrapups(state, now, events)
    state = _apply(state, command, now, events)
    state = _release_finished_wrapups(state, now, events)
    state = _route(state, now, events)
    return state, events


def _apply(state: AcdState, cmd: Command, now: datetime, events: list[Event]) -> AcdState:
    match cmd:
        case LogIn(agent_id, seat):
            for other in state.agents.values():
                if other.seat == seat and other.agent_id != agent_id and other.state != AgentState.LOGGED_OUT:
                    raise Conflict(f"seat {seat} is already taken by agent {other.agent_id}")
            agent = state.agents.get(agent_id, Agent(agent_id))
            if agent.state in (AgentState.OFFERED, AgentState.ON_CALL) and agent.seat != seat:
                raise IllegalTransition("cannot change seat during a call")
            agent = replace(agent, seat=seat)
            return _transition(_put(state, agent), agent_id, "log_in", now, events)
        case LogOut(agent_id):
            return _transition(state, agent_id, "log_out", now, events)
        case SetReady(agent_id):
            return _transition(state, agent_id, "ready", now, events)
        case SetNotReady(agent_id, reason):
            return _transition(state, agent_id, "not_ready", now, events, reason=reason)
        case RegisterSeat(seat, registered):
            seats = state.registered_seats | {seat} if registered else state.registered_seats - {seat}
            return replace(state, registered_seats=seats)
        case Enqueue():
            return _enqueue(state, cmd, now)
        case MarkAnswered(linkedid):
            return _answered(state, linkedid, now, events)
        case MarkNoAnswer(linkedid, status):
            return _no_answer(state, linkedid, status, now, events)
        case CallerGone(linkedid):
            return _caller_gone(state, linkedid, now, events)
        case AgentLegGone(linkedid, seat):
            holder = _agent_on_call(state, linkedid)
            if holder is None or holder.seat != seat or holder.state != AgentState.ON_CALL:
                return state
            return _transition(state, holder.agent_id, "call_over", now, events)
        case Tick():
            return state
    raise TypeError(f"unknown command {cmd!r}")


def _put(state: AcdState, agent: Agent) -> AcdState:
    return replace(state, agents={**state.agents, agent.agent_id: agent})


def _transition(state: AcdState, agent_id: int, trigger: str, now: datetime, events: list[Event], *,
                reason: str = "", call: str | None = None, linkedid: str | None = None) -> AcdState:
    agent = state.agents.get(agent_id)
    if agent is None:
        raise NotFound(f"agent {agent_id} is not logged in")
    target = TRANSITIONS.get((agent.state, trigger))
    if target is None:
        raise IllegalTransition(f"agent {agent_id}: {trigger} is not allowed in state {agent.state}")
    updated = replace(
        agent,
        state=target,
        reason=reason if target == AgentState.NOT_READY else "",
        since=now if target != agent.state or reason != agent.reason else agent.since,
        idle_since=now if target == AgentState.READY and agent.state != AgentState.READY else agent.idle_since,
        call=call if target in (AgentState.OFFERED, AgentState.ON_CALL) else (
            agent.call if target == AgentState.WRAP_UP else None),
        wrapup_until=now + timedelta(seconds=state.wrapup_seconds) if target == AgentState.WRAP_UP else None,
    )
    if target != agent.state or updated.reason != agent.reason:
        events.append(AgentStateChanged(at=now, linkedid=linkedid or call or agent.call, agent_id=agent_id,
                                        from_state=agent.state.value, to_state=target.value,
                                        reason=updated.reason))
    return _put(state, updated)


def _enqueue(state: AcdState, cmd: Enqueue, now: datetime) -> AcdState:
    known = {c.linkedid for c in state.waiting} | set(state.offered) | {
        a.call for a in state.agents.values() if a.call}
    if cmd.linkedid in known:
        return state  # a resync or a repeated event: the call keeps its place
    call = WaitingCall(linkedid=cmd.linkedid, channel=cmd.channel, queue=cmd.queue, enqueued_at=now,
                       seq=state.next_seq, priority=cmd.priority, account_number=cmd.account_number,
                       caller_number=cmd.caller_number, ivr_path=cmd.ivr_path)
    return replace(state, waiting=(*state.waiting, call), next_seq=state.next_seq + 1)


def _agent_on_call(state: AcdState, linkedid: str) -> Agent | None:
    for agent in state.agents.values():
        if agent.call == linkedid:
            return agent
    return None


def _answered(state: AcdState, linkedid: str, now: datetime, events: list[Event]) -> AcdState:
    call = state.offered.get(linkedid)
    agent = _agent_on_call(state, linkedid)
    if call is None or agent is None or agent.state != AgentState.OFFERED:
        return state
    offered = {k: v for k, v in state.offered.items() if k != linkedid}
    state = replace(state, offered=offered)
    return _transition(state, agent.agent_id, "answer", now, events, call=linkedid)


def _no_answer(state: AcdState, linkedid: str, status: str, now: datetime, events: list[Event]) -> AcdState:
    call = state.offered.get(linkedid)
    agent = _agent_on_call(state, linkedid)
    if call is None or agent is None or agent.state != AgentState.OFFERED:
        return state
    offered = {k: v for k, v in state.offered.items() if k != linkedid}
    if status == "CANCEL":
        # The caller hung up while the seat rang (Dial is cancelled only by that). The agent is free again.
        state = replace(state, offered=offered)
        return _transition(state, agent.agent_id, "caller_gone", now, events)
    back = replace(call, missed_by=call.missed_by | {agent.agent_id})
    waiting = tuple(sorted((*state.waiting, back), key=lambda c: c.seq))  # the call keeps its place
    state = replace(state, offered=offered, waiting=waiting)
    return _transition(state, agent.agent_id, "no_answer", now, events, reason="missed", linkedid=linkedid)


def _caller_gone(state: AcdState, linkedid: str, now: datetime, events: list[Event]) -> AcdState:
    waiting = tuple(c for c in state.waiting if c.linkedid != linkedid)
    offered = {k: v for k, v in state.offered.items() if k != linkedid}
    state = replace(state, waiting=waiting, offered=offered)
    agent = _agent_on_call(state, linkedid)
    if agent is None:
        return state
    if agent.state == AgentState.OFFERED:
        return _transition(state, agent.agent_id, "caller_gone", now, events)
    if agent.state == AgentState.ON_CALL:
        return _transition(state, agent.agent_id, "call_over", now, events, linkedid=linkedid)
    return state


def _release_finished_wrapups(state: AcdState, now: datetime, events: list[Event]) -> AcdState:
    for agent in list(state.agents.values()):
        if agent.state == AgentState.WRAP_UP and agent.wrapup_until is not None and agent.wrapup_until <= now:
            state = _transition(state, agent.agent_id, "wrapup_done", now, events)
    return state


def next_deadline(state: AcdState) -> datetime | None:
    """The earliest time at which a Tick would change something (a wrap-up ending)."""
    deadlines = [a.wrapup_until for a in state.agents.values()
                 if a.state == AgentState.WRAP_UP and a.wrapup_until is not None]
    return min(deadlines, default=None)


def _route(state: AcdState, now: datetime, events: list[Event]) -> AcdState:
    while True:
        match = _next_match(state)
        if match is None:
            return state
        call, agent = match
        assert agent.seat is not None
        waiting = tuple(c for c in state.waiting if c.linkedid != call.linkedid)
        state = replace(state, waiting=waiting, offered={**state.offered, call.linkedid: call})
        state = _transition(state, agent.agent_id, "offer", now, events, call=call.linkedid)
        events.append(CallOffered(at=now, linkedid=call.linkedid, agent_id=agent.agent_id, seat=agent.seat,
                                  channel=call.channel, queue=call.queue, account_number=call.account_number,
                                  caller_number=call.caller_number, ivr_path=call.ivr_path))


def available_agents(state: AcdState) -> list[Agent]:
    """Ready agents with a registered seat, longest idle first (ties: lowest id)."""
    ready = [a for a in state.agents.values()
             if a.state == AgentState.READY and a.seat is not None and a.seat in state.registered_seats]
    return sorted(ready, key=lambda a: (a.idle_since or _EPOCH, a.agent_id))


def queue_order(state: AcdState) -> list[WaitingCall]:
    """Highest priority first; within a priority, arrival order."""
    return sorted(state.waiting, key=lambda c: (-c.priority, c.seq))


def _next_match(state: AcdState) -> tuple[WaitingCall, Agent] | None:
    agents = available_agents(state)
    if not agents:
        return None
    for call in queue_order(state):
        for agent in agents:
            if agent.agent_id not in call.missed_by:
                return call, agent
    return None


def position_in_queue(state: AcdState, linkedid: str) -> int | None:
    for position, call in enumerate(queue_order(state), start=1):
        if call.linkedid == linkedid:
            return position
    return None
