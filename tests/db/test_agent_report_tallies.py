"""The agent report reads stored figures where they exist (time in state per settled hour from
``agent_state_hour``, after-call work from ``contact.acw_seconds``) and the logs elsewhere: on the hand-built
day of tests/db/agent_report_rows.py it answers the same with them filled and empty, over whole days and over
periods cut inside hours."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from acd.models import AgentStateHour
from contacts.models import Contact, TrunkHour
from reports.agents import AgentRow, agent_report
from reports.report_tallies import refresh
from tests.db.agent_report_rows import END, NOW, START, build_day

PERIODS = ((START, END), (START - timedelta(hours=12), END + timedelta(hours=12)),
           (START + timedelta(minutes=17), END - timedelta(minutes=7)), (START + timedelta(hours=2), END))


def reports(factory: sessionmaker[Session]) -> list[list[AgentRow]]:
    with factory() as session:
        return [agent_report(session, start, end, now=NOW) for start, end in PERIODS]


def fill_acw(factory: sessionmaker[Session]) -> None:
    """Stores every call's after-call work as migration 0011's backfill does."""
    migration = importlib.import_module("kernel.migrations.versions.0011_report_tallies")
    with factory() as session, session.begin():
        dialect = session.get_bind().dialect.name
        session.execute(text(migration.BACKFILL.format(seconds=migration.SECONDS[dialect])))


def test_the_agent_report_is_the_same_with_and_without_the_stored_figures(
        session_factory: sessionmaker[Session]) -> None:
    build_day(session_factory)
    before = reports(session_factory)
    assert refresh(session_factory, NOW) > 0
    fill_acw(session_factory)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(AgentStateHour)) > 0
        assert session.scalar(select(func.count()).select_from(TrunkHour)) > 24  # the hours split() covers
        assert session.scalar(select(func.count()).where(Contact.acw_seconds.is_not(None))) > 0
    after = reports(session_factory)
    assert any(row.handled for rows in after for row in rows)
    for (start, _), old, new in zip(PERIODS, before, after, strict=True):
        assert [row.agent_id for row in old] == [row.agent_id for row in new], start
        for a, b in zip(old, new, strict=True):
            _same(a, b, start)


def _same(a: AgentRow, b: AgentRow, start: datetime) -> None:
    for name, mine in vars(a).items():
        theirs = getattr(b, name)
        if isinstance(mine, float | dict) and theirs is not None:
            assert mine == pytest.approx(theirs, rel=1e-9, abs=1e-3), (start, a.agent_id, name)
        else:
            assert mine == theirs, (start, a.agent_id, name)
