"""The metrics' call figures on hand-built contact sets whose answers are known: transfers, queue callbacks,
short abandons, outbound calls, after-call work, calls across midnight, daylight saving and half-hour zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from acd.models import AgentStateChange
from contacts.models import Contact, ContactEvent
from kernel.call_events import SurveyOffered
from reports.metrics_query import MetricsRow, metrics
from reports.summary import day_bounds, range_bounds, summarize

DAY = date(2026, 11, 23)  # Shanghai: 2026-11-22 16:00 UTC .. 2026-11-23 16:00 UTC
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
LATER = T0 + timedelta(days=30)


def s(seconds: float, base: datetime = T0) -> datetime:
    return base + timedelta(seconds=seconds)


def call(linkedid: str, arrived: datetime, *, queued: float | None = None, answered: float | None = None,
         talk_ended: float | None = None, ended: float | None = None, **fields: Any) -> Contact:
    """A contact arriving at ``arrived``; the other times are seconds after arrival."""

    def later(offset: float | None) -> datetime | None:
        return None if offset is None else arrived + timedelta(seconds=offset)

    if "outcome" not in fields and queued is not None and answered is None and ended is not None:
        fields["outcome"] = "abandoned"
    fields.setdefault("ivr_path", "main")
    return Contact(linkedid=linkedid, arrived_at=arrived, queued_at=later(queued), answered_at=later(answered),
                   talk_ended_at=later(talk_ended), ended_at=later(ended), caller_number="13800138000",
                   **fields)


def state(agent_id: int, at: datetime, to: str, linkedid: str | None = None) -> AgentStateChange:
    return AgentStateChange(agent_id=agent_id, from_state="", to_state=to, reason="", linkedid=linkedid, at=at)


def add(factory: sessionmaker[Session], *rows: object) -> None:
    with factory() as session, session.begin():
        session.add_all(rows)


def rows_for(factory: sessionmaker[Session], first: date = DAY, last: date | None = None, *,
             tz: str = "Asia/Shanghai", now: datetime = LATER, **options: Any) -> list[MetricsRow]:
    start, end = range_bounds(first, last or first, tz)
    with factory() as session:
        return metrics(session, start, end, tz=tz, now=now, **options)


def total(factory: sessionmaker[Session], **options: Any) -> Any:
    [row] = rows_for(factory, **options)
    return row.figures


@pytest.fixture
def busy_day(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    add(session_factory,
        # transferred: agent 7 talks 60 s (answered +20, leg ended +80), agent 8 talks on until +300
        call("t1", T0, queued=10, answered=20, talk_ended=80, ended=300, agent_id=7, queue="general",
             outcome="answered", transfer_count=1, transferred_to_agent_id=8, direction="inbound"),
        call("a2", s(600), queued=5, answered=10, ended=100, agent_id=8, queue="billing", outcome="answered"),
        # queue callbacks: neither abandoned; one connected later
        call("cb", s(1200), queued=5, ended=60, queue="general", outcome="callback_requested",
             callback_status="connected"),
        call("cb2", s(1300), queued=5, ended=60, queue="general", outcome="callback_requested",
             callback_status="customer_noanswer"),
        call("short", s(1400), queued=5, ended=7, queue="general", short_abandon=True),
        call("ab", s(1500), queued=5, ended=55, queue="billing"),
        call("ivr", s(1600), ended=90, outcome="self_service"),
        call("defl", s(1700), ended=30, outcome="deflected"),
        # an agent's click-to-call: not an inbound call, in no figure
        call("out", s(1800), answered=10, ended=200, agent_id=7, direction="outbound", outcome="answered"),
        # agent 7: ready, on t1, wrap-up 30 s, ready, not ready; agent 8's wrap-up on t1 (after the transfer)
        # is not agent 7's after-call work and does not lengthen t1's handle time
        state(7, T0, "ready"), state(7, s(20), "on_call", "t1"), state(7, s(80), "wrap_up", "t1"),
        state(7, s(110), "ready"), state(7, s(200), "not_ready"),
        state(7, s(1810), "dialing", "out"), state(7, s(1820), "on_call", "out"),
        state(7, s(2000), "wrap_up", "out"), state(7, s(2100), "not_ready"),
        state(8, s(300), "wrap_up", "t1"), state(8, s(320), "ready"), state(8, s(610), "on_call", "a2"),
        state(8, s(700), "wrap_up", "a2"), state(8, s(720), "not_ready"))
    return session_factory


def test_a_busy_day_in_total(busy_day: sessionmaker[Session]) -> None:
    f = total(busy_day)
    assert (f.calls, f.offered, f.answered, f.abandoned, f.short_abandoned) == (8, 6, 2, 1, 1)
    assert f.answer_rate == pytest.approx(2 / 5) and f.abandon_rate == pytest.approx(1 / 5)
    assert (f.answered_within_target, f.service_level) == (2, pytest.approx(2 / 3))
    assert (f.asa_seconds, f.longest_wait_seconds) == (7.5, 55.0)
    # talk: 60 s (t1, first agent's leg only) and 90 s; wrap-up: 30 s and 20 s
    assert (f.handled, f.talk_seconds, f.hold_seconds, f.acw_seconds, f.aht_seconds) == (2, 75.0, 0.0, 25.0, 100.0)
    assert (f.self_served, f.self_service_rate, f.deflected) == (1, 1 / 8, 1)
    assert (f.callbacks_requested, f.callbacks_completed) == (2, 1)
    # handle: 7: 60 + 30 + (dialing 10 + talk 180 + wrap 100); 8: 20 + 90 + 20. available: 7: 20 + 90; 8: 290
    assert f.occupancy == pytest.approx((380 + 130) / (380 + 130 + 110 + 290))
    assert (f.trunk_peak_lines, f.trunk_carried_erlangs, f.all_lines_busy) == (0, 0.0, 0)


def test_by_agent_and_queue(busy_day: sessionmaker[Session]) -> None:
    by_agent = {row.key: row.figures for row in rows_for(busy_day, group="agent")}
    assert list(by_agent) == [None, "7", "8"]
    seven = by_agent["7"]
    assert (seven.calls, seven.answered, seven.talk_seconds, seven.acw_seconds) == (1, 1, 60.0, 30.0)
    assert seven.occupancy == pytest.approx(380 / (380 + 110))
    assert by_agent["8"].occupancy == pytest.approx(130 / (130 + 290))
    assert by_agent[None].occupancy is None and by_agent["7"].trunk_peak_lines is None
    by_queue = {row.key: row.figures for row in rows_for(busy_day, group="queue")}
    assert (by_queue["general"].offered, by_queue["billing"].abandoned, by_queue[None].self_served) == (4, 1, 1)
    assert by_queue["general"].occupancy is None
    only_8 = total(busy_day, agent_id=8)
    assert (only_8.calls, only_8.handled, only_8.acw_seconds) == (1, 1, 20.0)
    assert only_8.occupancy == pytest.approx(130 / (130 + 290)) and only_8.trunk_peak_lines is None


def test_summary_agrees_with_the_metrics(busy_day: sessionmaker[Session]) -> None:
    add(busy_day, ContactEvent(linkedid="a2", type=SurveyOffered.wire_type, at=s(700), data={}))
    with busy_day() as session, session.begin():
        contact = session.query(Contact).filter_by(linkedid="a2").one()
        contact.satisfaction = 5
    figures = total(busy_day)
    with busy_day() as session:
        summary = summarize(session, *day_bounds(DAY))
    for name, value in vars(summary).items():
        assert getattr(figures, name) == value, name
    assert (figures.survey_offered, figures.csat) == (1, 1.0)


def test_calls_across_local_midnight_count_on_their_arrival_day(session_factory: sessionmaker[Session]) -> None:
    start, end = day_bounds(DAY)
    add(session_factory,
        call("late", end - timedelta(seconds=30), queued=10, answered=40, ended=600, agent_id=3, outcome="answered"),
        call("first", start, ended=5, outcome="self_service"),
        call("next", end, queued=1, answered=2, ended=9, outcome="answered"))
    rows = rows_for(session_factory, DAY, DAY + timedelta(days=1), by="day")
    assert [(r.period, r.figures.calls, r.figures.answered) for r in rows] == [
        ("2026-11-23", 2, 1), ("2026-11-24", 1, 1)]
    assert rows[0].figures.talk_seconds == 560.0
    hours = rows_for(session_factory, by="hour")
    assert [(r.period, r.figures.calls) for r in hours] == [("2026-11-23T00:00", 1), ("2026-11-23T23:00", 1)]


def test_a_berlin_autumn_night_has_two_two_oclocks(session_factory: sessionmaker[Session]) -> None:
    add(session_factory,
        call("cest", datetime(2026, 10, 25, 0, 30, tzinfo=UTC), ended=5, outcome="self_service"),  # 02:30 CEST
        call("cet", datetime(2026, 10, 25, 1, 30, tzinfo=UTC), ended=5, outcome="self_service"),  # 02:30 CET
        call("cet2", datetime(2026, 10, 25, 1, 40, tzinfo=UTC), ended=5, outcome="self_service"),
        call("eve", datetime(2026, 10, 25, 22, 59, tzinfo=UTC), ended=5))  # 23:59 CET
    day = date(2026, 10, 25)
    hours = rows_for(session_factory, day, tz="Europe/Berlin", by="hour")
    assert [(r.period, r.period_start.hour, r.figures.calls) for r in hours] == [
        ("2026-10-25T02:00", 0, 1), ("2026-10-25T02:00", 1, 2), ("2026-10-25T23:00", 22, 1)]
    [whole] = rows_for(session_factory, day, tz="Europe/Berlin", by="day")
    assert (whole.figures.calls, whole.period_end - whole.period_start) == (4, timedelta(hours=25))


def test_kolkata_hours_split_a_utc_hour(session_factory: sessionmaker[Session]) -> None:
    add(session_factory,
        call("a", datetime(2026, 11, 23, 0, 10, tzinfo=UTC), ended=5),  # 05:40 IST
        call("b", datetime(2026, 11, 23, 0, 40, tzinfo=UTC), ended=5),  # 06:10 IST
        call("c", datetime(2026, 11, 23, 0, 50, tzinfo=UTC), ended=5))
    hours = rows_for(session_factory, tz="Asia/Kolkata", by="hour")
    assert [(r.period, r.figures.calls) for r in hours] == [("2026-11-23T05:00", 1), ("2026-11-23T06:00", 2)]
    [week] = rows_for(session_factory, tz="Asia/Kolkata", by="week")
    assert (week.period, week.figures.calls) == ("2026-W48", 3)


def test_fcr_repeat_on_day_6_versus_day_8_and_pending(session_factory: sessionmaker[Session]) -> None:
    day = timedelta(days=1)
    add(session_factory,
        call("A0", T0, queued=1, answered=5, ended=60, agent_id=1, account_number="A", outcome="answered"),
        call("A6", T0 + 6 * day, ended=30, account_number="A", outcome="self_service"),  # any inbound repeats
        call("B0", T0, queued=1, answered=5, ended=60, agent_id=1, account_number="B", outcome="answered"),
        call("B2", T0 + 2 * day, answered=5, ended=60, account_number="B", direction="outbound"),  # not a repeat
        call("B8", T0 + 8 * day, queued=1, answered=5, ended=60, account_number="B", outcome="answered"),
        call("none", T0, queued=1, answered=5, ended=60, agent_id=1, outcome="answered"),  # no account: not judged
        call("lost", T0, queued=1, ended=60, account_number="C"))  # not answered: not judged
    settled = total(session_factory, now=T0 + 9 * day)
    assert (settled.fcr_eligible, settled.fcr_resolved, settled.fcr_pending, settled.fcr_rate) == (2, 1, 0, 0.5)
    early = total(session_factory, now=T0 + 3 * day)
    assert (early.fcr_eligible, early.fcr_resolved, early.fcr_pending, early.fcr_rate) == (1, 0, 1, 0.0)
