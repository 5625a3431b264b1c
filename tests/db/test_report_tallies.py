"""The step tallies pre-aggregated per settled hour: the report answers the same with and without them, the
refresher is idempotent, a late row within the settling margin is counted; and the after-call work the agent
state log keeps on the contact (in order, late, retried)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from acd.models import AgentStateChange, AgentStateHour
from acd.state_log import AgentStateLog
from contacts.models import Contact, TrunkHour, TrunkOccupancy
from kernel.call_events import AgentStateChanged
from reports.metrics_query import MetricsRow, metrics
from reports.report_tallies import SETTLING, refresh

T0 = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
NOW = T0 + timedelta(days=3, hours=5, minutes=30)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def change(agent: int, minutes: float, to: str, linkedid: str | None = None) -> AgentStateChange:
    return AgentStateChange(agent_id=agent, from_state="", to_state=to, reason="", linkedid=linkedid, at=at(minutes))


def trunk(minutes: float, lines: int, step: int) -> TrunkOccupancy:
    return TrunkOccupancy(at=at(minutes), lines_in_use=lines, change=step, linkedid=None)


@pytest.fixture
def logs(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    rows: list[object] = []
    states = ("ready", "on_call", "wrap_up", "ready", "not_ready", "dialing", "offered")
    for agent in (3, 4):
        minute = 7 * agent
        for n in range(260):  # about three days, changes crossing hours and local midnights
            rows.append(change(agent, minute, states[n % len(states)], f"c{agent}-{n}"))
            minute += 5 + (n * 7 + agent) % 37
    lines = 0
    for n in range(300):
        step = 1 if lines < 3 or n % 2 else -1
        lines += step
        rows.append(trunk(3 + n * 15, lines, step))
        if n % 40 == 0:
            rows.append(trunk(3 + n * 15, lines, 0))  # all lines busy
    with session_factory() as session, session.begin():
        session.add_all(rows)
    return session_factory


def report(factory: sessionmaker[Session], **options: Any) -> list[MetricsRow]:
    with factory() as session:
        return metrics(session, T0 - timedelta(hours=8), T0 + timedelta(days=4), now=NOW, **options)


CASES = ({"by": "day"}, {"by": "hour"}, {"by": "total"}, {"by": "total", "group": "agent"},
         {"by": "day", "agent_id": 4}, {"by": "day", "tz": "UTC"}, {"by": "hour", "tz": "Asia/Kolkata"})


def test_the_report_is_the_same_with_and_without_the_hour_tables(logs: sessionmaker[Session]) -> None:
    before = [report(logs, **case) for case in CASES]
    assert refresh(logs, NOW) > 0
    with logs() as session:
        assert session.scalar(select(func.count()).select_from(AgentStateHour)) > 0
    after = [report(logs, **case) for case in CASES]
    for case, old, new in zip(CASES, before, after, strict=True):
        assert len(old) == len(new), case
        for a, b in zip(old, new, strict=True):
            assert (a.period, a.key) == (b.period, b.key), case
            _close(a, b)


def _close(a: MetricsRow, b: MetricsRow) -> None:
    for name, mine in vars(a.figures).items():
        theirs = getattr(b.figures, name)
        if isinstance(mine, float) and isinstance(theirs, float):
            assert mine == pytest.approx(theirs, rel=1e-9, abs=1e-6), (a.period, name)
        else:
            assert mine == theirs, (a.period, name)


def test_the_refresher_is_idempotent_and_leaves_the_unsettled_hours(logs: sessionmaker[Session]) -> None:
    first = refresh(logs, NOW)
    with logs() as session:
        hours = list(session.scalars(select(TrunkHour.hour_start).order_by(TrunkHour.hour_start)))
        agent_rows = session.execute(select(AgentStateHour.hour_start, AgentStateHour.agent_id,
                                            AgentStateHour.state, AgentStateHour.seconds)
                                     .order_by(AgentStateHour.hour_start, AgentStateHour.agent_id,
                                               AgentStateHour.state)).all()
    assert first == len(hours)
    assert hours[-1] + timedelta(hours=1) <= NOW - SETTLING
    assert refresh(logs, NOW) == 0
    refresh(logs, NOW, rebuild=True)
    with logs() as session:
        again = session.execute(select(AgentStateHour.hour_start, AgentStateHour.agent_id,
                                       AgentStateHour.state, AgentStateHour.seconds)
                                .order_by(AgentStateHour.hour_start, AgentStateHour.agent_id,
                                          AgentStateHour.state)).all()
    assert [tuple(row) for row in again] == [tuple(row) for row in agent_rows]


def test_a_late_row_within_the_margin_is_counted(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session, session.begin():
        session.add_all([change(9, 0, "ready"), change(9, 60 * 24, "not_ready")])
    now = at(60 * 30)
    refresh(session_factory, now)

    def available() -> float:
        with session_factory() as session:
            [row] = metrics(session, T0, T0 + timedelta(days=2), now=now)
        return row.figures.occupancy if row.figures.occupancy is not None else -1.0

    assert available() == 0.0  # ready a day, nothing handled
    late = now - SETTLING + timedelta(minutes=30)  # in an hour the refresher left for later
    with session_factory() as session, session.begin():
        session.add_all([AgentStateChange(agent_id=9, from_state="", to_state="on_call", reason="", linkedid=None,
                                          at=late),
                         AgentStateChange(agent_id=9, from_state="", to_state="not_ready", reason="",
                                          linkedid=None, at=late + timedelta(minutes=10))])
    refresh(session_factory, now)
    assert available() == pytest.approx(600 / (600 + 86400))


async def test_the_state_log_keeps_the_after_call_work_on_the_contact(
        session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session, session.begin():
        session.add_all([Contact(linkedid="w1", arrived_at=at(0), answered_at=at(1), agent_id=7, ivr_path=""),
                         Contact(linkedid="w2", arrived_at=at(0), answered_at=at(1), agent_id=8, ivr_path="")])
    state_log = AgentStateLog(session_factory)

    def event(minutes: float, to: str, linkedid: str | None = None, agent: int = 7) -> AgentStateChanged:
        return AgentStateChanged(at=at(minutes), linkedid=linkedid, agent_id=agent, from_state="", to_state=to,
                                 reason="")

    def acw(linkedid: str) -> float | None:
        with session_factory() as session:
            return session.scalar(select(Contact.acw_seconds).where(Contact.linkedid == linkedid))

    await state_log.on_event(event(5, "wrap_up", "w1"))
    assert acw("w1") is None  # in progress: none yet (the report counts 0)
    await state_log.on_event(event(5.5, "ready"))
    assert acw("w1") == 30.0
    await state_log.on_event(event(5.5, "ready"))  # a retry of a write that did commit
    assert acw("w1") == 30.0
    await state_log.on_event(event(6, "wrap_up", "w1"))
    await state_log.on_event(event(7, "ready"))
    assert acw("w1") == 90.0
    # late: a change of 06:30 arrives after 07:00's, cutting the second segment to 30 s
    await state_log.on_event(event(6.5, "not_ready"))
    assert acw("w1") == 60.0
    # another agent's wrap-up on the call is not the answering agent's: not counted on w1
    await state_log.on_event(event(8, "wrap_up", "w1", agent=8))
    await state_log.on_event(event(9, "ready", agent=8))
    assert (acw("w1"), acw("w2")) == (60.0, None)
    # a late wrap-up inside a closed stretch runs to the following change
    await state_log.on_event(event(8.5, "wrap_up", "w2", agent=8))
    assert acw("w2") == 30.0
