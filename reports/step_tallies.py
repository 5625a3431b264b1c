"""Time-weighted figures from the append-only logs that set a value from an instant on: agents' states
(``agent_state_change``: occupancy) and the trunk's lines in use (``trunk_occupancy``: peak, carried Erlangs).

Each log row starts a segment that lasts until the next row of the same agent (or of the trunk): LEAD over
the rows, in SQL. Segments lying inside one UTC bucket, the vast majority, are summed by the database per
bucket; the few that cross a bucket boundary, start before the period or are still open are fetched and cut
at the local periods in Python (:meth:`Bucketing.overlaps`). The same arithmetic as
:mod:`reports.trunk_occupancy`, per bucket instead of per row, so a year needs no year of rows in Python.
The state at the period's start is the last row of the ``LOOKBACK`` before it (none: nothing counted).
Settled whole hours are read pre-aggregated (:mod:`reports.report_tallies_store`); only the rest is live."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Float, and_, case, func, literal_column, not_, or_, select
from sqlalchemy.orm import Session

from acd.models import AgentStateChange
from contacts.models import TrunkOccupancy
from contacts.trunk_lines import REFUSED
from kernel.database import UtcDateTime
from reports.arith import seconds_between
from reports.metric_sql import Window, bucket_number, plain_key
from reports.metrics import KeyedTally, Tally, sum_by_key
from reports.report_tallies_store import split, stored_agent_seconds, stored_trunk, sub_window

LOOKBACK = timedelta(days=1)
HANDLING = frozenset({"on_call", "wrap_up", "dialing"})
AVAILABLE = frozenset({"ready", "offered"})



def segments(session: Session, window: Window, *, at: Any, row_id: Any, value: Any,
              partition: Any | None, where: list[ColumnElement[bool]],
              by_partition: bool = True) -> dict[tuple[int, Any, Any], float]:
    """Seconds per (local period, partition, value), summed over the log's segments in the window (the
    partition None throughout unless ``by_partition``)."""
    dialect = session.get_bind().dialect.name
    start, cutoff, size = window.start, window.cutoff, window.periods.utc_seconds
    order = (at, row_id)
    lead = func.lead(at, type_=UtcDateTime())
    next_at = lead.over(partition_by=partition, order_by=order) if partition is not None else lead.over(order_by=order)
    part = partition if partition is not None else literal_column("NULL")
    seg = (select(at.label("at"), next_at.label("next_at"), value.label("value"), part.label("part"))
           .where(at >= start - LOOKBACK, at < cutoff, *where).cte("segment"))  # the window runs once
    inside_parts = [seg.c.at >= start, seg.c.next_at <= cutoff]
    if size is not None:
        inside_parts.append(bucket_number(dialect, seg.c.at, size) == bucket_number(dialect, seg.c.next_at, size))
    inside = and_(*inside_parts)
    bucket = bucket_number(dialect, seg.c.at, size)
    part_out = seg.c.part if by_partition else literal_column("NULL")
    no_time = literal_column("NULL", UtcDateTime())
    crossing = (select(literal_column("NULL", BigInteger()), part_out, seg.c.value,
                       literal_column("NULL", Float()), seg.c.at, seg.c.next_at)
                .where(or_(seg.c.next_at.is_(None), and_(seg.c.next_at > start, not_(inside)))))
    within = (select(bucket, part_out, seg.c.value, func.sum(seconds_between(dialect, seg.c.next_at, seg.c.at)),
                     no_time, no_time)
              .where(inside).group_by(*([bucket] if size else []), *([seg.c.part] if by_partition else []),
                                      seg.c.value))
    seconds: dict[tuple[int, Any, Any], float] = defaultdict(float)
    for utc_bucket, part_value, value_value, total, began, ended in session.execute(crossing.union_all(within)):
        if began is None:  # summed by the database inside one UTC bucket
            seconds[(window.periods.local_index(int(utc_bucket)), part_value, value_value)] += float(total or 0)
            continue
        for index, overlap in window.periods.overlaps(max(began, start), min(ended or cutoff, cutoff)):
            seconds[(index, part_value, value_value)] += overlap
    return seconds


def agent_state_tallies(session: Session, window: Window, *, by_agent: bool,
                        agent_id: int | None) -> list[KeyedTally]:
    """Agents' handle time and available time per local period (and agent, when ``by_agent``): the settled
    hours from ``agent_state_hour``, the rest live from the log."""
    seconds = agent_state_seconds(session, window, by_agent=by_agent, agent_id=agent_id)
    handle: dict[tuple[int, str | None], float] = defaultdict(float)
    available: dict[tuple[int, str | None], float] = defaultdict(float)
    for (index, agent, state), value in seconds.items():
        slot = (index, plain_key(agent) if by_agent else None)
        if state in HANDLING:
            handle[slot] += value
        elif state in AVAILABLE:
            available[slot] += value
    return [(index, key, Tally(handle_state_seconds=handle.get((index, key), 0.0),
                               available_state_seconds=available.get((index, key), 0.0)))
            for index, key in handle.keys() | available.keys()]


def agent_state_seconds(session: Session, window: Window, *, by_agent: bool,
                        agent_id: int | None) -> dict[tuple[int, Any, Any], float]:
    """Seconds per (local period, agent or None, state): the settled hours from ``agent_state_hour``, the
    rest live from the log (the occupancy tallies and the agent report read them)."""
    part = split(session, window)
    seconds = stored_agent_seconds(session, window, part, by_agent=by_agent, agent_id=agent_id)
    for start, end in part.live:
        for piece, value in agent_seconds(session, sub_window(window, start, end), by_agent=by_agent,
                                          agent_id=agent_id).items():
            seconds[piece] = seconds.get(piece, 0.0) + value
    return seconds


def agent_seconds(session: Session, window: Window, *, by_agent: bool,
                  agent_id: int | None) -> dict[tuple[int, Any, Any], float]:
    """Seconds per (local period, agent or None, state), live from ``agent_state_change``."""
    change = AgentStateChange
    where = [] if agent_id is None else [change.agent_id == agent_id]
    return segments(session, window, at=change.at, row_id=change.id, value=change.to_state,
                    partition=change.agent_id, where=where, by_partition=by_agent)


def trunk_tallies(session: Session, window: Window) -> list[KeyedTally]:
    """Line-seconds, peak lines and all-lines-busy refusals of the carrier trunk per local period: the settled
    hours from ``trunk_hour``, the rest live from the log."""
    part = split(session, window)
    found = stored_trunk(session, window, part)
    for start, end in part.live:
        found += trunk_live(session, sub_window(window, start, end))
    return [(index, None, tally) for index, tally in sum_by_key(found).items()]


def trunk_live(session: Session, window: Window) -> list[tuple[int, Tally]]:
    """The trunk's tallies per local period, live from ``trunk_occupancy``."""
    row = TrunkOccupancy
    found = segments(session, window, at=row.at, row_id=row.id, value=row.lines_in_use, partition=None,
                     where=[])
    parts = [(index, Tally(trunk_line_seconds=lines * seconds, trunk_peak_lines=lines if seconds > 0 else None))
             for (index, _, lines), seconds in found.items()]
    dialect = session.get_bind().dialect.name
    size = window.periods.utc_seconds
    bucket = bucket_number(dialect, row.at, size)
    rows = (select(bucket, func.max(row.lines_in_use), func.count(case((row.change == REFUSED, 1))))
            .where(row.at >= window.start, row.at < window.cutoff)
            .group_by(*([bucket] if size else [])))
    for utc_bucket, peak, refused in session.execute(rows):
        if peak is None:
            continue
        index = window.periods.local_index(int(utc_bucket))
        parts.append((index, Tally(trunk_peak_lines=int(peak), all_lines_busy=int(refused))))
    return list(sum_by_key(parts).items())


def observed_seconds(window: Window) -> Iterator[tuple[int, float]]:
    """(local period, seconds of it up to now) for the trunk's mean."""
    return window.periods.overlaps(window.start, window.cutoff)

