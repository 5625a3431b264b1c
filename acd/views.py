"""Read-only views of the ACD state: position in queue, estimated wait, the queue summary the IVR announces
and the console shows. Pure functions of the state and the time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from acd.agents import AgentState

if TYPE_CHECKING:
    from acd.core import AcdState, WaitingCall

_WORKING = (AgentState.READY, AgentState.OFFERED, AgentState.ON_CALL, AgentState.WRAP_UP, AgentState.DIALING)


def position_of(waiting: Mapping[str, WaitingCall], line: Sequence[tuple[int, int, str]],
                call: WaitingCall) -> int | None:
    """1 for the next call of its queue to be served; None when the call is not in line."""
    position = 0
    for key in line:
        other = waiting[key[2]]
        if other.queue == call.queue:
            position += 1
        if other.linkedid == call.linkedid:
            return position
    return None


def position_in_queue(state: AcdState, linkedid: str) -> int | None:
    call = state.waiting.get(linkedid)
    return None if call is None else position_of(state.waiting, state.line, call)


def staffed_agents(state: AcdState, queue: str) -> int:
    """Agents logged in, serving ``queue``, not on a break (ready, ringing, talking, placing a call or wrapping
    up)."""
    return sum(1 for a in state.agents.values() if a.state in _WORKING and a.serves(queue)
               and state.policy.seat_open(a.seat, state.emergency))


def estimated_wait(state: AcdState, queue: str, position: int) -> float | None:
    """Seconds a caller at ``position`` can expect to wait: position x average handle time / staffed
    agents. None when nobody is on duty for the queue (the wait cannot be estimated)."""
    staffed = staffed_agents(state, queue)
    if staffed == 0:
        return None
    handle = state.handle_seconds.get(queue, state.policy.queue(queue).default_handle_seconds)
    return position * handle / staffed


@dataclass(frozen=True)
class CallStatus:
    """What a waiting caller can be told: where they are, how long they may wait, whether to offer a
    callback."""

    linkedid: str
    queue: str
    position: int
    estimated_wait: float | None
    waited: float
    offer_callback: bool
    is_callback: bool


def call_status(state: AcdState, linkedid: str, now: datetime) -> CallStatus | None:
    call = state.waiting.get(linkedid)
    if call is None:
        return None
    position = position_of(state.waiting, state.line, call) or 0
    wait = estimated_wait(state, call.queue, position)
    threshold = state.policy.queue(call.queue).callback_after_seconds
    offer = (threshold is not None and not call.is_callback and (wait is None or wait >= threshold))
    return CallStatus(linkedid=linkedid, queue=call.queue, position=position, estimated_wait=wait,
                      waited=call.waited(now), offer_callback=offer, is_callback=call.is_callback)


@dataclass(frozen=True)
class QueueSummary:
    queue: str
    waiting: int
    callbacks_waiting: int
    longest_wait: float
    staffed: int
    ready: int
    estimated_wait: float | None  # for a caller joining now


def queue_summaries(state: AcdState, now: datetime) -> list[QueueSummary]:
    summaries = []
    for name in state.policy.queues:
        calls = [c for c in state.waiting.values() if c.queue == name]
        ready = sum(1 for a in state.agents.values() if a.state == AgentState.READY and a.serves(name))
        summaries.append(QueueSummary(
            queue=name, waiting=len(calls), callbacks_waiting=sum(1 for c in calls if c.is_callback),
            longest_wait=max((c.waited(now) for c in calls), default=0.0), staffed=staffed_agents(state, name),
            ready=ready, estimated_wait=estimated_wait(state, name, len(calls) + 1)))
    return summaries
