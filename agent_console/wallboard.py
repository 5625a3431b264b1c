"""The supervisors' wallboard feed: a snapshot of the live queues and every agent, sent at most once per
interval however many ACD events arrive (a burst of events becomes one message with the newest state).

``WallboardPacer`` is the pure part: it is fed the times of events and sends, and says when the next send is
due. The hub turns that deadline into a timer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from acd.core import AcdState
from acd.views import queue_summaries
from agent_console.agent_views import agent_view
from kernel.call_events import (
    AgentStateChanged,
    CallAnswered,
    CallbackRequested,
    CallEnded,
    CallOffered,
    CallOverflowed,
    CallQueued,
    EmergencyModeChanged,
    OfferAnswered,
    OfferFailed,
    SeatAvailability,
    WrapUpExtended,
)
from kernel.events import Event, plain

# The events after which the wallboard may have changed: queues, agents or the emergency switch.
WALLBOARD_EVENTS: tuple[type[Event], ...] = (
    AgentStateChanged, WrapUpExtended, CallQueued, CallOffered, CallAnswered, OfferAnswered, OfferFailed,
    CallEnded, CallOverflowed, CallbackRequested, EmergencyModeChanged, SeatAvailability)


def wallboard_snapshot(state: AcdState, now: datetime) -> dict[str, Any]:
    """The ``wallboard`` wire message: every queue's summary and every agent's true state, at ``now``."""
    return {"type": "wallboard", "v": 1, "at": now.isoformat(), "emergency": state.emergency,
            "queues": [{k: plain(v) for k, v in vars(q).items()} for q in queue_summaries(state, now)],
            "agents": [{"agent_id": a.agent_id, **agent_view(a)} for a in state.agents.values()]}


@dataclass
class WallboardPacer:
    """When to send the next wallboard message: ``settle`` seconds after the first event of a burst (so the
    ACD has applied it), and never sooner than ``interval`` seconds after the previous send. Times are plain
    seconds on any monotonic clock."""

    interval: float = 1.0
    settle: float = 0.1
    last_sent: float | None = None
    due_at: float | None = None

    def event(self, now: float) -> float | None:
        """An event happened at ``now``: the time a send is now due, or None if one is already due."""
        if self.due_at is not None:
            return None
        due = now + self.settle
        if self.last_sent is not None:
            due = max(due, self.last_sent + self.interval)
        self.due_at = due
        return due

    def sent(self, now: float) -> None:
        self.last_sent = now
        self.due_at = None
