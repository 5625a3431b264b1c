"""The read side of the step tallies pre-aggregated per settled UTC hour (``agent_state_hour``, ``trunk_hour``;
filled by :mod:`reports.report_tallies`): which part of a report's window they cover, and their sums.

They serve a report whose UTC buckets are whole hours (every zone with whole-hour offsets) or that has a
single period (by=total). Reports in 15-minute buckets (zones with half-hour offsets, such as Asia/Kolkata,
by hour/day/...) take the live path throughout: hour rows cannot be cut at quarter hours, and quarter-hour
tables would quadruple the rows for zones the hotline does not serve. The covered range is the run of filled
hours from the first whole hour of the window; the rest (the partial hours at either end, the hours not
settled or not filled yet) is computed live from the logs, so the answer does not depend on the tables.
One difference remains by construction: the state at the start of a range is the last change of the day
before it (:data:`reports.step_tallies.LOOKBACK`), and the ranges now start at hours (the refresher's batches,
the live remainder) rather than at the report's start, so a state left unchanged for more than a day may be
counted where the live report over the whole period would have dropped it, or the reverse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from acd.models import AgentStateHour
from contacts.models import ContactHour, TrunkHour
from reports.metric_sql import Filters, Group, Window, call_filters, call_key, plain_key
from reports.metrics import MAXIMA, KeyedTally, Tally
from reports.summary import SERVICE_TARGET_SECONDS

HOUR = timedelta(hours=1)
STORED_TARGET_SECONDS = SERVICE_TARGET_SECONDS  # the target of contact_hour.answered_within_target
CONTACT_FIELDS = ("calls", "offered", "answered", "abandoned", "short_abandoned", "answered_within_target",
                  "answer_wait_seconds", "longest_wait_seconds", "handled", "talk_seconds", "acw_seconds",
                  "self_served", "deflected", "callbacks_requested", "callbacks_completed", "fcr_eligible",
                  "fcr_resolved", "fcr_pending", "survey_offered", "survey_responses", "satisfied")


@dataclass(frozen=True)
class Split:
    """The stored hours ``[stored_start, stored_end)`` (empty when equal) and the live ranges around them."""

    stored_start: datetime
    stored_end: datetime
    live: tuple[tuple[datetime, datetime], ...]


def floor_hour(moment: datetime) -> datetime:
    return datetime.fromtimestamp(moment.timestamp() // 3600 * 3600, UTC)


def ceil_hour(moment: datetime) -> datetime:
    floor = floor_hour(moment)
    return floor if floor == moment else floor + HOUR


def split(session: Session, window: Window, hours: Any = TrunkHour.hour_start) -> Split:
    """Which hours of ``[start, cutoff)`` the table of the column ``hours`` gives (``trunk_hour``: the step
    tallies; ``contact_hour``) and which ranges are computed live."""
    start, cutoff = window.start, window.cutoff
    first, last = ceil_hour(start), floor_hour(cutoff)
    everything_live = Split(first, first, ((start, cutoff),) if cutoff > start else ())
    if window.periods.utc_seconds not in (None, 3600) or last <= first:
        return everything_live
    count, latest = session.execute(select(func.count(distinct(hours)), func.max(hours))
                                    .where(hours >= first, hours < last)).one()
    if not count or latest is None:
        return everything_live
    end = latest + HOUR
    if count != round((end - first) / HOUR):  # a gap: not the contiguous run the refresher fills
        return everything_live
    live = tuple((a, b) for a, b in ((start, first), (end, cutoff)) if b > a)
    return Split(first, end, live)


def sub_window(window: Window, start: datetime, end: datetime) -> Window:
    """The part ``[start, end)`` of the report's window, in the report's periods."""
    return Window(start=start, end=end, now=end, periods=window.periods)


def stored_agent_seconds(session: Session, window: Window, part: Split, *, by_agent: bool,
                         agent_id: int | None) -> dict[tuple[int, Any, Any], float]:
    """Seconds per (local period, agent or None, state) from ``agent_state_hour`` over the stored hours."""
    if part.stored_end <= part.stored_start:
        return {}
    row = AgentStateHour
    hourly = window.periods.utc_seconds is not None
    keys: list[Any] = ([row.hour_start] if hourly else []) + ([row.agent_id] if by_agent else []) + [row.state]
    query = (select(*keys, func.sum(row.seconds))
             .where(row.hour_start >= part.stored_start, row.hour_start < part.stored_end,
                    *([] if agent_id is None else [row.agent_id == agent_id]))
             .group_by(*keys))
    seconds: dict[tuple[int, Any, Any], float] = {}
    for values in session.execute(query):
        hour = values[0] if hourly else None
        agent = values[-3] if by_agent else None
        index = window.periods.index_at(hour) if hour is not None else 0
        slot = (index, agent, values[-2])
        seconds[slot] = seconds.get(slot, 0.0) + float(values[-1] or 0)
    return seconds


def stored_trunk(session: Session, window: Window, part: Split) -> list[tuple[int, Tally]]:
    """(local period, trunk tally) per stored hour (one row in all for by=total)."""
    if part.stored_end <= part.stored_start:
        return []
    row = TrunkHour
    hourly = window.periods.utc_seconds is not None
    keys: list[Any] = [row.hour_start] if hourly else []
    query = (select(*keys, func.sum(row.line_seconds), func.max(row.peak_lines), func.sum(row.refused))
             .where(row.hour_start >= part.stored_start, row.hour_start < part.stored_end)
             .group_by(*keys))
    result = []
    for values in session.execute(query):
        index = window.periods.index_at(values[0]) if hourly else 0
        line_seconds, peak, refused = values[-3:]
        result.append((index, Tally(trunk_line_seconds=float(line_seconds or 0),
                                    trunk_peak_lines=None if peak is None else int(peak),
                                    all_lines_busy=int(refused or 0))))
    return result


def stored_contacts(session: Session, window: Window, part: Split, *, group: Group,
                    filters: Filters) -> list[KeyedTally]:
    """(local period, group key, call tally) per stored hour and key (per key for by=total)."""
    if part.stored_end <= part.stored_start:
        return []
    row = ContactHour
    hourly = window.periods.utc_seconds is not None
    key = call_key(row, group)
    keys: list[Any] = ([row.hour_start] if hourly else []) + ([key] if key is not None else [])
    sums = [(func.max if name in MAXIMA else func.sum)(getattr(row, name)) for name in CONTACT_FIELDS]
    query = (select(*keys, *sums)
             .where(row.hour_start >= part.stored_start, row.hour_start < part.stored_end,
                    *call_filters(row, filters))
             .group_by(*keys))
    result: list[KeyedTally] = []
    for values in session.execute(query):
        index = window.periods.index_at(values[0]) if hourly else 0
        group_key = plain_key(values[len(keys) - 1]) if key is not None else None
        figures = values[len(keys):]
        numbers: dict[str, Any] = {name: _number(name, value)
                                   for name, value in zip(CONTACT_FIELDS, figures, strict=True)}
        result.append((index, group_key, Tally(**numbers)))
    return result


def _number(name: str, value: Any) -> float | int | None:
    if name in MAXIMA:
        return None if value is None else float(value)
    return float(value or 0) if name.endswith("_seconds") else int(value or 0)
