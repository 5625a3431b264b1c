"""The agents of the generated history (:mod:`reports.history`): their shifts, breaks and calls, as the rows of
``agent_state_change`` the live ACD would have written. Pure and deterministic: no I/O, no clock.

Each agent's day is planned ahead (:func:`day_plan`): log in at the shift's start (not ready, then ready a
minute or two later), a short break, a meal and another short break (not ready with that reason), log out at
the shift's end. 15 agents work four shifts round the clock; during a cold snap 35 more come in for the day
(50 in all, emergency mode). A call is given to the agent who can take it first (:meth:`AgentPool.assign`):
logged in, ready, not due for a break, the longest idle on a tie. A break or the log-out falls due while on a
call starts when the call's wrap-up ends. Each agent's rows therefore come out in time order, and an agent
never holds two calls at once: every call starts at or after the end of the agent's previous one."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

# (first hour, last hour, agents) in local time; agents numbered from 1 in this order.
SHIFTS = ((0.0, 7.0, 2), (7.0, 15.5, 6), (9.0, 18.0, 4), (15.0, 24.0, 3))
REGULAR_AGENTS = sum(count for _s, _e, count in SHIFTS)  # 15
SURGE_SHIFT = (8.0, 20.0)  # the extra agents of a cold snap
ALL_AGENTS = 50
BREAKS = (("break", 0.25, 900), ("meal", 0.5, 1800), ("break", 0.8, 900))  # reason, share of shift, seconds
LOG_IN, BREAK, LOG_OUT = "log_in", "break", "log_out"


@dataclass(frozen=True)
class Activity:
    kind: str  # LOG_IN, BREAK or LOG_OUT
    at: datetime  # when it is due
    seconds: float = 0.0  # a break's length; for LOG_IN the time from log-in to ready
    reason: str = ""


def day_plan(agent: int, day: date, surge: float, seed: int, zone: ZoneInfo) -> list[Activity]:
    """The activities of ``agent`` (1-based) on ``day``: none when they are off that day."""
    hours = shift_hours(agent, surge)
    if hours is None:
        return []
    rng = random.Random(f"{seed}:{agent}:{day.toordinal()}")  # a seed of its own: plans in any order
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    start = midnight + timedelta(hours=hours[0], seconds=rng.uniform(-120, 120) if hours[0] else 0)
    end = midnight + timedelta(hours=hours[1], seconds=rng.uniform(-300, 60) if hours[1] < 24 else 0)
    length = (end - start).total_seconds()
    plan = [Activity(LOG_IN, start, rng.uniform(30, 180))]
    for reason, share, seconds in BREAKS:
        at = start + timedelta(seconds=length * share + rng.uniform(-900, 900))
        plan.append(Activity(BREAK, at, seconds * rng.uniform(0.8, 1.3), reason))
    plan.append(Activity(LOG_OUT, end))
    return plan


def shift_hours(agent: int, surge: float) -> tuple[float, float] | None:
    first = 1
    for begin, end, count in SHIFTS:
        if agent < first + count:
            return begin, end
        first += count
    return SURGE_SHIFT if surge > 2 and agent <= ALL_AGENTS else None


@dataclass
class AgentTimeline:
    """One agent: idle (ready, or logged out) from ``free_at`` on; planned activities not yet done."""

    agent: int
    free_at: datetime
    logged_in: bool = False
    pending: deque[Activity] = field(default_factory=deque)

    def earliest(self, wanted: datetime) -> datetime | None:
        """When, at or after ``wanted``, the agent can be offered a call (None: not before their log-out)."""
        if self.logged_in and (not self.pending or self.pending[0].at > max(wanted, self.free_at)):
            return max(wanted, self.free_at)  # the usual case: nothing due in between
        free, logged = self.free_at, self.logged_in
        for activity in self.pending:
            if activity.at > max(wanted, free):
                break
            free, logged = _after(activity, free, logged)
        return max(wanted, free) if logged else None

    def settle(self, until: datetime, rows: list[dict[str, Any]]) -> None:
        """Does the activities that start by ``until`` (appending their rows)."""
        while self.pending and max(self.pending[0].at, self.free_at) <= until:
            activity = self.pending.popleft()
            start = max(activity.at, self.free_at)
            if activity.kind == LOG_IN:
                rows.append(_row(self.agent, "logged_out", "not_ready", start))
                rows.append(_row(self.agent, "not_ready", "ready", start + timedelta(seconds=activity.seconds)))
            elif activity.kind == BREAK and self.logged_in:
                rows.append(_row(self.agent, "ready", "not_ready", start, reason=activity.reason))
                rows.append(_row(self.agent, "not_ready", "ready", start + timedelta(seconds=activity.seconds)))
            elif activity.kind == LOG_OUT and self.logged_in:
                rows.append(_row(self.agent, "ready", "logged_out", start))
            self.free_at, self.logged_in = _after(activity, self.free_at, self.logged_in)

    def take(self, offered: datetime, answered: datetime, talk_ended: datetime, ready: datetime,
             linkedid: str, rows: list[dict[str, Any]]) -> None:
        """The agent takes a call offered at ``offered`` (which :meth:`earliest` allowed)."""
        self.settle(offered, rows)
        assert self.logged_in and offered >= self.free_at, "the agent is not ready for this call"
        rows.append(_row(self.agent, "ready", "offered", offered, linkedid))
        rows.append(_row(self.agent, "offered", "on_call", answered, linkedid))
        rows.append(_row(self.agent, "on_call", "wrap_up", talk_ended, linkedid))
        rows.append(_row(self.agent, "wrap_up", "ready", ready, linkedid))
        self.free_at = ready


def _after(activity: Activity, free: datetime, logged: bool) -> tuple[datetime, bool]:
    start = max(activity.at, free)
    if activity.kind == LOG_IN:
        return start + timedelta(seconds=activity.seconds), True
    if activity.kind == BREAK:
        return (start + timedelta(seconds=activity.seconds), logged) if logged else (free, logged)
    return start, False


def _row(agent: int, from_state: str, to_state: str, at: datetime, linkedid: str | None = None,
         reason: str = "") -> dict[str, Any]:
    return {"agent_id": agent, "from_state": from_state, "to_state": to_state, "reason": reason,
            "linkedid": linkedid, "at": at}


class AgentPool:
    """Every agent's timeline; plans are added a day at a time (:meth:`plan`) before that day's calls."""

    def __init__(self, seed: int, zone: ZoneInfo, start: datetime) -> None:
        self.seed, self.zone = seed, zone
        self.timelines = [AgentTimeline(n, start) for n in range(1, ALL_AGENTS + 1)]

    def plan(self, day: date, surge: float) -> None:
        for timeline in self.timelines:
            timeline.pending.extend(day_plan(timeline.agent, day, surge, self.seed, self.zone))

    def assign(self, wanted: datetime) -> tuple[AgentTimeline, datetime] | None:
        """The agent who can take a call first at or after ``wanted`` (the longest idle on a tie), and when."""
        best: tuple[datetime, datetime, AgentTimeline] | None = None
        for timeline in self.timelines:
            if not timeline.logged_in and not timeline.pending:
                continue
            when = timeline.earliest(wanted)
            if when is not None and (best is None or (when, timeline.free_at) < best[:2]):
                best = (when, timeline.free_at, timeline)
        return None if best is None else (best[2], best[0])

    def settle(self, until: datetime) -> Iterator[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for timeline in self.timelines:
            timeline.settle(until, rows)
        yield from rows
