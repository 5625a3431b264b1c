"""The staffing advisor: from a period's history, the agents each interval of the day needs for a service-level
target (Erlang C, or Erlang A when callers' patience is given), with shrinkage, and the trunk lines the
busiest interval needs for a blocking target (Erlang B).

:func:`advise` is pure (interval loads in, advice out); :func:`interval_loads` reads the history: the
average number of calls arriving in each interval of the local day over the period's days, their mean
handle time (talk plus after-call work), and how long each call holds a trunk line (arrival to hang-up)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from contacts.models import Contact
from reports.erlang import agents_for_service_level, erlang_b, lines_for_blocking, scheduled

STAFFING_DEFINITIONS: dict[str, str] = {
    "calls": "mean calls arriving in the interval per day of the period (来电量)",
    "aht_seconds": "mean handle time of answered calls: talk (answer to the agent's hang-up) plus after-call "
                   "work (平均处理时长)",
    "traffic": "calls × AHT ÷ interval length, in Erlangs (话务量)",
    "agents": "the fewest agents on the phones meeting the service-level target: Erlang C, or Erlang A when "
              "patience is given (所需坐席)",
    "scheduled": "agents ÷ (1 − shrinkage), rounded up: agents to schedule (排班人数)",
    "trunk_lines": "the fewest trunk lines refusing at most the blocking target of the busiest interval's calls "
                   "(Erlang B on arrivals × mean time a call holds a line) (中继线数)",
}


@dataclass(frozen=True)
class IntervalLoad:
    start: time  # local time of day
    calls: float  # mean arrivals per day in this interval
    aht_seconds: float
    line_hold_seconds: float  # mean time a call holds a trunk line (arrival to hang-up)


@dataclass(frozen=True)
class IntervalAdvice:
    start: time
    calls: float
    aht_seconds: float
    traffic: float
    agents: int
    scheduled: int
    service_level: float
    asa_seconds: float
    abandon_probability: float


@dataclass(frozen=True)
class StaffingAdvice:
    intervals: list[IntervalAdvice]
    peak_agents: int
    peak_scheduled: int
    trunk_lines: int
    trunk_blocking_now: float | None  # with the configured trunk lines, in the busiest interval


def advise(loads: Sequence[IntervalLoad], interval_seconds: float, *, target_seconds: float = 20,
           service_level: float = 0.8, shrinkage: float = 0.3, patience_seconds: float | None = None,
           blocking_target: float = 0.01, trunk_lines_now: int | None = None) -> StaffingAdvice:
    advice = []
    for load in loads:
        traffic = load.calls * load.aht_seconds / interval_seconds
        if traffic <= 0:
            advice.append(IntervalAdvice(load.start, load.calls, load.aht_seconds, 0.0, 0, 0, 1.0, 0.0, 0.0))
            continue
        result = agents_for_service_level(traffic, load.aht_seconds, target_seconds, service_level,
                                          patience_seconds)
        advice.append(IntervalAdvice(load.start, load.calls, load.aht_seconds, traffic, result.agents,
                                     scheduled(result.agents, shrinkage), result.service_level,
                                     result.asa_seconds, result.abandon_probability))
    line_traffic = max((load.calls * load.line_hold_seconds / interval_seconds for load in loads), default=0.0)
    return StaffingAdvice(
        intervals=advice, peak_agents=max((a.agents for a in advice), default=0),
        peak_scheduled=max((a.scheduled for a in advice), default=0),
        trunk_lines=lines_for_blocking(line_traffic, blocking_target),
        trunk_blocking_now=erlang_b(trunk_lines_now, line_traffic) if trunk_lines_now is not None else None)


def interval_loads(session: Session, start: datetime, end: datetime, tz: str, interval_minutes: int = 30,
                   wrapup_seconds: float = 0.0) -> list[IntervalLoad]:
    """Every interval of the local day, from the contacts that arrived in ``start <= arrived_at < end``."""
    if not 0 < interval_minutes <= 24 * 60 or (24 * 60) % interval_minutes:
        raise ValueError("interval_minutes must divide the day (e.g. 15, 30, 60)")
    zone = ZoneInfo(tz)
    slots = 24 * 60 // interval_minutes
    days = max(1.0, (end - start).total_seconds() / 86400)
    arrivals: dict[int, int] = defaultdict(int)
    talk: dict[int, list[float]] = defaultdict(list)
    hold: dict[int, list[float]] = defaultdict(list)
    query = select(Contact.arrived_at, Contact.answered_at, Contact.talk_ended_at, Contact.ended_at).where(
        Contact.arrived_at >= start, Contact.arrived_at < end)
    for arrived, answered, talk_ended, ended in session.execute(query):
        local = arrived.astimezone(zone)
        slot = (local.hour * 60 + local.minute) // interval_minutes
        arrivals[slot] += 1
        finished = talk_ended or ended
        if answered is not None and finished is not None:
            talk[slot].append((finished - answered).total_seconds())
        if ended is not None:
            hold[slot].append((ended - arrived).total_seconds())
    all_talk = [s for values in talk.values() for s in values]
    overall_talk = sum(all_talk) / len(all_talk) if all_talk else 0.0
    loads = []
    for slot in range(slots):
        mean_talk = sum(talk[slot]) / len(talk[slot]) if talk[slot] else overall_talk
        mean_hold = sum(hold[slot]) / len(hold[slot]) if hold[slot] else 0.0
        minutes = slot * interval_minutes
        loads.append(IntervalLoad(time(minutes // 60, minutes % 60), arrivals[slot] / days,
                                  mean_talk + wrapup_seconds if mean_talk else 0.0, mean_hold))
    return loads


def interval_seconds(interval_minutes: int) -> float:
    return timedelta(minutes=interval_minutes).total_seconds()
