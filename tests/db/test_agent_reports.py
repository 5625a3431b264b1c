"""The agent report, the agent timeline and the abandon curve on a hand-built day with known answers
(tests/db/agent_report_rows.py tells the day's story)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from acd.models import AgentStateChange
from contacts.models import Contact
from kernel.database import transaction
from kernel.errors import InvalidInput, NotFound
from reports.abandon_curve import Bucket, abandon_curve
from reports.agent_timeline import timeline
from reports.agents import DEFINITIONS, AgentRow, agent_report
from reports.summary import day_bounds
from tests.db.agent_report_rows import DAY, END, IDS, NOW, START, build_day, contact, states, t


@pytest.fixture
def day(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    build_day(session_factory)
    return session_factory


def report(factory: sessionmaker[Session], start: datetime = START, end: datetime = END,
           now: datetime = NOW) -> dict[int, AgentRow]:
    with factory() as session:
        return {row.agent_id: row for row in agent_report(session, start, end, now=now)}


def test_the_period_is_the_local_day() -> None:
    assert day_bounds(DAY) == (START, END)


def test_agent_a_across_midnight_with_a_transfer_and_an_extended_wrap_up(day: sessionmaker[Session]) -> None:
    a = report(day)[IDS["A"]]
    assert dict(a.seconds_by_state) == {"ready": 6630.0, "not_ready": 0.0, "offered": 15.0, "on_call": 405.0,
                                        "wrap_up": 150.0, "dialing": 0.0, "supervising": 0.0}
    assert a.logged_in_seconds == 7200.0  # in ready at midnight (since 22:05 local), logged out at 02:00
    assert a.occupancy == pytest.approx(555 / 7200)
    assert (a.handled, a.transfers_taken, a.outbound_calls) == (2, 0, 0)
    assert (a.talk_seconds, a.acw_seconds, a.aht_seconds) == (202.5, 75.0, 277.5)  # (290 + 115) / 2, 150 / 2
    assert (a.survey_responses, a.csat) == (1, 1.0)  # the transferred call's rating goes to B
    assert (a.orders_owned, a.orders_opened, a.orders_closed, a.orders_overdue) == (2, 2, 0, 1)
    assert a.callback_satisfaction_rate == 0.5
    assert a.name == "坐席A"


def test_agent_b_took_the_transfer_and_placed_an_outbound_call(day: sessionmaker[Session]) -> None:
    b = report(day)[IDS["B"]]
    assert dict(b.seconds_by_state) == {"ready": 10160.0, "not_ready": 0.0, "offered": 10.0, "on_call": 530.0,
                                        "wrap_up": 90.0, "dialing": 10.0, "supervising": 0.0}
    assert b.logged_in_seconds == 10800.0
    assert b.occupancy == pytest.approx(630 / 10800)
    assert (b.handled, b.transfers_taken, b.outbound_calls) == (1, 1, 1)
    # only the transferred call's talk from B's answer (A's 115 s is not counted twice); not the outbound call
    assert (b.talk_seconds, b.acw_seconds, b.aht_seconds) == (480.0, 60.0, 540.0)
    assert (b.survey_responses, b.csat) == (1, 0.0)
    assert (b.orders_owned, b.orders_opened, b.orders_closed, b.orders_overdue) == (0, 0, 1, 0)
    assert b.callback_satisfaction_rate is None  # never reached the customer


def test_an_idle_agent_is_listed_and_a_supervisor_only_when_logged_in(day: sessionmaker[Session]) -> None:
    rows = report(day)
    assert list(rows) == [IDS["A"], IDS["B"], IDS["C"], IDS["S"]]  # not the inactive agent, not the manager
    c = rows[IDS["C"]]
    assert (c.logged_in_seconds, c.occupancy, c.handled, c.talk_seconds, c.aht_seconds, c.csat) == (
        0.0, None, 0, None, None, None)
    s = rows[IDS["S"]]
    assert (s.seconds_by_state["not_ready"], s.seconds_by_state["supervising"], s.logged_in_seconds) == (
        1200.0, 600.0, 1800.0)
    assert s.occupancy is None  # neither busy nor available


def test_the_evening_before_holds_the_rest_of_the_shift(day: sessionmaker[Session]) -> None:
    before = report(day, START - timedelta(days=1), START)
    assert before[IDS["A"]].logged_in_seconds == 7200.0  # 22:00 .. midnight local
    assert before[IDS["A"]].seconds_by_state["not_ready"] == 300.0
    assert before[IDS["A"]].handled == 0


def test_today_stops_at_now_with_a_call_and_a_wrap_up_in_progress(day: sessionmaker[Session]) -> None:
    with transaction(day) as session:
        session.add_all([*states("C", ("16:59", "ready"), ("17:00", "offered", "L9"), ("17:00:05", "on_call", "L9")),
                         contact("L9", "16:59:50", queued_at="16:59:55", answered_at="17:00:05", agent_id=IDS["C"])])
    c = report(day, now=t("17:02"))[IDS["C"]]
    assert (c.logged_in_seconds, c.seconds_by_state["on_call"]) == (180.0, 115.0)
    assert (c.handled, c.talk_seconds, c.acw_seconds) == (1, 115.0, 0.0)  # talking for 115 s so far
    with transaction(day) as session:
        session.add_all(states("C", ("17:03", "wrap_up", "L9")))
        session.execute(update(Contact).where(Contact.linkedid == "L9").values(talk_ended_at=t("17:03")))
    c = report(day, now=t("17:04"))[IDS["C"]]
    assert (c.talk_seconds, c.acw_seconds, c.aht_seconds, c.seconds_by_state["wrap_up"]) == (175.0, 60.0, 235.0, 60.0)


def test_a_state_set_long_before_the_period_still_holds(day: sessionmaker[Session]) -> None:
    with transaction(day) as session:  # C went not ready 30 days ago and ready 20 days ago (beyond LOOKBACK)
        session.add_all([AgentStateChange(agent_id=IDS["C"], from_state=before, to_state=after, reason="",
                                          at=START - timedelta(days=days))
                         for before, after, days in (("logged_out", "not_ready", 30), ("not_ready", "ready", 20))])
    c = report(day)[IDS["C"]]
    assert (c.logged_in_seconds, c.seconds_by_state["ready"]) == (86400.0, 86400.0)


def test_every_figure_is_defined_with_its_zh_term() -> None:
    fields = set(AgentRow.__dataclass_fields__) - {"agent_id", "name"}
    assert fields == set(DEFINITIONS)
    assert all("(" in text and ")" in text for text in DEFINITIONS.values())


def test_the_timeline_of_the_day(day: sessionmaker[Session]) -> None:
    with day() as session:
        agents = timeline(session, START, END, now=NOW)
        assert [a.agent_id for a in agents] == [IDS["A"], IDS["B"], IDS["S"]]  # C was never logged in
        a = agents[0]
        assert [(s.state, s.start, s.end) for s in a.segments[:3]] == [
            ("ready", START, t("16:10")), ("offered", t("16:10"), t("16:10:10")),
            ("on_call", t("16:10:10"), t("16:15"))]
        assert (a.segments[-1].state, a.segments[-1].start, a.segments[-1].end) == ("logged_out", t("18:00"), END)
        assert [x.agent_id for x in timeline(session, START, END, agent_id=IDS["C"], now=NOW)] == [IDS["C"]]
        assert timeline(session, START, END, agent_id=IDS["C"], now=NOW)[0].segments == ()
        with pytest.raises(NotFound):
            timeline(session, START, END, agent_id=999, now=NOW)


def test_the_abandon_curve_by_ten_seconds(day: sessionmaker[Session]) -> None:
    with day() as session:
        buckets = abandon_curve(session, START, END)
    assert len(buckets) == 61 and (buckets[-1].wait_from, buckets[-1].wait_to) == (600, None)
    exits = {b.wait_from: b for b in buckets if b.abandoned or b.short_abandoned or b.answered or b.callbacks}
    assert exits == {
        0: Bucket(0, 10, answered=1, short_abandoned=1, waiting_at_start=7),  # L2 after 5 s, a 3 s abandon
        20: Bucket(20, 30, answered=1, waiting_at_start=5),  # exactly 20 s: in [20, 30)
        30: Bucket(30, 40, answered=1, waiting_at_start=4),
        40: Bucket(40, 50, callbacks=1, waiting_at_start=3),  # a queue callback is not an abandon
        50: Bucket(50, 60, abandoned=1, waiting_at_start=2),
        600: Bucket(600, None, abandoned=1, waiting_at_start=1),
    }
    assert buckets[1].waiting_at_start == 5 and buckets[59].waiting_at_start == 1


def test_the_abandon_curve_of_one_queue_in_wide_buckets(day: sessionmaker[Session]) -> None:
    with day() as session:
        repair = abandon_curve(session, START, END, queue="repair", bucket_seconds=600)
        general = abandon_curve(session, START, END, queue="general", bucket_seconds=7)
    assert repair == [Bucket(0, 600, answered=1, waiting_at_start=1), Bucket(600, None)]
    assert len(general) == 87 and general[0].waiting_at_start == 6 and general[-1].wait_from == 602


@pytest.mark.parametrize("bucket_seconds", [0, -5, 601])
def test_bad_buckets_are_refused(day: sessionmaker[Session], bucket_seconds: int) -> None:
    with day() as session, pytest.raises(InvalidInput):
        abandon_curve(session, START, END, bucket_seconds=bucket_seconds)


def test_a_period_that_ends_before_it_starts_is_refused(day: sessionmaker[Session]) -> None:
    with day() as session:
        for call in (lambda: agent_report(session, END, START, now=NOW), lambda: timeline(session, END, START),
                     lambda: abandon_curve(session, END, START)):
            with pytest.raises(InvalidInput):
                call()
