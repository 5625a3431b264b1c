"""The metrics report: every figure of :mod:`reports.metrics` per local period (hour, day, ISO week, month or
total) and per queue, agent or company, computed from the contact records and the append-only logs.

Each adapter returns additive tallies per local period and group key (:mod:`reports.contact_tallies`,
:mod:`reports.step_tallies`, :mod:`reports.work_order_figures`); they are summed here and the figures derived
from the sums. Occupancy is given per agent or over all agents (not per queue or company: agents serve
several), the trunk's figures only for the whole hotline (no grouping, no filter)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from kernel.errors import InvalidInput
from reports.arith import require_aware
from reports.contact_tallies import contact_tallies
from reports.metric_periods import By, bucketing
from reports.metric_sql import GROUPS, Filters, Group, Window, tune_for_reports
from reports.metrics import Figures, Tally, derive, sum_by_key
from reports.step_tallies import agent_state_tallies, observed_seconds, trunk_tallies
from reports.summary import SERVICE_TARGET_SECONDS
from reports.work_order_figures import closing_callback_tallies, work_order_tallies

logger = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Shanghai"
MAX_TARGET_SECONDS = 3600.0


@dataclass(frozen=True)
class MetricsRow:
    period: str
    period_start: datetime
    period_end: datetime
    key: str | None
    figures: Figures


def metrics(session: Session, start: datetime, end: datetime, *, by: By = "total", group: Group = "none",
            tz: str = DEFAULT_TIMEZONE, now: datetime, queue: str | None = None, agent_id: int | None = None,
            company: str | None = None, target_seconds: float = SERVICE_TARGET_SECONDS) -> list[MetricsRow]:
    """The figures of the calls that arrived in ``[start, end)`` (UTC) per local period and group key, sorted
    by period then key; periods and keys with nothing to count are left out. ``now`` closes what is still
    open: FCR windows, overdue work orders, the trunk and agent time measured so far."""
    return metrics_by(session, start, end, bys=(by,), group=group, tz=tz, now=now, queue=queue,
                      agent_id=agent_id, company=company, target_seconds=target_seconds)[by]


def metrics_by(session: Session, start: datetime, end: datetime, *, bys: Sequence[By], group: Group = "none",
               tz: str = DEFAULT_TIMEZONE, now: datetime, queue: str | None = None, agent_id: int | None = None,
               company: str | None = None,
               target_seconds: float = SERVICE_TARGET_SECONDS) -> dict[By, list[MetricsRow]]:
    """:func:`metrics` for several period kinds at once (the reports page's total, hours and days) from one
    reading of the database: the tallies are read per period of the finest kind asked and summed into the
    others, whose periods each hold whole periods of it (local hours nest in local days, days in weeks and
    months, everything in the total)."""
    for name, value in (("start", start), ("end", end), ("now", now)):
        require_aware(value, name)
    if group not in GROUPS:
        raise InvalidInput(f"group must be one of {', '.join(GROUPS)}, not {group!r}")
    if not 0 <= target_seconds <= MAX_TARGET_SECONDS:
        raise InvalidInput(f"target_seconds must be between 0 and {MAX_TARGET_SECONDS:g}, not {target_seconds}")
    if not bys:
        raise InvalidInput("ask for at least one period kind")
    windows = {by: Window(start=start, end=end, now=now, periods=bucketing(start, end, by, tz)) for by in bys}
    kind = finest_kind(bys)
    finest = windows.get(kind) or Window(start=start, end=end, now=now, periods=bucketing(start, end, kind, tz))
    filters = Filters(queue=queue, agent_id=agent_id, company=company)
    occupancy = group in ("none", "agent") and filters.queue is None and filters.company is None
    trunk = group == "none" and not filters.any
    fine = _tallies(session, finest, group=group, filters=filters, target_seconds=target_seconds,
                    occupancy=occupancy, trunk=trunk)
    result: dict[By, list[MetricsRow]] = {}
    for by, window in windows.items():
        if window is finest:
            result[by] = _rows(window, fine, occupancy=occupancy, trunk=trunk)
            continue
        coarse = [window.periods.index_at(bucket.start) for bucket in finest.periods.buckets]
        totals = sum_by_key(((coarse[index], key), tally) for (index, key), tally in fine.items())
        result[by] = _rows(window, totals, occupancy=occupancy, trunk=trunk)
    logger.debug("metrics %s..%s by=%s group=%s: %s rows", start, end, ",".join(bys), group,
                 {by: len(rows) for by, rows in result.items()})
    return result


def finest_kind(bys: Sequence[By]) -> By:
    """The period kind whose periods nest in those of every kind asked: hour, else day (weeks and months do
    not nest in each other, days nest in both), else the total."""
    if "hour" in bys:
        return "hour"
    calendar = set(bys) - {"total"}
    if len(calendar) == 1:
        return calendar.pop()
    return "day" if calendar else "total"


def _tallies(session: Session, window: Window, *, group: Group, filters: Filters, target_seconds: float,
             occupancy: bool, trunk: bool) -> dict[tuple[int, str | None], Tally]:
    """Every adapter's tallies summed per (local period index of ``window``, group key)."""
    tune_for_reports(session)
    parts = [*contact_tallies(session, window, group=group, filters=filters, target_seconds=target_seconds),
             *work_order_tallies(session, window, group=group, filters=filters),
             *closing_callback_tallies(session, window, group=group, filters=filters)]
    if occupancy:
        parts += agent_state_tallies(session, window, by_agent=group == "agent", agent_id=filters.agent_id)
    if trunk:
        parts += trunk_tallies(session, window)
    return sum_by_key(((index, key), tally) for index, key, tally in parts)


def _rows(window: Window, totals: dict[tuple[int, str | None], Tally], *, occupancy: bool,
          trunk: bool) -> list[MetricsRow]:
    observed = dict(observed_seconds(window))
    rows = []
    for (index, key), tally in sorted(totals.items(), key=lambda item: (item[0][0], _key_order(item[0][1]))):
        if tally.is_empty():
            continue
        period = window.periods.buckets[index]
        figures = derive(tally, occupancy=occupancy, trunk=trunk, span_seconds=observed.get(index, 0.0))
        rows.append(MetricsRow(period.label, period.start, period.end, key, figures))
    return rows


def _key_order(key: str | None) -> tuple[int, int, str]:
    """No key first, then numbers (agent ids) in numeric order, then names."""
    if key is None:
        return (0, 0, "")
    return (1, int(key), "") if key.isdigit() else (2, 0, key)
