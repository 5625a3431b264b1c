"""The ACD's routing core: no I/O, no asyncio, time passed in.

``decide(state, command, now) -> (state, events)``. The input state is never modified: a refused command
raises and the caller keeps the state it had. After every command the router offers waiting calls (highest
priority first, FIFO within a priority) to ready agents whose seat phone is registered, following each
queue's policy (strategy, skills relaxed as the call waits, overflow, first-responder stickiness). A call
is offered to one agent (or, with ring-all, one group) at a time, an agent never has two calls, and an agent
who missed a call is never offered the same call again. Agents also place calls (click-to-call), transfer
their calls and supervise others' (see :mod:`acd.agent_calls`): none of them is offered a call meanwhile."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from acd.agent_calls import (
    dial_out,
    expire_dialing,
    leg_gone,
    reconcile_own_calls,
    seat_answered,
    seat_failed,
    start_spy,
    transfer,
)
from acd.agents import BUSY, Agent, AgentState, IllegalTransition
from acd.commands import (
    AgentLegGone,
    CallerGone,
    Command,
    DialOut,
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
    StartSpy,
    Tick,
    Transfer,
)
from acd.hours import next_opening
from acd.lifecycle import (
    answered,
    call_over,
    caller_gone,
    enqueue,
    expire_offers,
    no_answer,
    note_overflow,
    reconcile,
    record_overflows,
    release_finished_wrapups,
    request_callback,
    withdraw_direct_offer,
)
from acd.policy import MAX_WRAPUP_EXTENSION_SECONDS, AcdPolicy
from acd.routing import candidates, choose
from acd.state import MISSED_STATUSES, AcdState, Offer, WaitingCall, Work
from kernel.call_events import CallOffered, EmergencyModeChanged, WrapUpExtended
from kernel.errors import Conflict, InvalidInput
from kernel.events import Event

__all__ = ["MISSED_STATUSES", "AcdState", "Agent", "AgentState", "IllegalTransition", "Offer", "WaitingCall",
           "available", "decide", "next_deadline"]


def decide(state: AcdState, command: Command, now: datetime) -> tuple[AcdState, list[Event]]:
    work = Work(state, now)
    release_finished_wrapups(work)
    _apply(work, command)
    release_finished_wrapups(work)
    if isinstance(command, Tick):
        record_overflows(work)
        expire_offers(work)
        expire_dialing(work)
    if work.link_up:
        _route(work)
    if work.direct is not None:  # no agent free for it now: the holding context enqueues it like any call
        work.remove_waiting(work.direct)
    return work.freeze(), work.events


def _apply(w: Work, cmd: Command) -> None:
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
        case Enqueue(direct=True, offer_until=float(until)) if w.now.timestamp() > until:
            pass  # the IVR stopped waiting for this answer: the caller is on the way to hold, which enqueues it
        case Enqueue():
            if cmd.held:
                withdraw_direct_offer(w, cmd.linkedid)
            if enqueue(w, cmd) and cmd.direct:
                w.direct = cmd.linkedid
        case RequestCallback():
            request_callback(w, cmd)
        case MarkAnswered(linkedid, seat) if linkedid in w.offered:
            answered(w, linkedid, seat)
        case MarkAnswered(linkedid, seat):  # the agent's own call: outbound, or a supervision session
            seat_answered(w, linkedid, seat)
        case MarkNoAnswer(linkedid, status, seat) if linkedid in w.offered:
            no_answer(w, linkedid, status, seat)
        case MarkNoAnswer(linkedid, status, seat):
            seat_failed(w, linkedid, status, seat)
        case CallerGone(linkedid):
            caller_gone(w, linkedid)
        case AgentLegGone(linkedid, seat):
            holder = w.holder(linkedid)
            if holder is not None and holder.seat == seat and holder.state == AgentState.ON_CALL:
                call_over(w, holder)
            elif holder is not None and holder.seat == seat:
                leg_gone(w, holder)
        case Reconcile(live, as_of, talking):
            reconcile(w, live, as_of or w.now, talking)
            reconcile_own_calls(w, live, as_of or w.now)
        case DialOut():
            dial_out(w, cmd)
        case Transfer():
            transfer(w, cmd)
        case StartSpy():
            start_spy(w, cmd)
        case Tick():
            pass
        case _:
            raise TypeError(f"unknown command {cmd!r}")


def _log_in(w: Work, cmd: LogIn) -> None:
    for other in w.agents.values():
        if other.seat == cmd.seat and other.agent_id != cmd.agent_id and other.state != AgentState.LOGGED_OUT:
            raise Conflict(f"seat {cmd.seat} is already taken by agent {other.agent_id}")
    agent = w.agents.get(cmd.agent_id, Agent(cmd.agent_id))
    if agent.state in BUSY and agent.seat != cmd.seat:
        raise IllegalTransition("cannot change seat during a call")
    w.agents[cmd.agent_id] = replace(agent, seat=cmd.seat, skills=dict(cmd.skills), queues=cmd.queues)
    w.move(cmd.agent_id, "log_in")


def _set_emergency(w: Work, cmd: SetEmergency) -> None:
    if cmd.on == w.emergency:
        return
    w.emergency = cmd.on
    rules = tuple(f"{name}>{rule.after_seconds:g}>{rule.to_queue}" for name in w.policy.queues
                  for rule in w.policy.overflow_rules(name, cmd.on))
    w.events.append(EmergencyModeChanged(at=w.now, on=cmd.on, actor_id=cmd.actor_id, note=cmd.note,
                                         emergency_seats=tuple(sorted(w.policy.emergency_seats)),
                                         overflow=rules))


def available(agent: Agent, registered: frozenset[str], policy: AcdPolicy, emergency: bool) -> bool:
    """Ready, on a registered seat, and (for an emergency seat) in emergency mode."""
    return (agent.state == AgentState.READY and agent.seat is not None and agent.seat in registered
            and policy.seat_open(agent.seat, emergency))


def _route(w: Work) -> None:
    if not w.line:
        return
    free = {a.agent_id: a for a in w.agents.values()
            if available(a, w.registered_seats, w.policy, w.emergency)}
    if not free:
        return
    for key in list(w.line):
        call = w.waiting[key[2]]
        if call.is_callback and not w.policy.is_open(call.queue, w.now):
            continue  # a callback is placed only while its queue is open
        group = candidates(w.policy, call, free, w.agents, w.now, w.emergency)
        if not group:
            continue
        chosen = choose(w.policy.queue(call.queue).strategy, call.skills, group)
        if call.is_callback:
            chosen = chosen[:1]  # a callback rings one agent's phone (Originate), even in a ring-all queue
        _offer(w, note_overflow(w, call), chosen)
        for agent in chosen:
            del free[agent.agent_id]
        if not free:
            return


def _offer(w: Work, call: WaitingCall, chosen: list[Agent]) -> None:
    w.remove_waiting(call.linkedid)
    direct = call.linkedid == w.direct
    w.offered[call.linkedid] = Offer(call, frozenset(a.agent_id for a in chosen), w.now, direct=direct)
    for agent in chosen:
        w.move(agent.agent_id, "offer", call=call.linkedid, call_queue=call.queue)
    first = chosen[0]
    assert first.seat is not None
    w.events.append(CallOffered(
        at=w.now, linkedid=call.linkedid, agent_id=first.agent_id, seat=first.seat, channel=call.channel,
        queue=call.queue, account_number=call.account_number, caller_number=call.caller_number,
        ivr_path=call.ivr_path, agent_ids=tuple(a.agent_id for a in chosen),
        seats=tuple(a.seat or "" for a in chosen), callback_number=call.callback_number, direct=direct))


def next_deadline(state: AcdState, now: datetime) -> datetime | None:
    """The earliest time after ``now`` at which a Tick could change something: a wrap-up ending, a
    caller's stickiness expiring, skills relaxing, a call overflowing, or a queue with callbacks waiting
    opening."""
    deadlines = [a.wrapup_until for a in state.agents.values()
                 if a.state == AgentState.WRAP_UP and a.wrapup_until is not None]
    limit = timedelta(seconds=state.policy.offer_timeout_seconds)
    deadlines += [offer.at + limit for offer in state.offered.values()]
    deadlines += [a.since + limit for a in state.agents.values() if a.state == AgentState.DIALING and a.since]
    deadlines += _openings(state, now)
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


def _openings(state: AcdState, now: datetime) -> list[datetime]:
    """When each closed queue with a callback waiting opens (within the search horizon)."""
    closed = {c.queue for c in state.waiting.values() if c.is_callback and not state.policy.is_open(c.queue, now)}
    openings = (next_opening(state.policy.queue(q).hours, now, state.policy.timezone) for q in sorted(closed))
    return [moment for moment in openings if moment is not None]
