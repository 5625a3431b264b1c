"""Time-weighted figures from the append-only logs that set a value from an instant on: agents' states
(``agent_state_change``: occupancy) and the trunk's lines in use (``trunk_occupancy``: peak, carried Erlangs).

Each log row starts a segment that lasts until the next row of the same agent (or of the trunk): LEAD over
the rows, in SQL. Segments lying inside one UTC bucket, the vast majority, are summed by the database per
bucket; the few that cross a bucket boundary, start before the period or are still open are fetched and cut
at the local periods in Python (:meth:`Bucketing.overlaps`). The same arithmetic as
:mod:`reports.trunk_occupancy`, per bucket instead of per row, so a year needs no year of rows in Python.
The state at the period's start is the last row of the ``LOOKBACK`` before it (none: nothing counted)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal_column, not_, or_, select
from sqlalchemy.orm import Session

from acd.models import AgentStateChange
from contacts.models import TrunkOccupancy
from contacts.trunk_lines import REFUSED
from kernel.database import UtcDateTime
from reports.arith import seconds_between
from reports.metric_sql import Window, bucket_number, plain_key
from reports.metrics import Tally

LOOKBACK = timedelta(days=1)
HANDLING = frozenset({"on_call", "wrap_up", "dialing"})
AVAILABLE = frozenset({"ready", "offered"})

KeyedTally = tuple[int, str | None, Tally]


def _segments(session: Session, window: Window, *, at: Any, row_id: Any, value: Any,
              partition: Any | None, where: list[ColumnElement[bool]]) -> dict[tuple[int, Any, Any], float]:
    """Seconds per (local period, partition, value), summed over the log's segments in the window."""
    dialect = session.get_bind().dialect.name
    start, cutoff, size = window.start, window.cutoff, window.periods.utc_seconds
    order = (at, row_id)
    lead = func.lead(at, type_=UtcDateTime())
    next_at = lead.over(partition_by=partition, order_by=order) if partition is not None else lead.over(order_by=order)
    part = partition if partition is not None else literal_column("NULL")
    seg = (select(at.label("at"), next_at.label("next_at"), value.label("value"), part.label("part"))
           .where(at >= start - LOOKBACK, at < cutoff, *where).subquery())
    inside_parts = [seg.c.at >= start, seg.c.next_at <= cutoff]
    if size is not None:
        inside_parts.append(bucket_number(dialect, seg.c.at, size) == bucket_number(dialect, seg.c.next_at, size))
    inside = and_(*inside_parts)
    bucket = bucket_number(dialect, seg.c.at, size)
    within = (select(bucket, seg.c.part, seg.c.value, func.sum(seconds_between(dialect, seg.c.next_at, seg.c.at)))
              .where(inside).group_by(*([bucket] if size else []), seg.c.part, seg.c.value))
    seconds: dict[tuple[int, Any, Any], float] = defaultdict(float)
    for utc_bucket, part_value, value_value, total in session.execute(within):
        seconds[(window.periods.local_index(int(utc_bucket)), part_value, value_value)] += float(total or 0)
    crossing = (select(seg.c.part, seg.c.value, seg.c.at, seg.c.next_at)
                .where(or_(seg.c.next_at.is_(None), and_(seg.c.next_at > start, not_(inside)))))
    for part_value, value_value, began, ended in session.execute(crossing):
        for index, overlap in window.periods.overlaps(max(began, start), min(ended or cutoff, cutoff)):
            seconds[(index, part_value, value_value)] += overlap
    return seconds


def agent_state_tallies(session: Session, window: Window, *, by_agent: bool,
                        agent_id: int | None) -> list[KeyedTally]:
    """Agents' handle time and available time per local period (and agent, when ``by_agent``)."""
    change = AgentStateChange
    where = [] if agent_id is None else [change.agent_id == agent_id]
    segments = _segments(session, window, at=change.at, row_id=change.id, value=change.to_state,
                         partition=change.agent_id, where=where)
    totals: dict[tuple[int, str | None], Tally] = defaultdict(Tally)
    for (index, agent, state), seconds in segments.items():
        if state not in HANDLING and state not in AVAILABLE:
            continue
        tally = Tally(handle_state_seconds=seconds) if state in HANDLING else Tally(available_state_seconds=seconds)
        slot = (index, plain_key(agent) if by_agent else None)
        totals[slot] = totals[slot] + tally
    return [(index, key, tally) for (index, key), tally in totals.items()]


def trunk_tallies(session: Session, window: Window) -> list[KeyedTally]:
    """Line-seconds, peak lines and all-lines-busy refusals of the carrier trunk per local period."""
    row = TrunkOccupancy
    segments = _segments(session, window, at=row.at, row_id=row.id, value=row.lines_in_use, partition=None,
                         where=[])
    totals: dict[int, Tally] = defaultdict(Tally)
    for (index, _, lines), seconds in segments.items():
        peak = lines if seconds > 0 else None
        totals[index] = totals[index] + Tally(trunk_line_seconds=lines * seconds, trunk_peak_lines=peak)
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
        totals[index] = totals[index] + Tally(trunk_peak_lines=int(peak), all_lines_busy=int(refused))
    return [(index, None, tally) for index, tally in totals.items()]


def observed_seconds(window: Window) -> Iterator[tuple[int, float]]:
    """(local period, seconds of it up to now) for the trunk's mean."""
    return window.periods.overlaps(window.start, window.cutoff)

