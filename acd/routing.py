"""Which ready agents may take a waiting call, and which of them gets it. Pure functions of the call, the
free agents, the queue policy and the time.

Eligibility, in order: first-responder stickiness (a repeat caller whose account has an open work order
waits ``sticky_seconds`` for its owner, if the owner is logged in and has not missed this call); queue
membership, widened by overflow rules as the call waits; required skills, relaxed step by step as the call
waits; and never an agent who already missed this call."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from acd.agents import Agent, AgentState
from acd.policy import AcdPolicy, Strategy, relaxation

if TYPE_CHECKING:
    from acd.core import WaitingCall

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def overflow_queues(policy: AcdPolicy, queue: str, waited: float, emergency: bool) -> tuple[str, ...]:
    """The queues whose agents may also take a call of ``queue`` that has waited ``waited`` seconds."""
    return tuple(rule.to_queue for rule in policy.overflow_rules(queue, emergency) if waited >= rule.after_seconds)


def has_skills(agent: Agent, required: Mapping[str, int], relaxed_by: int) -> bool:
    return all(agent.skills.get(skill, 0) >= level - relaxed_by for skill, level in required.items()
               if level - relaxed_by > 0)


def candidates(policy: AcdPolicy, call: WaitingCall, free: Mapping[int, Agent], agents: Mapping[int, Agent],
               now: datetime, emergency: bool) -> list[Agent]:
    """The free agents who may be offered ``call`` now (possibly none)."""
    waited = call.waited(now)
    queue_policy = policy.queue(call.queue)
    owner = agents.get(call.owner_agent) if call.owner_agent is not None else None
    if (owner is not None and owner.state != AgentState.LOGGED_OUT and owner.agent_id not in call.missed_by
            and waited < queue_policy.sticky_seconds):
        return [owner] if owner.agent_id in free else []  # the owner first, while they may still come free
    queues = (call.queue, *overflow_queues(policy, call.queue, waited, emergency))
    relaxed_by = relaxation(queue_policy.relax, waited) if call.skills else 0
    return [agent for agent in free.values()
            if agent.agent_id not in call.missed_by
            and any(agent.serves(q) for q in queues)
            and (not call.skills or has_skills(agent, call.skills, relaxed_by))]


def _idle_key(agent: Agent) -> tuple[datetime, int]:
    return (agent.idle_since or _EPOCH, agent.agent_id)


def choose(strategy: Strategy, skills: Mapping[str, int], group: list[Agent]) -> list[Agent]:
    """The agent (or, for ring-all, the agents) to offer the call to; ``group`` is not empty."""
    if strategy == Strategy.RING_ALL:
        return sorted(group, key=_idle_key)
    if strategy == Strategy.FEWEST_CALLS:
        return [min(group, key=lambda a: (a.calls_answered, *_idle_key(a)))]
    if strategy == Strategy.SKILLS:
        return [min(group, key=lambda a: (-sum(a.skills.get(s, 0) for s in skills), *_idle_key(a)))]
    return [min(group, key=_idle_key)]
