"""Local report periods and the UTC buckets under them: any zone, daylight saving, half-hour offsets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.errors import InvalidInput
from reports.metric_periods import Bucketing, bucketing


def local_days(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    return (datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC),
            datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC))


def test_shanghai_hours_of_a_day() -> None:
    start, end = local_days(date(2026, 11, 25), date(2026, 11, 25), "Asia/Shanghai")
    periods = bucketing(start, end, "hour", "Asia/Shanghai")
    assert periods.utc_seconds == 3600
    assert len(periods.buckets) == 24
    assert periods.buckets[9].label == "2026-11-25T09:00"
    assert periods.buckets[9].start == datetime(2026, 11, 25, 1, tzinfo=UTC)
    assert periods.buckets[0].start == start and periods.buckets[-1].end == end


def test_berlin_daylight_saving_days_have_23_and_25_hours() -> None:
    start, end = local_days(date(2026, 3, 29), date(2026, 3, 29), "Europe/Berlin")
    spring = bucketing(start, end, "hour", "Europe/Berlin")
    assert len(spring.buckets) == 23
    assert "2026-03-29T02:00" not in [b.label for b in spring.buckets]
    start, end = local_days(date(2026, 10, 25), date(2026, 10, 25), "Europe/Berlin")
    autumn = bucketing(start, end, "hour", "Europe/Berlin")
    labels = [b.label for b in autumn.buckets]
    assert len(labels) == 25 and labels.count("2026-10-25T02:00") == 2
    assert autumn.utc_seconds == 3600
    days = bucketing(*local_days(date(2026, 10, 24), date(2026, 10, 26), "Europe/Berlin"), "day", "Europe/Berlin")
    assert [b.end - b.start for b in days.buckets] == [timedelta(hours=24), timedelta(hours=25),
                                                       timedelta(hours=24)]


def test_kolkata_half_hour_offset_uses_quarter_hour_buckets() -> None:
    start, end = local_days(date(2026, 11, 25), date(2026, 11, 25), "Asia/Kolkata")
    hours = bucketing(start, end, "hour", "Asia/Kolkata")
    assert hours.utc_seconds == 900
    assert len(hours.buckets) == 24
    assert hours.buckets[0].start == datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    # UTC bucket 19:15-19:30 lies in the local hour 00:00-01:00; 19:30 starts local 01:00
    assert hours.local_index(int(datetime(2026, 11, 24, 19, 15, tzinfo=UTC).timestamp()) // 900) == 0
    assert hours.local_index(int(datetime(2026, 11, 24, 19, 30, tzinfo=UTC).timestamp()) // 900) == 1
    assert bucketing(start, end, "day", "Asia/Kolkata").utc_seconds == 900  # local midnight is 18:30 UTC


def test_weeks_and_months_with_labels_cut_at_the_period() -> None:
    start, end = local_days(date(2026, 11, 25), date(2026, 12, 9), "Asia/Shanghai")
    weeks = bucketing(start, end, "week", "Asia/Shanghai")
    assert [b.label for b in weeks.buckets] == ["2026-W48", "2026-W49", "2026-W50"]
    assert weeks.buckets[0].start == start  # Wednesday: the first week is cut at the period
    assert weeks.buckets[1].start == datetime(2026, 11, 29, 16, tzinfo=UTC)  # Monday 30 Nov, local midnight
    months = bucketing(start, end, "month", "Asia/Shanghai")
    assert [b.label for b in months.buckets] == ["2026-11", "2026-12"]
    total = bucketing(start, end, "total", "Asia/Shanghai")
    assert total.utc_seconds is None and total.local_index(12345) == 0
    assert [b.label for b in total.buckets] == ["total"]


def test_bad_periods_are_refused() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="at most 100 days"):
        bucketing(start, start + timedelta(days=120), "hour", "UTC")
    with pytest.raises(InvalidInput):
        bucketing(start, start, "day", "UTC")
    with pytest.raises(InvalidInput):
        bucketing(start, start + timedelta(days=1), "fortnight", "UTC")  # type: ignore[arg-type]


def test_overlaps_cut_a_span_at_the_periods() -> None:
    start, end = local_days(date(2026, 11, 25), date(2026, 11, 26), "Asia/Shanghai")
    days = bucketing(start, end, "day", "Asia/Shanghai")
    midnight = days.buckets[1].start
    assert list(days.overlaps(midnight - timedelta(minutes=10), midnight + timedelta(minutes=5))) == [
        (0, 600.0), (1, 300.0)]
    assert list(days.overlaps(end, end + timedelta(hours=1))) == []


ZONES = ("Asia/Shanghai", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Asia/Kathmandu", "UTC")


@given(zone=st.sampled_from(ZONES), first=st.dates(date(2025, 1, 1), date(2027, 12, 1)),
       length=st.integers(0, 40), by=st.sampled_from(("hour", "day", "week", "month")))
def test_periods_tile_the_range_and_every_utc_bucket_falls_in_one(zone: str, first: date, length: int,
                                                                  by: str) -> None:
    start, end = local_days(first, first + timedelta(days=length), zone)
    periods: Bucketing = bucketing(start, end, by, zone)  # type: ignore[arg-type]
    assert periods.buckets[0].start == start and periods.buckets[-1].end == end
    for before, after in zip(periods.buckets, periods.buckets[1:], strict=False):
        assert before.end == after.start and before.start < before.end
    size = periods.utc_seconds
    assert size is not None
    for bucket in periods.buckets:  # each boundary is on a UTC bucket boundary
        assert bucket.start.timestamp() % size == 0
    first_bucket = int(start.timestamp()) // size
    last_bucket = int(end.timestamp()) // size
    for n in range(first_bucket, last_bucket, max(1, (last_bucket - first_bucket) // 50)):
        index = periods.local_index(n)
        moment = datetime.fromtimestamp(n * size, UTC)
        bucket = periods.buckets[index]
        assert bucket.start <= moment and moment + timedelta(seconds=size) <= bucket.end
