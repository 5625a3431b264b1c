"""A queue's opening hours: weekly ranges, public holidays and make-up working days (调休). Pure: no I/O, no
clock; the moment is passed in as an aware datetime and read in the hotline's time zone.

A range runs from its start (inclusive) to its end (exclusive) in local wall time, to the minute. A range
whose end is at or before its start runs past midnight into the next day ("22:00-02:00"); that part belongs
to the day the range starts on. Which ranges a date has:

* a holiday has none, and is closed all day: even the part of the day before's range that runs past
  midnight into it;
* a make-up working day (a Saturday or Sunday worked, 调休) has the ranges of ``workday_hours``' weekday
  (Monday's by default);
* any other date has its weekday's ranges.

With no schedule configured every weekday is ``00:00-24:00``: open around the clock (Ningbo's line)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

__all__ = ["ALWAYS_OPEN", "DAY_NAMES", "FULL_DAY", "SEARCH_DAYS", "OpeningHours", "TimeRange", "Week",
           "is_open", "next_opening", "week_from"]

DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
SEARCH_DAYS = 14  # next_opening looks no further ahead than this by default
_RANGE = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")
_WEEK_MINUTES = 7 * MINUTES_PER_DAY


@dataclass(frozen=True, order=True)
class TimeRange:
    """``start`` and ``end`` in minutes after local midnight; an ``end`` at or before ``start`` runs past
    midnight (``end`` 0 is midnight itself, like 24:00)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < MINUTES_PER_DAY:
            raise ValueError(f"a range starts at 00:00-23:59, not {_clock(self.start)}")
        if not 0 <= self.end <= MINUTES_PER_DAY:
            raise ValueError(f"a range ends at 00:00-24:00, not {_clock(self.end)}")
        if self.start == self.end:
            raise ValueError(f"range {self} is empty (write 00:00-24:00 for a whole day)")

    @classmethod
    def parse(cls, text: str) -> TimeRange:
        """``"08:00-18:00"``, ``"22:00-02:00"`` (past midnight) or ``"00:00-24:00"``; ValueError otherwise."""
        match = _RANGE.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"bad range {text!r}: write HH:MM-HH:MM, e.g. 08:00-18:00")
        start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
        if start_h > 23 or end_h > 24 or start_m > 59 or end_m > 59 or (end_h == 24 and end_m):
            raise ValueError(f"bad range {text!r}: hours are 00-23 and minutes 00-59 (24:00 only as an end)")
        return cls(start_h * 60 + start_m, end_h * 60 + end_m)

    @property
    def past_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def minutes(self) -> int:
        return self.end - self.start if not self.past_midnight else MINUTES_PER_DAY - self.start + self.end

    def covers_same_day(self, minute: int) -> bool:
        return self.start <= minute < (MINUTES_PER_DAY if self.past_midnight else self.end)

    def covers_next_day(self, minute: int) -> bool:
        return self.past_midnight and minute < self.end

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"


Week = tuple[tuple[TimeRange, ...], ...]  # seven days, Monday first
FULL_DAY = TimeRange(0, MINUTES_PER_DAY)
_FULL_WEEK: Week = ((FULL_DAY,),) * 7


@dataclass(frozen=True)
class OpeningHours:
    """When a queue takes calls. ``workday_hours`` is the weekday (0 = Monday) whose ranges a make-up
    working day follows. The default is open around the clock."""

    week: Week = _FULL_WEEK
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    workday_hours: int = 0

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError(f"a week has 7 days of ranges, not {len(self.week)}")
        if not 0 <= self.workday_hours <= 6:
            raise ValueError(f"workday_hours is a weekday 0-6 (0 = Monday), not {self.workday_hours}")
        both = sorted(self.holidays & self.workdays)
        if both:
            raise ValueError(f"{', '.join(map(str, both))}: both a holiday and a make-up working day")
        _check_no_overlap(self.week)

    @property
    def always_open(self) -> bool:
        return self.week == _FULL_WEEK and not self.holidays

    @property
    def never_open(self) -> bool:
        return not any(self.week)

    def ranges_on(self, day: date) -> tuple[TimeRange, ...]:
        """The ranges that start on ``day`` (none on a holiday)."""
        if day in self.holidays:
            return ()
        return self.week[self.workday_hours if day in self.workdays else day.weekday()]



def week_from(schedule: Mapping[str, Sequence[str]]) -> Week:
    """The week a configuration describes: keys are days (``"mon"``) or spans of days (``"mon-fri"``), values
    lists of ranges. An empty mapping is open around the clock; a day not named is closed. ValueError, with
    what is wrong, for a bad day name, a bad range, a day named twice or ranges that overlap."""
    if not schedule:
        return _FULL_WEEK
    days: list[list[TimeRange]] = [[] for _ in DAY_NAMES]
    named: set[int] = set()
    for key, texts in schedule.items():
        for index in _days_of(key):
            if index in named:
                raise ValueError(f"{DAY_NAMES[index]} is given twice (check {key!r})")
            named.add(index)
            days[index] = [TimeRange.parse(text) for text in texts]
    week = tuple(tuple(sorted(ranges)) for ranges in days)
    if not any(week):
        raise ValueError("no day has a range: the queue would never open (leave the hours out for 24 h)")
    _check_no_overlap(week)
    return week


def is_open(hours: OpeningHours, at: datetime, tz: tzinfo) -> bool:
    """Whether the queue takes calls at the instant ``at`` (read in ``tz``)."""
    _require_aware(at)
    if hours.always_open:
        return True
    if hours.never_open:
        return False
    local = at.astimezone(tz)
    day = local.date()
    if day in hours.holidays:
        return False
    minute = local.hour * 60 + local.minute
    if any(r.covers_same_day(minute) for r in hours.ranges_on(day)):
        return True
    return any(r.covers_next_day(minute) for r in hours.ranges_on(day - timedelta(days=1)))


def next_opening(hours: OpeningHours, at: datetime, tz: tzinfo, *,
                 within: timedelta = timedelta(days=SEARCH_DAYS)) -> datetime | None:
    """The first instant at or after ``at`` when the queue is open (``at`` itself when open now), in UTC (a
    repeated wall time in ``tz`` never compares equal across zones); None when it does not open within
    ``within``. Exact across daylight-saving changes: a range that starts
    in a skipped hour opens when the clock jumps into it, one in a repeated hour at its first occurrence."""
    if is_open(hours, at, tz):
        return at.astimezone(UTC)
    if hours.never_open:
        return None
    start, limit = at.astimezone(UTC), (at + within).astimezone(UTC)
    for moment in sorted(m for m in _candidates(hours, start, limit, tz) if start <= m <= limit):
        if is_open(hours, moment, tz):
            return moment
    return None


def _candidates(hours: OpeningHours, start: datetime, limit: datetime, tz: tzinfo) -> Iterator[datetime]:
    """Every instant (in UTC) at which the queue may go from closed to open between ``start`` and ``limit``:
    the starts of ranges (both readings of a repeated wall time) and the time zone's offset changes."""
    day, last = start.astimezone(tz).date(), limit.astimezone(tz).date()
    while day <= last:
        for r in hours.ranges_on(day):
            wall = datetime.combine(day, time(r.start // 60, r.start % 60), tzinfo=tz)
            yield wall.astimezone(UTC)
            yield wall.replace(fold=1).astimezone(UTC)
        day += timedelta(days=1)
    yield from _offset_changes(tz, start, limit)


def _offset_changes(tz: tzinfo, start: datetime, limit: datetime) -> Iterator[datetime]:
    """Instants (whole seconds) at which ``tz``'s UTC offset changes between ``start`` and ``limit``."""
    step = timedelta(hours=1)  # no zone changes its offset twice within an hour
    before = start
    while before < limit:
        after = min(before + step, limit)
        old = before.astimezone(tz).utcoffset()
        if old != after.astimezone(tz).utcoffset():
            low, high = math.floor(before.timestamp()), math.ceil(after.timestamp())  # old offset, new offset
            while high - low > 1:
                middle = (low + high) // 2
                if datetime.fromtimestamp(middle, tz).utcoffset() == old:
                    low = middle
                else:
                    high = middle
            yield datetime.fromtimestamp(high, UTC)
        before = after


def _days_of(key: str) -> list[int]:
    first, dash, last = key.strip().lower().partition("-")
    for name in (first, last) if dash else (first,):
        if name not in DAY_NAMES:
            raise ValueError(f"unknown day {name!r} in {key!r}: use {', '.join(DAY_NAMES)} or a span like mon-fri")
    if not dash:
        return [DAY_NAMES.index(first)]
    begin, end = DAY_NAMES.index(first), DAY_NAMES.index(last)
    return [(begin + n) % 7 for n in range((end - begin) % 7 + 1)]


def _check_no_overlap(week: Week) -> None:
    """ValueError naming two ranges of the week (a range past midnight reaches into the next day) that
    share a minute."""
    spans = [(index * MINUTES_PER_DAY + r.start, r, DAY_NAMES[index])
             for index, ranges in enumerate(week) for r in ranges]
    for n, (begin_a, a, day_a) in enumerate(spans):
        for begin_b, b, day_b in spans[n + 1:]:
            for shift in (-_WEEK_MINUTES, 0, _WEEK_MINUTES):
                if begin_a < begin_b + shift + b.minutes and begin_b + shift < begin_a + a.minutes:
                    raise ValueError(f"{day_a} {a} overlaps {day_b} {b}")


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at!r} has no time zone: opening hours need an aware datetime")


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


ALWAYS_OPEN = OpeningHours()  # built last: it checks itself with the functions above
