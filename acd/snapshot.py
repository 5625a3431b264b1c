"""The ACD's live state as plain JSON data and back, so the routing node can share it (Redis) and a node
taking over routing can continue from it. The policy is not part of it: every node has its own from its
settings. Pure. (Fields added since version 1 are read with a default, so an older snapshot still loads.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from acd.agents import Agent, AgentState
from acd.core import AcdState, Offer, WaitingCall

SNAPSHOT_VERSION = 1


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _agent(agent: Agent) -> dict[str, Any]:
    return {"agent_id": agent.agent_id, "seat": agent.seat, "state": agent.state.value, "reason": agent.reason,
            "since": _time(agent.since), "idle_since": _time(agent.idle_since), "call": agent.call,
            "call_queue": agent.call_queue, "answered_at": _time(agent.answered_at),
            "wrapup_until": _time(agent.wrapup_until), "skills": dict(agent.skills),
            "queues": sorted(agent.queues), "calls_answered": agent.calls_answered}


def _call(call: WaitingCall) -> dict[str, Any]:
    return {"linkedid": call.linkedid, "channel": call.channel, "queue": call.queue,
            "enqueued_at": _time(call.enqueued_at), "seq": call.seq, "priority": call.priority,
            "account_number": call.account_number, "caller_number": call.caller_number,
            "ivr_path": call.ivr_path, "skills": dict(call.skills), "owner_agent": call.owner_agent,
            "callback_number": call.callback_number, "missed_by": sorted(call.missed_by),
            "overflowed_to": list(call.overflowed_to)}


def to_snapshot(state: AcdState) -> dict[str, Any]:
    return {
        "v": SNAPSHOT_VERSION,
        "agents": [_agent(a) for a in state.agents.values()],
        "waiting": [_call(c) for c in state.waiting_in_order()],
        "offered": [{"call": _call(o.call), "agent_ids": sorted(o.agent_ids), "at": _time(o.at),
                     "direct": o.direct} for o in state.offered.values()],
        "registered_seats": sorted(state.registered_seats),
        "next_seq": state.next_seq,
        "emergency": state.emergency,
        "link_up": state.link_up,
        "handle_seconds": dict(state.handle_seconds),
        "connected": [_call(c) for c in state.connected.values()],
    }


def _load_agent(data: dict[str, Any]) -> Agent:
    return Agent(agent_id=int(data["agent_id"]), seat=data["seat"], state=AgentState(data["state"]),
                 reason=data["reason"], since=_parse_time(data["since"]), idle_since=_parse_time(data["idle_since"]),
                 call=data["call"], call_queue=data["call_queue"], answered_at=_parse_time(data["answered_at"]),
                 wrapup_until=_parse_time(data["wrapup_until"]), skills=dict(data["skills"]),
                 queues=frozenset(data["queues"]), calls_answered=int(data["calls_answered"]))


def _load_call(data: dict[str, Any]) -> WaitingCall:
    enqueued = _parse_time(data["enqueued_at"])
    assert enqueued is not None
    return WaitingCall(linkedid=data["linkedid"], channel=data["channel"], queue=data["queue"],
                       enqueued_at=enqueued, seq=int(data["seq"]), priority=int(data["priority"]),
                       account_number=data["account_number"], caller_number=data["caller_number"],
                       ivr_path=data["ivr_path"], skills=dict(data["skills"]), owner_agent=data["owner_agent"],
                       callback_number=data["callback_number"], missed_by=frozenset(data["missed_by"]),
                       overflowed_to=tuple(data["overflowed_to"]))


def from_snapshot(data: dict[str, Any], base: AcdState) -> AcdState:
    """The state a snapshot describes, under ``base``'s policy. Raises ValueError for an unknown version."""
    if data.get("v") != SNAPSHOT_VERSION:
        raise ValueError(f"unknown ACD snapshot version {data.get('v')!r}")
    waiting = [_load_call(c) for c in data["waiting"]]
    offered = {}
    for entry in data["offered"]:
        call = _load_call(entry["call"])
        at = _parse_time(entry["at"])
        assert at is not None
        offered[call.linkedid] = Offer(call, frozenset(entry["agent_ids"]), at, direct=bool(entry.get("direct")))
    agents = {a.agent_id: a for a in map(_load_agent, data["agents"])}
    return AcdState(policy=base.policy, agents=agents, waiting={c.linkedid: c for c in waiting},
                    line=tuple(sorted(c.key for c in waiting)), offered=offered,
                    registered_seats=frozenset(data["registered_seats"]), next_seq=int(data["next_seq"]),
                    emergency=bool(data["emergency"]), link_up=bool(data["link_up"]),
                    handle_seconds={k: float(v) for k, v in data["handle_seconds"].items()},
                    connected={c.linkedid: c for c in map(_load_call, data.get("connected", ()))})
