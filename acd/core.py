"""The ACD's routing core: no I/O, no asyncio, time passed in.

``decide(state, command, now) -> (state, events)``. The input state is never modified: a refused command
raises and the caller keeps the state it had. After every command the router offers waiting calls (highest
priority first, FIFO within a priority) to ready agents whose seat phone is registered, following each
queue's policy (strategy, skills relaxed as the call waits, overflow, first-responder stickiness). A call
is offered to one agent (or, with ring-all, one group) at a time, an agent never has two calls, and an agent
who missed a call is never offered the same call again."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from acd.agents import Agent, AgentState, IllegalTransition, transition
from acd.commands import (
    AgentLegGone,
    CallerGone,
    Command,
    Enqueue,
    ExtendWrapUp,
    LogIn,
    LogOut,
    MarkAnswered,
    MarkNoAnswer,
    Reconcile,
    RegisterSeat,
    RequestCallback,
    SetEmergency,
    SetNotReady,
    SetReady,
    SetTelephonyLink,
    Tick,
)
from acd.policy import MAX_WRAPUP_EXTENSION_SECONDS, AcdPolicy
from acd.routing import candidates, choose, overflow_queues
from acd.views import position_of
from kernel.call_events import (
    CallAnswered,
    CallbackRequested,
    CallOffered,
    CallOverflowed,
    EmergencyModeChanged,
    WrapUpExtended,
)
from kernel.errors import Conflict, InvalidInput, NotFound
from kernel.events import Event

__all__ = ["AcdState", "Agent", "AgentState", "IllegalTransition", "Offer", "WaitingCall", "decide"]

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

    def waiting_in_order(self) -> list[WaitingCall]:
        return [self.waiting[key[2]] for key in self.line]


class _Work:
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
        self.events: list[Event] = []

    def freeze(self) -> AcdState:
        return replace(self.base, agents=self.agents, waiting=self.waiting, line=tuple(self.line),
                       offered=self.offered, registered_seats=self.registered_seats, next_seq=self.next_seq,
                       emergency=self.emergency, link_up=self.link_up, handle_seconds=self.handle_seconds)

    def agent(self, agent_id: int) -> Agent:
        agent = self.agents.get(agent_id)
        if agent is None:
            raise NotFound(f"agent {agent_id} is not logged in")
        return agent

    def move(self, agent_id: int, trigger: str, **kwargs: object) -> Agent:
        updated, event = transition(self.agent(agent_id), trigger, self.now, **kwargs)  # type: ignore[arg-type]
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
        offer = self.offered.get(linkedid)
        if offer is not None:
            return self.agents[min(offer.agent_ids)]
        for agent in self.agents.values():
            if agent.call == linkedid:
                return agent
        return None


def decide(state: AcdState, command: Command, now: datetime) -> tuple[AcdState, list[Event]]:
    work = _Work(state, now)
    _release_finished_wrapups(work)
    _apply(work, command)
    _release_finished_wrapups(work)
    if isinstance(command, Tick):
        _record_overflows(work)
        _expire_offers(work)
    if work.link_up:
        _route(work)
    return work.freeze(), work.events


def _apply(w: _Work, cmd: Command) -> None:
    match cmd:
        case LogIn():
            _log_in(w, cmd)
        case LogOut(agent_id):
            w.move(agent_id, "log_out")
        case SetReady(agent_id):
            w.move(agent_id, "ready")
        case SetNotReady(agent_id, reason):
            if reason not in w.policy.reasons:
                raise InvalidInput(f"unknown not-ready reason {reason!r}; one of {', '.join(w.policy.reasons)}")
            w.move(agent_id, "not_ready", reason=reason)
        case ExtendWrapUp(agent_id, seconds):
            if not 0 < seconds <= MAX_WRAPUP_EXTENSION_SECONDS:
                raise InvalidInput(f"a wrap-up is extended by 1 to {MAX_WRAPUP_EXTENSION_SECONDS:.0f} seconds")
            agent = w.move(agent_id, "extend_wrapup", wrapup_seconds=seconds)
            assert agent.wrapup_until is not None
            w.events.append(WrapUpExtended(at=w.now, linkedid=agent.call, agent_id=agent_id,
                                           until=agent.wrapup_until))
        case RegisterSeat(seat, registered):
            w.registered_seats = w.registered_seats | {seat} if registered else w.registered_seats - {seat}
        case SetTelephonyLink(up):
            w.link_up = up
        case SetEmergency():
            _set_emergency(w, cmd)
        case Enqueue():
            _enqueue(w, cmd)
        case RequestCallback(linkedid, number):
            _request_callback(w, linkedid, number)
        case MarkAnswered(linkedid, seat):
            _answered(w, linkedid, seat)
        case MarkNoAnswer(linkedid, status, seat):
            _no_answer(w, linkedid, status, seat)
        case CallerGone(linkedid):
            _caller_gone(w, linkedid)
        case AgentLegGone(linkedid, seat):
            holder = w.holder(linkedid)
            if holder is not None and holder.seat == seat and holder.state == AgentState.ON_CALL:
                _call_over(w, holder)
        case Reconcile(live, as_of):
            _reconcile(w, live, as_of or w.now)
        case Tick():
            pass
        case _:
            raise TypeError(f"unknown command {cmd!r}")


def _log_in(w: _Work, cmd: LogIn) -> None:
    for other in w.agents.values():
        if other.seat == cmd.seat and other.agent_id != cmd.agent_id and other.state != AgentState.LOGGED_OUT:
            raise Conflict(f"seat {cmd.seat} is already taken by agent {other.agent_id}")
    agent = w.agents.get(cmd.agent_id, Agent(cmd.agent_id))
    if agent.state in (AgentState.OFFERED, AgentState.ON_CALL) and agent.seat != cmd.seat:
        raise IllegalTransition("cannot change seat during a call")
    w.agents[cmd.agent_id] = replace(agent, seat=cmd.seat, skills=dict(cmd.skills), queues=cmd.queues)
    w.move(cmd.agent_id, "log_in")


def _set_emergency(w: _Work, cmd: SetEmergency) -> None:
    if cmd.on == w.emergency:
        return
    w.emergency = cmd.on
    rules = tuple(f"{name}>{rule.after_seconds:g}>{rule.to_queue}" for name in w.policy.queues
                  for rule in w.policy.overflow_rules(name, cmd.on))
    w.events.append(EmergencyModeChanged(at=w.now, on=cmd.on, actor_id=cmd.actor_id, note=cmd.note,
                                         emergency_seats=tuple(sorted(w.policy.emergency_seats)),
                                         overflow=rules))


def _known(w: _Work, linkedid: str) -> bool:
    return linkedid in w.waiting or linkedid in w.offered or w.holder(linkedid) is not None


def _enqueue(w: _Work, cmd: Enqueue) -> None:
    if _known(w, cmd.linkedid):
        return  # a resync or a repeated event: the call keeps its place
    policy = w.policy.queue(cmd.queue)
    queue = policy.name
    if policy.emergency_only and not w.emergency:
        queue = w.policy.default_queue
        policy = w.policy.queue(queue)
    w.add_waiting(WaitingCall(
        linkedid=cmd.linkedid, channel=cmd.channel, queue=queue, enqueued_at=w.now, seq=w.next_seq,
        priority=cmd.priority, account_number=cmd.account_number, caller_number=cmd.caller_number,
        ivr_path=cmd.ivr_path, skills=dict(policy.skills if cmd.skills is None else cmd.skills),
        owner_agent=cmd.owner_agent))
    w.next_seq += 1


def _request_callback(w: _Work, linkedid: str, number: str) -> None:
    call = w.waiting.get(linkedid)
    if call is None:
        raise NotFound(f"call {linkedid} is not waiting in a queue")
    if not number.isdigit():
        raise InvalidInput("a callback number is digits only")
    if call.is_callback:
        return  # asked twice: one callback
    twin = next((c for c in w.waiting.values() if c.callback_number == number and c.linkedid != linkedid), None)
    if twin is not None:  # this number already has a callback in line: keep the earlier place, call once
        w.remove_waiting(linkedid)
        call = twin
    else:
        call = replace(call, channel="", callback_number=number)
        w.waiting[linkedid] = call
    w.events.append(CallbackRequested(at=w.now, linkedid=linkedid, number=number, queue=call.queue,
                                      position=position_of(w.waiting, w.line, call) or 0))


def _answered(w: _Work, linkedid: str, seat: str) -> None:
    offer = w.offered.get(linkedid)
    if offer is None:
        return
    ringing = [w.agents[i] for i in sorted(offer.agent_ids)]
    taker = next((a for a in ringing if not seat or a.seat == seat), None)
    if taker is None:
        return
    del w.offered[linkedid]
    w.move(taker.agent_id, "answer", call=linkedid)
    for other in ringing:
        if other.agent_id != taker.agent_id:
            w.move(other.agent_id, "released", linkedid=linkedid)
    w.events.append(CallAnswered(at=w.now, linkedid=linkedid, agent_id=taker.agent_id, seat=taker.seat or "",
                                 queue=offer.call.queue, waited_seconds=offer.call.waited(w.now),
                                 callback=offer.call.is_callback))


def _no_answer(w: _Work, linkedid: str, status: str, seat: str) -> None:
    offer = w.offered.get(linkedid)
    if offer is None:
        return
    failed = frozenset(i for i in offer.agent_ids if not seat or w.agents[i].seat == seat)
    if not failed:
        return
    remaining = offer.agent_ids - failed
    call = offer.call
    if status == "CANCEL":  # the caller hung up while the seats rang; the agents are free again
        for agent_id in sorted(failed):
            w.move(agent_id, "released", linkedid=linkedid)
    elif status == "LINK_DOWN":  # the offer never reached Asterisk: nobody missed anything
        for agent_id in sorted(failed):
            w.move(agent_id, "released", linkedid=linkedid)
        w.link_up = False
    else:
        for agent_id in sorted(failed):
            w.move(agent_id, "no_answer", reason="missed", linkedid=linkedid)
        call = replace(call, missed_by=call.missed_by | failed)
    if remaining:
        w.offered[linkedid] = replace(offer, call=call, agent_ids=remaining)
        return
    del w.offered[linkedid]
    if status != "CANCEL" or call.is_callback:
        w.add_waiting(call)  # the call keeps its place in line


def _caller_gone(w: _Work, linkedid: str) -> None:
    waiting = w.waiting.get(linkedid)
    if waiting is not None:
        if not waiting.is_callback:  # a virtual caller stays in line after the real one hangs up
            w.remove_waiting(linkedid)
        return
    offer = w.offered.get(linkedid)
    if offer is not None:
        if offer.call.is_callback:
            return  # the original caller's hang-up says nothing about the callback in progress
        del w.offered[linkedid]
        for agent_id in sorted(offer.agent_ids):
            w.move(agent_id, "released", linkedid=linkedid)
        return
    agent = w.holder(linkedid)
    if agent is not None and agent.state == AgentState.ON_CALL:
        _call_over(w, agent)


def _reconcile(w: _Work, live: frozenset[str], as_of: datetime) -> None:
    for call in list(w.waiting.values()):
        if call.linkedid not in live and not call.is_callback and call.enqueued_at <= as_of:
            w.remove_waiting(call.linkedid)
    for linkedid, offer in list(w.offered.items()):
        if linkedid not in live and not offer.call.is_callback and offer.at <= as_of:
            _caller_gone(w, linkedid)
    for agent in list(w.agents.values()):
        if (agent.state == AgentState.ON_CALL and agent.call not in live and agent.answered_at is not None
                and agent.answered_at <= as_of):
            _call_over(w, agent)


def _call_over(w: _Work, agent: Agent) -> None:
    queue = agent.call_queue or w.policy.default_queue
    wrapup = w.policy.queue(queue).wrapup_seconds
    if agent.answered_at is not None:
        handled = (w.now - agent.answered_at).total_seconds() + wrapup
        previous = w.handle_seconds.get(queue, w.policy.queue(queue).default_handle_seconds)
        average = (1 - HANDLE_TIME_WEIGHT) * previous + HANDLE_TIME_WEIGHT * handled
        w.handle_seconds = {**w.handle_seconds, queue: average}
    w.move(agent.agent_id, "call_over", wrapup_seconds=wrapup)


def _release_finished_wrapups(w: _Work) -> None:
    for agent in list(w.agents.values()):
        if agent.state == AgentState.WRAP_UP and agent.wrapup_until is not None and agent.wrapup_until <= w.now:
            w.move(agent.agent_id, "wrapup_done")


def _expire_offers(w: _Work) -> None:
    limit = timedelta(seconds=w.policy.offer_timeout_seconds)
    for linkedid, offer in list(w.offered.items()):
        if offer.at + limit <= w.now:
            _no_answer(w, linkedid, "OFFER_TIMEOUT", "")


def _record_overflows(w: _Work) -> None:
    for key in w.line:
        call = w.waiting[key[2]]
        _note_overflow(w, call)


def _note_overflow(w: _Work, call: WaitingCall) -> WaitingCall:
    reached = overflow_queues(w.policy, call.queue, call.waited(w.now), w.emergency)
    new = tuple(q for q in reached if q not in call.overflowed_to)
    if not new:
        return call
    for to_queue in new:
        w.events.append(CallOverflowed(at=w.now, linkedid=call.linkedid, from_queue=call.queue,
                                       to_queue=to_queue, waited_seconds=call.waited(w.now)))
    updated = replace(call, overflowed_to=call.overflowed_to + new)
    if call.linkedid in w.waiting:
        w.waiting[call.linkedid] = updated
    return updated


def available(agent: Agent, registered: frozenset[str], policy: AcdPolicy, emergency: bool) -> bool:
    """Ready, on a registered seat, and (for an emergency seat) in emergency mode."""
    return (agent.state == AgentState.READY and agent.seat is not None and agent.seat in registered
            and (emergency or agent.seat not in policy.emergency_seats))


def _route(w: _Work) -> None:
    if not w.line:
        return
    free = {a.agent_id: a for a in w.agents.values()
            if available(a, w.registered_seats, w.policy, w.emergency)}
    if not free:
        return
    for key in list(w.line):
        call = w.waiting[key[2]]
        group = candidates(w.policy, call, free, w.agents, w.now, w.emergency)
        if not group:
            continue
        chosen = choose(w.policy.queue(call.queue).strategy, call.skills, group)
        if call.is_callback:
            chosen = chosen[:1]  # a callback rings one agent's phone (Originate), even in a ring-all queue
        _offer(w, _note_overflow(w, call), chosen)
        for agent in chosen:
            del free[agent.agent_id]
        if not free:
            return


def _offer(w: _Work, call: WaitingCall, chosen: list[Agent]) -> None:
    w.remove_waiting(call.linkedid)
    w.offered[call.linkedid] = Offer(call, frozenset(a.agent_id for a in chosen), w.now)
    for agent in chosen:
        w.move(agent.agent_id, "offer", call=call.linkedid, call_queue=call.queue)
    first = chosen[0]
    assert first.seat is not None
    w.events.append(CallOffered(
        at=w.now, linkedid=call.linkedid, agent_id=first.agent_id, seat=first.seat, channel=call.channel,
        queue=call.queue, account_number=call.account_number, caller_number=call.caller_number,
        ivr_path=call.ivr_path, agent_ids=tuple(a.agent_id for a in chosen),
        seats=tuple(a.seat or "" for a in chosen), callback_number=call.callback_number))


def next_deadline(state: AcdState, now: datetime) -> datetime | None:
    """The earliest time after ``now`` at which a Tick could change something: a wrap-up ending, a
    caller's stickiness expiring, skills relaxing, or a call overflowing."""
    deadlines = [a.wrapup_until for a in state.agents.values()
                 if a.state == AgentState.WRAP_UP and a.wrapup_until is not None]
    limit = timedelta(seconds=state.policy.offer_timeout_seconds)
    deadlines += [offer.at + limit for offer in state.offered.values()]
    for call in state.waiting.values():
        policy = state.policy.queue(call.queue)
        offsets = [rule.after_seconds for rule in state.policy.overflow_rules(call.queue, state.emergency)]
        if call.skills:
            offsets += [step.after_seconds for step in policy.relax]
        if call.owner_agent is not None:
            offsets.append(policy.sticky_seconds)
        for offset in offsets:
            moment = call.enqueued_at + timedelta(seconds=offset)
            if moment > now:
                deadlines.append(moment)
    return min(deadlines, default=None)
