"""Agent state timelines: the append-only ``agent_state_change`` rows turned into contiguous segments clipped
to a period (the state timeline chart and the time-in-state figures of :mod:`reports.agents` read them).

The pure core, :func:`segments`, takes one agent's changes and a period. The state at the period's start is
the last change before it; an agent with no change before or in the period has no segments (absent: logged
out). A segment still open when the period ends, or now, ends at ``min(period end, now)``. Logged-out
stretches between two logins stay in the timeline (state ``logged_out``), so its segments are contiguous;
the logged-in time is that of the other states. Consecutive changes to the same state and reason merge.

:func:`timeline` is the database adapter: the users from ``app_user`` and each one's changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from acd.agents import AgentState
from acd.models import AgentStateChange
from agent_console.models import User
from kernel.errors import InvalidInput, NotFound

LOGGED_OUT = AgentState.LOGGED_OUT.value
LOOKBACK = timedelta(days=7)  # where the state at a period's start is looked for first


@dataclass(frozen=True)
class StateChange:
    """One ``agent_state_change`` row as the core needs it."""

    to_state: str
    reason: str
    at: datetime
    linkedid: str | None = None


@dataclass(frozen=True)
class Segment:
    """The agent was in ``state`` (with ``reason``, for not ready) from ``start`` to ``end``; ``linkedid`` is
    the call that put them there, when one did."""

    state: str
    reason: str
    start: datetime
    end: datetime
    linkedid: str | None = None

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class AgentTimeline:
    agent_id: int
    name: str
    segments: tuple[Segment, ...]


def segments(changes: Iterable[StateChange], start: datetime, end: datetime, now: datetime) -> list[Segment]:
    """The agent's contiguous segments inside ``[start, min(end, now))``, from their ``changes`` (any order;
    changes at the same instant keep their given order, the later one winning)."""
    stop = min(end, now)
    ordered = sorted(changes, key=lambda c: c.at)  # stable: ties keep the log's order
    before = [c for c in ordered if c.at <= start]
    current: StateChange | None = before[-1] if before else None
    since = start
    out: list[Segment] = []
    for change in ordered[len(before):]:
        if change.at >= stop:
            break
        if current is not None:
            _append(out, current, since, change.at)
        current, since = change, change.at
    if current is not None:
        _append(out, current, since, stop)
    return out


def _append(out: list[Segment], change: StateChange, start: datetime, end: datetime) -> None:
    if end <= start:
        return
    last = out[-1] if out else None
    if last is not None and (last.state, last.reason, last.linkedid) == (change.to_state, change.reason,
                                                                          change.linkedid) and last.end == start:
        out[-1] = Segment(last.state, last.reason, last.start, end, last.linkedid)
        return
    out.append(Segment(change.to_state, change.reason, start, end, change.linkedid))


def seconds_by_state(parts: Iterable[Segment]) -> dict[str, float]:
    """Seconds in each logged-in state (every :class:`AgentState` but logged out, zeros included)."""
    totals = {state.value: 0.0 for state in AgentState if state is not AgentState.LOGGED_OUT}
    for part in parts:
        if part.state in totals:
            totals[part.state] += part.seconds
    return {state: round(seconds, 3) for state, seconds in totals.items()}


def logged_in(parts: Sequence[Segment]) -> bool:
    return any(part.state != LOGGED_OUT for part in parts)


# --- database adapter --------------------------------------------------------------------------------------


def timeline(session: Session, start: datetime, end: datetime, *, agent_id: int | None = None,
             now: datetime | None = None) -> list[AgentTimeline]:
    """Every user's timeline over ``[start, end)`` (``now``: the wall clock unless given), by user id.

    Without ``agent_id``, users never logged in during the period are left out; with it, that user is
    returned even so (NotFound if there is no such user)."""
    if end < start:
        raise InvalidInput(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    now = now or datetime.now(UTC)
    users = select(User.id, User.display_name).order_by(User.id)
    if agent_id is not None:
        users = users.where(User.id == agent_id)
    people = session.execute(users).all()
    if agent_id is not None and not people:
        raise NotFound(f"no user {agent_id}")
    changes = state_changes(session, start, end, [person.id for person in people])
    result: list[AgentTimeline] = []
    for person in people:
        parts = segments(changes.get(person.id, ()), start, end, now)
        if agent_id is not None or logged_in(parts):
            result.append(AgentTimeline(person.id, person.display_name, tuple(parts)))
    return result


def state_changes(session: Session, start: datetime, end: datetime,
                  agent_ids: Sequence[int]) -> dict[int, list[StateChange]]:
    """Per agent: the last change before ``start`` (their state when the period starts) and every change
    in ``[start, end)``, in the log's order."""
    if not agent_ids:
        return {}
    log = AgentStateChange
    columns = select(log.agent_id, log.to_state, log.reason, log.at, log.linkedid).order_by(log.at, log.id)
    lasts = [and_(log.agent_id == agent, log.at == at)
             for agent, at in _last_change_times(session, start, agent_ids).items()]
    rows = [*session.execute(columns.where(or_(*lasts))).all()] if lasts else []
    rows += session.execute(columns.where(log.at >= start, log.at < end, log.agent_id.in_(agent_ids))).all()
    changes: dict[int, list[StateChange]] = {}
    for agent, to_state, reason, at, linkedid in rows:
        changes.setdefault(agent, []).append(StateChange(to_state, reason, at, linkedid))
    return changes


def _last_change_times(session: Session, start: datetime, agent_ids: Sequence[int]) -> dict[int, datetime]:
    """When each agent's state last changed before ``start`` (agents with no change before it left out).

    First over the :data:`LOOKBACK` before ``start`` (a range of the index on ``at``: anyone who worked
    lately), then, for the others only, one probe each of the index on (agent_id, at) for their latest change
    (grouping all their history read every row of it: 250,000 for the emergency seats of ten years)."""
    log = AgentStateChange
    query = (select(log.agent_id, func.max(log.at))
             .where(log.at < start, log.at >= start - LOOKBACK, log.agent_id.in_(agent_ids)).group_by(log.agent_id))
    found = {agent: at for agent, at in session.execute(query)}
    rest = [agent for agent in agent_ids if agent not in found]
    if rest:
        latest = (select(func.max(log.at)).where(log.agent_id == User.id, log.at < start - LOOKBACK)
                  .correlate(User).scalar_subquery())
        found |= {agent: at for agent, at in session.execute(select(User.id, latest).where(User.id.in_(rest)))
                  if at is not None}
    return found
