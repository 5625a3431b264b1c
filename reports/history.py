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
  (50 during a cold snap, in emergency mode) for a log-normal handle time, and may rate the call 1–5.

:func:`write_history` inserts the rows in batches (portable bulk inserts for SQLite and PostgreSQL) and
reports progress."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from contacts.models import Contact
from contacts.record import DEFAULT_SHORT_ABANDON_SECONDS
from kernel.call_events import DEFLECTED, SELF_SERVICE
from kernel.database import transaction

HOURLY_SHAPE = (0.1, 0.05, 0.03, 0.03, 0.05, 0.2, 0.6, 1.4, 2.2, 2.6, 2.5, 2.0,
                1.4, 1.6, 2.2, 2.3, 2.0, 1.6, 1.1, 0.9, 0.7, 0.5, 0.3, 0.15)
WEEKDAY_SHAPE = (1.15, 1.05, 1.0, 1.0, 1.05, 0.8, 0.7)
QUEUES = ("general", "general", "general", "billing", "repair")
BATCH = 5_000


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


def generate(last_day: date, years: int, yearly: int = 530_000, seed: int = 96106,
             tz: str = "Asia/Shanghai") -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    zone = ZoneInfo(tz)
    days = 365 * years
    first = last_day - timedelta(days=days - 1)
    volumes = day_volumes(first, days, yearly, rng)
    normal = sum(volumes) / len(volumes) if volumes else 0
    hour_weights = list(itertools.accumulate(HOURLY_SHAPE))
    serial = 0
    for n, expected in enumerate(volumes):
        day = first + timedelta(days=n)
        surge = expected / normal if normal else 1.0
        count = _poisson(rng, expected)
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
        seconds = sorted(_second_of_day(rng, hour_weights) for _ in range(count))
        for second in seconds:
            serial += 1
            arrived = (midnight + timedelta(seconds=second)).astimezone(UTC)
            yield _call(rng, serial, arrived, surge)


def _call(rng: random.Random, serial: int, arrived: datetime, surge: float) -> dict[str, Any]:
    account = f"1{rng.randrange(10_000_000):07d}"
    row: dict[str, Any] = {
        "linkedid": f"hist-{serial}", "caller_number": f"13{rng.randrange(1_000_000_000):09d}",
        "dialed_number": "96106", "account_number": None, "queue": None, "agent_id": None, "seat": None,
        "arrived_at": arrived, "ivr_left_at": None, "queued_at": None, "offered_at": None, "answered_at": None,
        "talk_ended_at": None, "ended_at": None, "offer_count": 0, "reconstructed": False, "wait_seconds": None,
        "abandon_stage": None, "short_abandon": False, "outcome": None, "satisfaction": None,
        "satisfaction_at": None, "ivr_path": "main",
    }
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
    agents = 50 if surge > 2 else 15
    wait = rng.expovariate(1 / (25 * surge ** 1.5))
    patience = rng.expovariate(1 / 150)
    if patience < wait:
        gave_up = left + timedelta(seconds=patience)
        return {**row, "ended_at": gave_up, "outcome": "abandoned", "wait_seconds": round(patience, 3),
                "abandon_stage": "queue", "short_abandon": patience < DEFAULT_SHORT_ABANDON_SECONDS}
    answered = left + timedelta(seconds=wait)
    talk = rng.lognormvariate(math.log(170), 0.5)
    talk_end = answered + timedelta(seconds=talk)
    agent = rng.randrange(1, agents + 1)
    rated = rng.random() < 0.6
    ended = talk_end + timedelta(seconds=rng.uniform(8, 15) if rated else 0)
    return {**row, "offered_at": answered - timedelta(seconds=min(wait, 3)), "answered_at": answered,
            "talk_ended_at": talk_end, "ended_at": ended, "agent_id": agent, "seat": f"seat{1000 + agent}",
            "offer_count": 1, "wait_seconds": round(wait, 3), "outcome": "answered",
            "satisfaction": rng.choices((5, 4, 3, 2, 1), (80, 16, 3, 0.6, 0.4))[0] if rated else None,
            "satisfaction_at": ended if rated else None}


def write_history(factory: sessionmaker[Session], rows: Iterator[dict[str, Any]], *,
                  progress: Callable[[int], None] = lambda _n: None) -> int:
    written = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            written += _insert(factory, batch)
            progress(written)
            batch = []
    if batch:
        written += _insert(factory, batch)
        progress(written)
    return written


def expected_total(years: int, yearly: int) -> int:
    """About how many calls :func:`generate` yields (for a progress bar): the volume plus the cold snaps."""
    return int(years * yearly * 1.06)


def _insert(factory: sessionmaker[Session], batch: list[dict[str, Any]]) -> int:
    with transaction(factory) as session:
        session.execute(insert(Contact), batch)
    return len(batch)


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
