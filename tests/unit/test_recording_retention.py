"""What the retention period deletes, without any I/O: recordings started more than retention_days ago, and
day directories whose whole day is past the cutoff; retention_days 0 keeps everything."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from recordings.retention import Candidate, cutoff, expired, expired_days

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def candidate(n: int, days_ago: float) -> Candidate:
    return Candidate(id=n, path=f"/rec/{n}.wav", started_at=NOW - timedelta(days=days_ago))


def test_recordings_older_than_the_retention_period_are_expired() -> None:
    rows = [candidate(1, 181), candidate(2, 180.01), candidate(3, 179.99), candidate(4, 0)]
    assert [c.id for c in expired(rows, NOW, 180)] == [1, 2]


def test_exactly_at_the_cutoff_is_kept() -> None:
    assert expired([candidate(1, 180)], NOW, 180) == []


def test_retention_zero_keeps_for_ever() -> None:
    assert cutoff(NOW, 0) is None
    assert expired([candidate(1, 10_000)], NOW, 0) == []
    assert expired_days([date(2000, 1, 1)], NOW, 0) == []


@given(st.lists(st.floats(0, 1000, allow_nan=False), max_size=50), st.integers(1, 400))
def test_expired_is_exactly_the_older_ones(ages: list[float], days: int) -> None:
    rows = [candidate(n, age) for n, age in enumerate(ages)]
    chosen = {c.id for c in expired(rows, NOW, days)}
    assert chosen == {c.id for c in rows if NOW - c.started_at > timedelta(days=days)}


def test_a_day_directory_goes_once_its_whole_day_is_past_the_cutoff() -> None:
    # cutoff: 2026-05-31 03:00 UTC (180 days before NOW)
    days = [date(2026, 5, 29), date(2026, 5, 30), date(2026, 5, 31), date(2026, 6, 1), date(2026, 11, 27)]
    assert expired_days(days, NOW, 180) == [date(2026, 5, 29), date(2026, 5, 30)]
