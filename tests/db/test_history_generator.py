"""The history generator: deterministic, shaped like a hotline's year, and readable by the reports."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import islice, pairwise

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from contacts.models import Contact
from reports.history import generate, write_history
from reports.summary import summarize

LAST = date(2026, 11, 24)


def test_the_same_seed_gives_the_same_calls() -> None:
    first = list(islice(generate(LAST, 1, 20_000, seed=1), 300))
    again = list(islice(generate(LAST, 1, 20_000, seed=1), 300))
    other = list(islice(generate(LAST, 1, 20_000, seed=2), 300))
    assert first == again and first != other


def test_a_year_has_its_volume_shape_and_consistent_rows() -> None:
    rows = list(generate(LAST, 1, 36_500, seed=7))
    assert 36_500 <= len(rows) <= 36_500 * 1.15  # the cold snap adds calls
    assert all(a["arrived_at"] <= b["arrived_at"] for a, b in pairwise(rows))
    by_hour = Counter(r["arrived_at"].astimezone(UTC).hour for r in rows)  # Shanghai 10:00 is 02:00 UTC
    assert by_hour[2] > 10 * by_hour[19]  # mid-morning against 3 a.m.
    outcomes = Counter(r["outcome"] for r in rows)
    assert outcomes["answered"] > outcomes["abandoned"] > 0 and outcomes["self_service"] > 0
    for row in rows:
        if row["answered_at"]:
            assert row["queued_at"] <= row["answered_at"] <= row["talk_ended_at"] <= row["ended_at"]
        assert row["arrived_at"] <= row["ended_at"]
    per_day = Counter(r["arrived_at"].date() for r in rows)
    assert max(per_day.values()) > 3 * (len(rows) / 365)  # a cold snap


def test_written_history_is_read_by_the_reports(session_factory: sessionmaker[Session]) -> None:
    written = write_history(session_factory, generate(LAST, 1, 3_650, seed=3))
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == written
        start = datetime(2026, 1, 1, tzinfo=UTC)
        figures = summarize(session, start, start + timedelta(days=365))
    assert figures.calls > 0 and figures.answered > 0 and figures.self_served > 0
    assert 0 < figures.answer_rate < 1
