"""An agent as the console shows it, and the ACD command for a state asked of the console."""

from typing import Any

from acd.agents import Agent
from acd.commands import LogOut, SetNotReady, SetReady


def state_command(agent_id: int, state: str, reason: str) -> SetReady | SetNotReady | LogOut:
    """The ACD command for an agent state asked of the console ("ready", "not_ready", "logged_out")."""
    if state == "ready":
        return SetReady(agent_id)
    if state == "not_ready":
        return SetNotReady(agent_id, reason)
    return LogOut(agent_id)


def agent_view(agent: Agent | None) -> dict[str, Any]:
    if agent is None:
        return {"state": "logged_out", "seat": None, "reason": "", "since": None, "call": None,
                "wrapup_until": None}
    return {"state": agent.state.value, "seat": agent.seat, "reason": agent.reason,
            "since": agent.since.isoformat() if agent.since else None, "call": agent.call,
            "wrapup_until": agent.wrapup_until.isoformat() if agent.wrapup_until else None,
            "skills": dict(agent.skills), "queues": sorted(agent.queues), "calls_answered": agent.calls_answered}
