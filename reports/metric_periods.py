"""Local report periods (hour, day, ISO week, month, total) and the UTC buckets the database aggregates in.

Pure: no I/O. The database groups calls by UTC buckets of a fixed length (:attr:`Bucketing.utc_seconds`:
an hour, or 15 minutes when the zone's offsets in the period are not whole hours, as in Asia/Kolkata) with
additive aggregates only; :meth:`Bucketing.local_index` then maps each UTC bucket into the local period that
holds it. That is exact in any time zone, with daylight-saving changes too, because the length is chosen so
that every local period boundary falls on a UTC bucket boundary. A local hour repeated when clocks go back is
two periods with the same label and different ``start``; an hour skipped when they spring forward is none.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cached_property
from itertools import pairwise
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from kernel.errors import InvalidInput

By = Literal["total", "hour", "day", "week", "month"]
BYS: tuple[By, ...] = get_args(By)
# Local boundaries fall on multiples of these (seconds since the epoch); the largest that fits is used.
UTC_BUCKET_CANDIDATES = (3600, 900, 60, 1)
QUARTER_HOUR = timedelta(minutes=15)
# The most days a report may span per period kind (keeps the rows and the work bounded).
MAX_DAYS: dict[By, int] = {"hour": 100, "day": 3700, "week": 7400, "month": 7400, "total": 7400}


@dataclass(frozen=True)
class LocalBucket:
    label: str  # "2026-11-25T09:00", "2026-11-25", "2026-W48", "2026-11" or "total"
    start: datetime  # UTC
    end: datetime  # UTC


@dataclass(frozen=True)
class Bucketing:
    """Consecutive local periods covering ``[buckets[0].start, buckets[-1].end)``."""

    buckets: tuple[LocalBucket, ...]
    utc_seconds: int | None  # the UTC bucket length the database groups by; None: one bucket (by=total)

    def local_index(self, utc_index: int) -> int:
        """The local period holding UTC bucket ``utc_index`` (its start is ``utc_index × utc_seconds``)."""
        if self.utc_seconds is None:
            return 0
        moment = datetime.fromtimestamp(utc_index * self.utc_seconds, UTC)
        return self.index_at(moment)

    def index_at(self, moment: datetime) -> int:
        index = bisect_right(self._starts, moment) - 1
        if not 0 <= index < len(self.buckets) or moment >= self.buckets[index].end:
            raise ValueError(f"{moment.isoformat()} is outside the report's periods")
        return index

    def overlaps(self, start: datetime, end: datetime) -> Iterator[tuple[int, float]]:
        """(local period index, seconds of ``[start, end)`` in it) for every period it overlaps."""
        first = max(0, bisect_right(self._starts, start) - 1)
        for index in range(first, len(self.buckets)):
            bucket = self.buckets[index]
            if bucket.start >= end:
                break
            seconds = (min(end, bucket.end) - max(start, bucket.start)).total_seconds()
            if seconds > 0:
                yield index, seconds

    @cached_property
    def _starts(self) -> list[datetime]:
        return [bucket.start for bucket in self.buckets]


def bucketing(start: datetime, end: datetime, by: By, tz: str) -> Bucketing:
    """The local periods of kind ``by`` from ``start`` to ``end`` (UTC instants; the first and last periods
    are cut at them) in the zone ``tz``."""
    if by not in BYS:
        raise InvalidInput(f"by must be one of {', '.join(BYS)}, not {by!r}")
    if end <= start:
        raise InvalidInput("the period is empty")
    days = (end - start) / timedelta(days=1)
    if days > MAX_DAYS[by] + 1:
        raise InvalidInput(f"by={by} covers at most {MAX_DAYS[by]} days: choose a shorter period or a longer "
                           "grouping (day, week, month)")
    if by == "total":
        return Bucketing((LocalBucket("total", start, end),), None)
    zone = ZoneInfo(tz)
    starts = _boundaries(start, end, by, zone)
    edges = [*starts, end]
    buckets = tuple(LocalBucket(_label(a, by, zone), a, b) for a, b in pairwise(edges))
    epochs = [round(moment.timestamp()) for moment in edges]
    size = next(s for s in UTC_BUCKET_CANDIDATES if all(e % s == 0 for e in epochs))
    return Bucketing(buckets, size)


def _boundaries(start: datetime, end: datetime, by: By, zone: ZoneInfo) -> list[datetime]:
    """Where each local period starts: ``start`` itself, then every local hour/day/week/month start."""
    moments = [start]
    if by == "hour":  # modern offsets are whole quarter hours: step by 15 minutes from the start's quarter
        moment = datetime.fromtimestamp(start.timestamp() // 900 * 900, UTC) + QUARTER_HOUR
        while moment < end:
            local = moment.astimezone(zone)
            if local.minute == 0 and local.second == 0:
                moments.append(moment)
            moment += QUARTER_HOUR
        return moments
    day = start.astimezone(zone).date() + timedelta(days=1)
    while True:
        moment = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        if moment >= end:
            return moments
        if by == "day" or (by == "week" and day.weekday() == 0) or (by == "month" and day.day == 1):
            moments.append(moment)
        day += timedelta(days=1)


def _label(moment: datetime, by: By, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    if by == "hour":
        return local.strftime("%Y-%m-%dT%H:%M")
    if by == "day":
        return local.strftime("%Y-%m-%d")
    if by == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.strftime("%Y-%m")
