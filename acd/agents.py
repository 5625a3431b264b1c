"""The agent state machine, written as data. Pure: an agent and a trigger in, the changed agent out; an
illegal trigger raises :class:`IllegalTransition` and changes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from kernel.call_events import AgentStateChanged
from kernel.errors import Conflict


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    READY = "ready"
    NOT_READY = "not_ready"
    OFFERED = "offered"  # the seat phone rings
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"  # after-call work: never offered a call
    DIALING = "dialing"  # placed a call from the console: their seat rings first (then on_call, then wrap_up)
    SUPERVISING = "supervising"  # listening to / whispering to / barging into an agent's call on their seat


class IllegalTransition(Conflict):
    code = "illegal_agent_transition"


_S = AgentState

# (state, trigger) -> next state. Anything else is illegal.
TRANSITIONS: Mapping[tuple[AgentState, str], AgentState] = {
    (_S.LOGGED_OUT, "log_in"): _S.NOT_READY,
    (_S.NOT_READY, "log_in"): _S.NOT_READY,
    (_S.READY, "log_in"): _S.READY,
    (_S.NOT_READY, "ready"): _S.READY,
    (_S.READY, "ready"): _S.READY,
    (_S.WRAP_UP, "ready"): _S.READY,
    (_S.READY, "not_ready"): _S.NOT_READY,
    (_S.NOT_READY, "not_ready"): _S.NOT_READY,
    (_S.WRAP_UP, "not_ready"): _S.NOT_READY,
    (_S.READY, "offer"): _S.OFFERED,
    (_S.OFFERED, "answer"): _S.ON_CALL,
    (_S.OFFERED, "no_answer"): _S.NOT_READY,
    (_S.OFFERED, "released"): _S.READY,  # the caller left, another seat answered, or the link failed
    (_S.ON_CALL, "call_over"): _S.WRAP_UP,
    (_S.WRAP_UP, "wrapup_done"): _S.READY,
    (_S.WRAP_UP, "extend_wrapup"): _S.WRAP_UP,
    (_S.READY, "log_out"): _S.LOGGED_OUT,
    (_S.NOT_READY, "log_out"): _S.LOGGED_OUT,
    (_S.WRAP_UP, "log_out"): _S.LOGGED_OUT,
    (_S.LOGGED_OUT, "log_out"): _S.LOGGED_OUT,
    # Click-to-call: the seat rings; answered, the customer is dialled (on_call); not answered: not ready.
    (_S.READY, "dial_out"): _S.DIALING,
    (_S.NOT_READY, "dial_out"): _S.DIALING,
    (_S.DIALING, "answer"): _S.ON_CALL,
    (_S.DIALING, "dial_failed"): _S.NOT_READY,
    # Supervision (ChanSpy) on the supervisor's own seat; afterwards not ready until they say otherwise.
    (_S.READY, "spy"): _S.SUPERVISING,
    (_S.NOT_READY, "spy"): _S.SUPERVISING,
    (_S.SUPERVISING, "spy_over"): _S.NOT_READY,
    (_S.SUPERVISING, "log_out"): _S.LOGGED_OUT,
}
HOLDS_CALL = frozenset({_S.OFFERED, _S.ON_CALL, _S.WRAP_UP, _S.DIALING, _S.SUPERVISING})  # Agent.call is set
BUSY = frozenset({_S.OFFERED, _S.ON_CALL, _S.DIALING, _S.SUPERVISING})  # the seat is ringing or in a call


@dataclass(frozen=True)
class Agent:
    agent_id: int
    seat: str | None = None
    state: AgentState = AgentState.LOGGED_OUT
    reason: str = ""
    since: datetime | None = None  # when the present state (and reason) began
    idle_since: datetime | None = None  # when the agent last became ready
    call: str | None = None  # linkedid of the call offered to, handled or placed by this agent (or their
    #                          supervision session's own call)
    call_queue: str | None = None
    answered_at: datetime | None = None
    wrapup_until: datetime | None = None
    skills: Mapping[str, int] = field(default_factory=dict)
    queues: frozenset[str] = frozenset()  # the queues served; empty: every queue
    calls_answered: int = 0  # answered or placed since logging in (the fewest-calls strategy)

    def serves(self, queue: str) -> bool:
        return not self.queues or queue in self.queues


def transition(agent: Agent, trigger: str, now: datetime, *, reason: str = "", call: str | None = None,
               call_queue: str | None = None, wrapup_seconds: float = 0.0,
               linkedid: str | None = None) -> tuple[Agent, AgentStateChanged | None]:
    """The agent after ``trigger``, and the event to publish (None when nothing visible changed)."""
    target = TRANSITIONS.get((agent.state, trigger))
    if target is None:
        raise IllegalTransition(f"agent {agent.agent_id}: {trigger} is not allowed in state {agent.state}")
    keeps_call = target in HOLDS_CALL
    reason = reason if target == _S.NOT_READY else ""
    changed = target != agent.state or reason != agent.reason
    updated = replace(
        agent,
        state=target,
        reason=reason,
        since=now if changed else agent.since,
        idle_since=now if target == _S.READY and agent.state != _S.READY else agent.idle_since,
        call=(call or agent.call) if keeps_call else None,
        call_queue=(call_queue or agent.call_queue) if keeps_call else None,
        answered_at=now if trigger == "answer" else (agent.answered_at if keeps_call else None),
        wrapup_until=_wrapup_until(agent, target, trigger, now, wrapup_seconds),
        calls_answered=agent.calls_answered + (1 if trigger == "answer" else 0),
    )
    if trigger == "log_out":
        updated = replace(updated, calls_answered=0)
    if not changed:
        return updated, None
    return updated, AgentStateChanged(at=now, linkedid=linkedid or call or agent.call, agent_id=agent.agent_id,
                                      from_state=agent.state.value, to_state=target.value, reason=reason)


def _wrapup_until(agent: Agent, target: AgentState, trigger: str, now: datetime,
                  seconds: float) -> datetime | None:
    if target != _S.WRAP_UP:
        return None
    if trigger == "extend_wrapup":
        base = max(agent.wrapup_until or now, now)
        return base + timedelta(seconds=seconds)
    return now + timedelta(seconds=seconds)
