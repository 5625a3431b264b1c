"""Time-weighted figures from the append-only logs: the trunk's figures agree with reports.trunk_occupancy
hour by hour, agent time is cut at local midnight, and a state begun before the period counts from its start."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from acd.models import AgentStateChange
from contacts.models import Contact, TrunkOccupancy
from reports.metrics_query import metrics
from reports.summary import range_bounds
from reports.trunk_occupancy import trunk_occupancy

DAY = date(2026, 11, 23)
START, END = range_bounds(DAY, DAY)  # 2026-11-22 16:00 UTC .. 2026-11-23 16:00 UTC
NOW = END + timedelta(days=1)


def add(factory: sessionmaker[Session], *rows: object) -> None:
    with factory() as session, session.begin():
        session.add_all(rows)


def test_trunk_figures_agree_with_the_trunk_occupancy_report(session_factory: sessionmaker[Session]) -> None:
    rng = random.Random(7)
    lines, moment, samples = 2, START - timedelta(minutes=30), []
    while moment < END + timedelta(minutes=30):
        change = rng.choice((1, -1, -1, 1, 0)) if lines else 1
        lines += change if change != 0 else 0
        samples.append(TrunkOccupancy(at=moment, lines_in_use=lines, change=change, linkedid=None))
        moment += timedelta(seconds=rng.randint(1, 2400))
    add(session_factory, *samples)
    add(session_factory, Contact(linkedid="x", arrived_at=START + timedelta(hours=3), ivr_path=""))
    with session_factory() as session:
        expected = trunk_occupancy(session, START, END, now=NOW)
        rows = metrics(session, START, END, by="hour", now=NOW)
        [whole] = metrics(session, START, END, by="total", now=NOW)
    got = {row.period_start: row.figures for row in rows}
    for interval in expected:
        figures = got.get(interval.start)
        if figures is None:  # an hour with nothing at all
            assert (interval.peak_lines, interval.carried_erlangs, interval.refused) == (0, 0.0, 0)
            continue
        assert figures.trunk_peak_lines == interval.peak_lines
        assert figures.trunk_carried_erlangs == pytest.approx(interval.carried_erlangs, abs=1e-4)
        assert figures.all_lines_busy == interval.refused
    assert whole.figures.trunk_peak_lines == max(i.peak_lines for i in expected)
    assert whole.figures.all_lines_busy == sum(i.refused for i in expected)
    mean = sum(i.carried_erlangs for i in expected) / len(expected)
    assert whole.figures.trunk_carried_erlangs == pytest.approx(mean, abs=1e-3)


def test_the_trunk_is_measured_up_to_now(session_factory: sessionmaker[Session]) -> None:
    add(session_factory, TrunkOccupancy(at=START + timedelta(hours=1), lines_in_use=3, change=1, linkedid="a"))
    with session_factory() as session:
        [row] = metrics(session, START, END, now=START + timedelta(hours=2))
    # 3 lines for the second hour of the two observed
    assert (row.figures.trunk_peak_lines, row.figures.trunk_carried_erlangs) == (3, 1.5)


def test_agent_time_is_cut_at_local_midnight_and_counted_from_the_period_start(
        session_factory: sessionmaker[Session]) -> None:
    midnight = END  # local midnight between the 23rd and the 24th
    add(session_factory,
        # ready since 10 minutes before the period: only the period's part counts
        AgentStateChange(agent_id=5, from_state="not_ready", to_state="ready", reason="", linkedid=None,
                         at=START - timedelta(minutes=10)),
        AgentStateChange(agent_id=5, from_state="ready", to_state="on_call", reason="", linkedid="c",
                         at=START + timedelta(minutes=20)),
        AgentStateChange(agent_id=5, from_state="on_call", to_state="not_ready", reason="", linkedid=None,
                         at=START + timedelta(minutes=50)),
        # on a call from 23:50 to 00:20 local: 10 minutes on each day
        AgentStateChange(agent_id=5, from_state="not_ready", to_state="on_call", reason="", linkedid="d",
                         at=midnight - timedelta(minutes=10)),
        AgentStateChange(agent_id=5, from_state="on_call", to_state="ready", reason="", linkedid="d",
                         at=midnight + timedelta(minutes=20)),
        AgentStateChange(agent_id=5, from_state="ready", to_state="logged_out", reason="", linkedid=None,
                         at=midnight + timedelta(minutes=30)))
    with session_factory() as session:
        rows = metrics(session, START, END + timedelta(days=1), by="day", group="agent", now=NOW)
    assert [(row.period, row.key) for row in rows] == [("2026-11-23", "5"), ("2026-11-24", "5")]
    # the 23rd: ready 20 min, on a call 30 + 10 min; the 24th: on a call 20 min, ready 10 min
    assert rows[0].figures.occupancy == pytest.approx(40 / 60)
    assert rows[1].figures.occupancy == pytest.approx(20 / 30)


def test_an_agent_still_ready_counts_up_to_now(session_factory: sessionmaker[Session]) -> None:
    add(session_factory,
        AgentStateChange(agent_id=5, from_state="ready", to_state="on_call", reason="", linkedid="c",
                         at=START + timedelta(hours=1)),
        AgentStateChange(agent_id=5, from_state="on_call", to_state="ready", reason="", linkedid=None,
                         at=START + timedelta(hours=2)))
    with session_factory() as session:
        [row] = metrics(session, START, END, group="agent", now=START + timedelta(hours=5))
    assert row.figures.occupancy == pytest.approx(1 / 4)
    assert datetime(2026, 1, 1, tzinfo=UTC) < row.period_end
