"""Realistic call history for demos and benchmarks: ``qingquan generate-history``.

:func:`generate` is pure and deterministic for a seed: it yields one contact row (a dict of ``contact``
columns) per call, in arrival order, for N years ending at a given day, at a yearly volume (530,000 by default,
Kunming's 96106). Its shape:

- days: weekdays busier than weekends, winter busier than summer, and each winter a cold snap of a few days
  at four to eight times the volume (frozen and burst pipes: Ningbo's 23,969 calls in one such spell);
- hours: quiet at night, peaks mid-morning and mid-afternoon;
- calls: a quarter hear their bill in the IVR and hang up (self-service), a few hang up on an outage notice
  during a cold snap (deflected), the rest queue; a queued caller waits longer when the day is busier, gives
  up when the wait exceeds their patience (short abandons under 5 s apart), or talks to one of 15 agents
  (50 during a cold snap, in emergency mode) for a log-normal handle time, and may rate the call 1–5;
- agents (:mod:`reports.history_agents`): shifts round the clock with breaks; a queued call goes to the agent
  who can take it first, so the wait grows when they are all busy, and their states are logged;
- trunk lines: each call takes one of the carrier's lines (120) from arrival to end, refused when all are busy;
- work orders (:mod:`reports.history_orders`) for about a third of the answered calls, with closing callbacks.

:func:`reports.history_store.write_history` writes the rows (COPY on PostgreSQL) and reports progress."""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contacts.record import DEFAULT_SHORT_ABANDON_SECONDS
from kernel.call_events import DEFLECTED, SELF_SERVICE
from reports.history_agents import AgentPool
from reports.history_orders import OrderMaker

HOURLY_SHAPE = (0.1, 0.05, 0.03, 0.03, 0.05, 0.2, 0.6, 1.4, 2.2, 2.6, 2.5, 2.0,
                1.4, 1.6, 2.2, 2.3, 2.0, 1.6, 1.1, 0.9, 0.7, 0.5, 0.3, 0.15)
WEEKDAY_SHAPE = (1.15, 1.05, 1.0, 1.0, 1.05, 0.8, 0.7)
QUEUES = ("general", "general", "general", "billing", "repair")


def day_volumes(first: date, days: int, yearly: int, rng: random.Random) -> list[float]:
    """The expected calls of each day: weekday and season shape, plus one cold snap each winter."""
    snaps: dict[int, float] = {}
    for year in range(first.year, first.year + days // 365 + 2):
        start = date(year, 1, 10) + timedelta(days=rng.randrange(30))
        for offset in range(rng.randint(3, 6)):
            snaps[(start + timedelta(days=offset)).toordinal()] = rng.uniform(4, 8)
    volumes = []
    for n in range(days):
        day = first + timedelta(days=n)
        season = 1 + 0.25 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365)
        volumes.append(yearly / 365 * WEEKDAY_SHAPE[day.weekday()] * season * snaps.get(day.toordinal(), 1.0))
    return volumes


Row = tuple[str, dict[str, Any]]  # (table, row)


def generate(last_day: date, years: int, yearly: int = 530_000, seed: int = 96106,
             tz: str = "Asia/Shanghai", *, trunk_lines: int = 120) -> Iterator[Row]:
    """Every row of the history, ``(table, row)``, contacts in arrival order: ``contact`` (with its ``id``,
    numbered from 1), ``agent_state_change``, ``trunk_occupancy``, ``work_order``, ``work_order_history`` and
    ``callback``. A row that refers to another (a work order to its contact) comes after it. Agents are
    numbered 1 to 50 (the writer maps them to users). Memory stays bounded whatever the number of years."""
    rng = random.Random(seed)
    zone = ZoneInfo(tz)
    days = 365 * years
    first = last_day - timedelta(days=days - 1)
    volumes = day_volumes(first, days, yearly, rng)
    normal = sum(volumes) / len(volumes) if volumes else 0
    hour_weights = list(itertools.accumulate(HOURLY_SHAPE))
    horizon = datetime(last_day.year, last_day.month, last_day.day, tzinfo=zone) + timedelta(days=1)
    pool = AgentPool(seed, zone, datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(UTC))
    trunk = Trunk(trunk_lines)
    orders = OrderMaker(horizon.astimezone(UTC))
    serial = 0
    for n, expected in enumerate(volumes):
        day = first + timedelta(days=n)
        surge = expected / normal if normal else 1.0
        if n == 0:
            pool.plan(day, surge)
        if n + 1 < days:
            pool.plan(day + timedelta(days=1), volumes[n + 1] / normal)
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
        yield from (("agent_state_change", row) for row in pool.settle(midnight))
        count = _poisson(rng, expected)
        seconds = sorted(_second_of_day(rng, hour_weights) for _ in range(count))
        for second in seconds:
            serial += 1
            arrived = (midnight + timedelta(seconds=second)).astimezone(UTC)
            yield from trunk.release_until(arrived)
            if trunk.full:
                yield from trunk.refuse(arrived, f"hist-{serial}")
                yield "contact", _lines_busy(rng, serial, arrived)
                continue
            agent_rows: list[dict[str, Any]] = []
            contact = _call(rng, serial, arrived, surge, pool, agent_rows)
            yield from trunk.seize(arrived, contact["ended_at"], contact["linkedid"])
            yield "contact", contact
            yield from (("agent_state_change", row) for row in agent_rows)
            if contact["outcome"] == "answered":
                yield from orders.rows(rng, contact)
    yield from (("agent_state_change", row) for row in pool.settle(horizon))
    yield from trunk.release_until(None)


class Trunk:
    """The carrier trunk's lines: +1 when a call arrives, -1 when it ends, 0 (refused) when all are busy."""

    def __init__(self, lines: int) -> None:
        self.lines = lines
        self.ends: list[tuple[datetime, str]] = []  # a heap of the calls in progress

    @property
    def full(self) -> bool:
        return len(self.ends) >= self.lines

    def release_until(self, until: datetime | None) -> Iterator[Row]:
        while self.ends and (until is None or self.ends[0][0] <= until):
            at, linkedid = heapq.heappop(self.ends)
            yield "trunk_occupancy", {"at": at, "lines_in_use": len(self.ends), "change": -1, "linkedid": linkedid}

    def seize(self, at: datetime, ends: datetime, linkedid: str) -> Iterator[Row]:
        heapq.heappush(self.ends, (ends, linkedid))
        yield "trunk_occupancy", {"at": at, "lines_in_use": len(self.ends), "change": 1, "linkedid": linkedid}

    def refuse(self, at: datetime, linkedid: str) -> Iterator[Row]:
        yield "trunk_occupancy", {"at": at, "lines_in_use": len(self.ends), "change": 0, "linkedid": linkedid}


def _blank(rng: random.Random, serial: int, arrived: datetime) -> dict[str, Any]:
    return {
        "id": serial, "linkedid": f"hist-{serial}", "caller_number": f"13{rng.randrange(1_000_000_000):09d}",
        "dialed_number": "96106", "account_number": None, "queue": None, "agent_id": None, "seat": None,
        "arrived_at": arrived, "ivr_left_at": None, "queued_at": None, "offered_at": None, "answered_at": None,
        "talk_ended_at": None, "ended_at": None, "offer_count": 0, "reconstructed": False, "wait_seconds": None,
        "abandon_stage": None, "short_abandon": False, "outcome": None, "satisfaction": None,
        "satisfaction_at": None, "ivr_path": "main", "direction": "inbound", "transfer_count": 0,
        "acw_seconds": None,
    }


def _lines_busy(rng: random.Random, serial: int, arrived: datetime) -> dict[str, Any]:
    return {**_blank(rng, serial, arrived), "ivr_path": "", "ended_at": arrived, "outcome": "lines_busy"}


def _call(rng: random.Random, serial: int, arrived: datetime, surge: float, pool: AgentPool,
          agent_rows: list[dict[str, Any]]) -> dict[str, Any]:
    row = _blank(rng, serial, arrived)
    account = f"1{rng.randrange(10_000_000):07d}"
    ivr_seconds = rng.uniform(8, 40)
    left = arrived + timedelta(seconds=ivr_seconds)
    choice = rng.random()
    if surge > 2 and choice < 0.08:
        return {**row, "ivr_path": "outage", "ivr_left_at": left, "ended_at": left, "outcome": DEFLECTED}
    if choice < 0.25:
        return {**row, "ivr_path": "main>bill>account>heard>goodbye", "account_number": account,
                "ivr_left_at": left, "ended_at": left + timedelta(seconds=rng.uniform(10, 30)),
                "outcome": SELF_SERVICE}
    if choice < 0.27:
        return {**row, "ivr_left_at": left, "ended_at": left, "outcome": "ivr_hangup"}
    path = rng.choice(("main>agent>queue", "main>repair>queue", "main>bill>account>heard>agent>queue"))
    row.update(ivr_path=path, ivr_left_at=left, queued_at=left, queue=rng.choice(QUEUES),
               account_number=account if "account" in path else None)
    drawn = rng.expovariate(1 / (25 * surge ** 1.5))  # the wait the ACD's routing adds, busier days longer
    patience = rng.expovariate(1 / 150)
    ring = min(drawn, rng.uniform(2, 6))
    talk = rng.lognormvariate(math.log(170), 0.5)
    after_call = rng.lognormvariate(math.log(25), 0.5)
    rated = rng.random() < 0.6
    survey = rng.uniform(8, 15)
    score = rng.choices((5, 4, 3, 2, 1), (80, 16, 3, 0.6, 0.4))[0]
    found = pool.assign(left + timedelta(seconds=drawn - ring))
    wait = (found[1] - left).total_seconds() + ring if found else math.inf
    if patience < wait or found is None:
        gave_up = left + timedelta(seconds=patience)
        return {**row, "ended_at": gave_up, "outcome": "abandoned", "wait_seconds": round(patience, 3),
                "abandon_stage": "queue", "short_abandon": patience < DEFAULT_SHORT_ABANDON_SECONDS}
    timeline, offered = found
    answered = offered + timedelta(seconds=ring)
    talk_end = answered + timedelta(seconds=talk)
    ready = talk_end + timedelta(seconds=after_call)
    timeline.take(offered, answered, talk_end, ready, row["linkedid"], agent_rows)
    ended = talk_end + timedelta(seconds=survey if rated else 0)
    agent = timeline.agent
    return {**row, "offered_at": offered, "answered_at": answered,
            "talk_ended_at": talk_end, "ended_at": ended, "agent_id": agent, "seat": f"seat{1000 + agent}",
            "offer_count": 1, "wait_seconds": round(wait, 3), "outcome": "answered",
            "satisfaction": score if rated else None, "satisfaction_at": ended if rated else None,
            "acw_seconds": (ready - talk_end).total_seconds()}  # its wrap-up, as acd.state_log keeps it


def expected_total(years: int, yearly: int) -> int:
    """About how many calls :func:`generate` yields (for a progress bar): the volume plus the cold snaps."""
    return int(years * yearly * 1.06)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 50:  # normal approximation: exact enough for day volumes and far quicker
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _second_of_day(rng: random.Random, cumulative: list[float]) -> float:
    hour = rng.choices(range(24), cum_weights=cumulative)[0]
    return hour * 3600 + rng.uniform(0, 3600)
