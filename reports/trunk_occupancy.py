"""Trunk occupancy per interval, for Erlang B sizing of the carrier trunk's lines, computed from the
append-only ``trunk_occupancy`` log (one row per line seized, released or refused for all lines busy).

The lines in use form a step function of time: each row sets the count from its instant on, and the count
before a period starts is the last row before it. Per interval (an hour by default) the report gives

- ``peak_lines``: the most lines in use at any instant of the interval;
- ``carried_erlangs``: the time-weighted mean of the lines in use over the interval (carried traffic, in
  Erlangs: one line busy all the time is one Erlang);
- ``refused``: calls refused because every line was busy;
- ``seized``: calls that took a line (carried calls) in the interval.

:func:`occupancy_by_interval` is pure (rows in, intervals out); :func:`trunk_occupancy` reads the rows for a
period from the database and hands them to it. Periods are half-open, ``start <= at < end``, in UTC; the
last interval is cut short at ``end``. Pass ``now`` so that the current interval stops at the present
instead of assuming the present count holds until its end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from contacts.models import TrunkOccupancy
from contacts.trunk_lines import REFUSED, SEIZED
from kernel.errors import InvalidInput
from reports.arith import require_aware

HOUR = timedelta(hours=1)
MAX_INTERVALS = 10_000
_ERLANG_DIGITS = 4

DEFINITIONS: dict[str, str] = {
    "peak_lines": "the most trunk lines in use at any instant of the interval (峰值占用线路数)",
    "carried_erlangs": "time-weighted mean of the trunk lines in use over the interval, in Erlangs "
                       "(话务量, 爱尔兰)",
    "refused": "calls refused with the all-lines-busy announcement in the interval (全忙拒接)",
    "seized": "calls that took a trunk line in the interval (占用线路的来电)",
}


@dataclass(frozen=True)
class OccupancySample:
    at: datetime
    lines_in_use: int  # from this instant on
    change: int  # +1 seized, -1 released, 0 refused


@dataclass(frozen=True)
class IntervalOccupancy:
    start: datetime
    end: datetime
    peak_lines: int
    carried_erlangs: float
    refused: int
    seized: int


def occupancy_by_interval(lines_before: int, samples: Sequence[OccupancySample], start: datetime,
                          end: datetime, interval: timedelta = HOUR) -> list[IntervalOccupancy]:
    """Intervals of ``interval`` from ``start`` to ``end``; ``lines_before`` is the count in use just before
    ``start`` and ``samples`` are the rows from ``start`` on, in the order they were recorded."""
    _check(start, end, interval)
    ordered = sorted(samples, key=lambda s: s.at)  # stable: rows at one instant keep their order
    lines, index, result = max(0, lines_before), 0, []
    for first in _starts(start, end, interval):
        last = min(first + interval, end)
        refused = seized = 0
        while index < len(ordered) and ordered[index].at <= first:  # the count at the interval's first instant
            sample = ordered[index]
            lines = sample.lines_in_use
            if sample.at == first:
                refused, seized = refused + (sample.change == REFUSED), seized + (sample.change == SEIZED)
            index += 1
        peak, since, line_seconds = lines, first, 0.0
        while index < len(ordered) and ordered[index].at < last:
            sample = ordered[index]
            line_seconds += lines * (sample.at - since).total_seconds()
            lines, since = sample.lines_in_use, sample.at
            peak = max(peak, lines)
            refused, seized = refused + (sample.change == REFUSED), seized + (sample.change == SEIZED)
            index += 1
        line_seconds += lines * (last - since).total_seconds()
        erlangs = round(line_seconds / (last - first).total_seconds(), _ERLANG_DIGITS)
        result.append(IntervalOccupancy(start=first, end=last, peak_lines=peak, carried_erlangs=erlangs,
                                        refused=refused, seized=seized))
    return result


def trunk_occupancy(session: Session, start: datetime, end: datetime, *, interval: timedelta = HOUR,
                    now: datetime | None = None) -> list[IntervalOccupancy]:
    """:func:`occupancy_by_interval` over the ``trunk_occupancy`` rows of ``start <= at < end`` (cut at
    ``now`` when given and earlier than ``end``)."""
    if now is not None and now < end:
        end = max(start, now)
    _check(start, end, interval)
    before = session.scalars(
        select(TrunkOccupancy.lines_in_use).where(TrunkOccupancy.at < start)
        .order_by(TrunkOccupancy.at.desc(), TrunkOccupancy.id.desc()).limit(1)).first()
    rows = session.execute(
        select(TrunkOccupancy.at, TrunkOccupancy.lines_in_use, TrunkOccupancy.change)
        .where(TrunkOccupancy.at >= start, TrunkOccupancy.at < end)
        .order_by(TrunkOccupancy.at, TrunkOccupancy.id)).all()
    samples = [OccupancySample(at=at, lines_in_use=lines, change=change) for at, lines, change in rows]
    return occupancy_by_interval(before or 0, samples, start, end, interval)


def _starts(start: datetime, end: datetime, interval: timedelta) -> list[datetime]:
    starts, moment = [], start
    while moment < end:
        starts.append(moment)
        moment += interval
    return starts


def _check(start: datetime, end: datetime, interval: timedelta) -> None:
    for name, value in (("start", start), ("end", end)):
        require_aware(value, name)
    if end < start:
        raise InvalidInput(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    if interval <= timedelta(0):
        raise InvalidInput(f"the interval must be positive, not {interval}")
    if (end - start) / interval > MAX_INTERVALS:
        raise InvalidInput(f"at most {MAX_INTERVALS} intervals per report: choose a longer interval")
