"""The reports page reads its figures at several period kinds at once (metrics_by): one reading of the
database per finest period, summed into the coarser ones. Each kind must come out exactly as when asked alone,
in a whole-hour zone, across a daylight-saving change, and in a half-hour zone, on generated history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from contacts.models import ContactHour
from reports.history import generate
from reports.history_store import write_history
from reports.metric_periods import By
from reports.metrics_query import MetricsRow, finest_kind, metrics, metrics_by
from reports.report_tallies import contacts_settled_until, refresh

LAST = date(2026, 11, 10)
START = datetime(2026, 10, 20, tzinfo=UTC)  # Berlin's clocks go back on 25 October 2026
END = datetime(2026, 11, 10, 12, 30, tzinfo=UTC)  # cut mid-hour: the last periods are partial
NOW = END + timedelta(days=3)  # some FCR windows still open, some work orders overdue
KINDS: tuple[By, ...] = ("hour", "day", "week", "month", "total")


def plain(row: MetricsRow) -> tuple[object, ...]:
    """A row with its float figures as approx (sums of seconds added in another order differ in the last
    bits)."""
    figures = {name: pytest.approx(value, rel=1e-6) if isinstance(value, float) else value
               for name, value in vars(row.figures).items()}
    return (row.period, row.period_start, row.period_end, row.key, figures)


def test_the_finest_kind_nests_in_every_kind_asked() -> None:
    assert finest_kind(("total", "day", "hour")) == "hour"
    assert finest_kind(("total", "month")) == "month"
    assert finest_kind(("week", "month")) == "day"
    assert finest_kind(("total",)) == "total"


def test_several_kinds_at_once_equal_each_kind_alone(session_factory: sessionmaker[Session]) -> None:
    write_history(session_factory, generate(LAST, 1, 4_000, seed=11))
    with session_factory() as session:
        for tz, group in (("Asia/Shanghai", "none"), ("Asia/Shanghai", "agent"), ("Europe/Berlin", "none"),
                          ("Asia/Kolkata", "queue")):
            together = metrics_by(session, START, END, bys=KINDS, group=group, tz=tz, now=NOW)
            for by in KINDS:
                alone = metrics(session, START, END, by=by, group=group, tz=tz, now=NOW)
                assert [plain(row) for row in together[by]] == [plain(row) for row in alone], (by, group)
            assert together["total"] and together["hour"], "the history has calls in the period"


def test_stored_call_tallies_give_the_same_figures(session_factory: sessionmaker[Session]) -> None:
    """contact_hour, filled for the hours whose FCR windows have closed, changes no figure: per kind, group,
    filter and zone (Kolkata's quarter hours and a non-default target are computed live)."""
    write_history(session_factory, generate(LAST, 1, 4_000, seed=12))
    asks: list[dict[str, Any]] = [
        {"bys": KINDS, "group": "none"}, {"bys": ("total", "day"), "group": "agent"},
        {"bys": ("total",), "group": "queue"}, {"bys": ("day",), "group": "company"},
        {"bys": ("total",), "group": "none", "queue": "general"}, {"bys": ("total",), "agent_id": 3},
        {"bys": ("hour", "total"), "tz": "Asia/Kolkata"}, {"bys": ("total",), "target_seconds": 30.0}]

    def everything() -> list[list[object]]:
        with session_factory() as session:
            found = [metrics_by(session, START, END, now=NOW, **ask) for ask in asks]
        return [[plain(row) for rows in result.values() for row in rows] for result in found]

    before = everything()
    hours = refresh(session_factory, NOW)
    assert hours and refresh(session_factory, NOW) == 0  # idempotent: nothing left to fill
    with session_factory() as session:
        stored = session.execute(select(func.min(ContactHour.hour_start), func.max(ContactHour.hour_start),
                                        func.sum(ContactHour.calls))).one()
    assert stored[1] == contacts_settled_until(NOW) - timedelta(hours=1)
    assert stored[1] > START and stored[2] > 0
    assert everything() == before
