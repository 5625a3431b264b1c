"""The post-call survey score in SQL: on the contact (whether the caller's hang-up is recorded before or after
it), on the work orders opened from the call (before or after the caller rated it), in the work order's and the
call log's JSON, and the survey's events in the append-only event log."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from agent_console.auth import Principal
from agent_console.users import create_user
from contacts.models import Contact, ContactEvent
from contacts.recorder import ContactRecorder
from kernel.call_events import (
    AgentLegEnded,
    CallAnswered,
    CallArrived,
    CallEnded,
    CallQueued,
    OfferAnswered,
    SurveyAnswered,
    SurveyOffered,
)
from kernel.database import transaction
from kernel.events import Event
from reports.summary import call_log
from work_orders.models import WorkOrder
from work_orders.store import create_work_order, record_satisfaction
from work_orders.views import order_view

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def agent(session_factory: sessionmaker[Session]) -> Principal:
    with transaction(session_factory) as session:
        user = create_user(session, username="agent1", password="long-enough-1", role="agent", display_name="一号",
                           now=T0)
        return Principal(user_id=user.id, username=user.username, role=user.role)


@pytest.fixture
def recorder(session_factory: sessionmaker[Session]) -> ContactRecorder:
    return ContactRecorder(session_factory, copy_score=record_satisfaction)


def answered_call(linkedid: str, agent: Principal) -> list[Event]:
    return [
        CallArrived(at=at(0), linkedid=linkedid, channel=f"PJSIP/trunk-{linkedid}", caller_number="13800000001",
                    dialed_number="96106"),
        CallQueued(at=at(10), linkedid=linkedid, channel=f"PJSIP/trunk-{linkedid}", queue="general",
                   account_number="10001234", priority=0, ivr_path="main>agent>queue", caller_number="13800000001"),
        OfferAnswered(at=at(12), linkedid=linkedid, seat="seat1001"),
        CallAnswered(at=at(12), linkedid=linkedid, agent_id=agent.user_id, seat="seat1001", queue="general",
                     waited_seconds=2.0),
    ]


def agent_hangs_up(linkedid: str) -> list[Event]:
    return [AgentLegEnded(at=at(60), linkedid=linkedid, seat="seat1001"), SurveyOffered(at=at(60), linkedid=linkedid)]


def ended(linkedid: str) -> CallEnded:
    return CallEnded(at=at(75), linkedid=linkedid, channel=f"PJSIP/trunk-{linkedid}", cause="Normal Clearing")


def rated(linkedid: str, score: int) -> SurveyAnswered:
    return SurveyAnswered(at=at(70), linkedid=linkedid, score=score)


def record(recorder: ContactRecorder, events: list[Event]) -> None:
    for event in events:
        recorder.record(event)


def open_order(factory: sessionmaker[Session], agent: Principal, linkedid: str) -> int:
    with transaction(factory) as session:
        return create_work_order(session, agent, linkedid=linkedid, category="leak", priority="high",
                                 description="水表前阀门漏水", address="", account_number=None, now=at(30)).id


def contact(factory: sessionmaker[Session], linkedid: str) -> Contact:
    with factory() as session:
        return session.scalars(select(Contact).where(Contact.linkedid == linkedid)).one()


def order_score(factory: sessionmaker[Session], order_id: int) -> int | None:
    with factory() as session:
        order = session.get(WorkOrder, order_id)
        assert order is not None
        return order.satisfaction


@pytest.mark.parametrize("end_first", [False, True], ids=["answer-then-end", "end-then-answer"])
def test_the_score_reaches_the_contact_and_its_work_order_in_either_order(
        session_factory: sessionmaker[Session], recorder: ContactRecorder, agent: Principal, end_first: bool) -> None:
    record(recorder, answered_call("c1", agent))
    order_id = open_order(session_factory, agent, "c1")  # during the call, before the caller rates it
    record(recorder, agent_hangs_up("c1"))
    record(recorder, [ended("c1"), rated("c1", 4)] if end_first else [rated("c1", 4), ended("c1")])

    row = contact(session_factory, "c1")
    assert (row.satisfaction, row.satisfaction_at) == (4, at(70))
    assert (row.outcome, row.answered_at, row.ended_at) == ("answered", at(12), at(75))
    assert row.agent_id == agent.user_id
    assert order_score(session_factory, order_id) == 4


def test_an_order_opened_after_the_caller_rated_the_call_carries_the_score(
        session_factory: sessionmaker[Session], recorder: ContactRecorder, agent: Principal) -> None:
    record(recorder, [*answered_call("c1", agent), *agent_hangs_up("c1"), rated("c1", 2), ended("c1")])
    order_id = open_order(session_factory, agent, "c1")  # in wrap-up
    assert order_score(session_factory, order_id) == 2
    with transaction(session_factory) as session:
        view = order_view(session, order_id, agent, at(40))
    assert view["satisfaction"] == 2 and view["contact_id"] == contact(session_factory, "c1").id


def test_only_the_rated_calls_orders_get_the_score(
        session_factory: sessionmaker[Session], recorder: ContactRecorder, agent: Principal) -> None:
    record(recorder, [*answered_call("c1", agent), *answered_call("c2", agent)])
    first, second = open_order(session_factory, agent, "c1"), open_order(session_factory, agent, "c2")
    with transaction(session_factory) as session:
        loose = create_work_order(session, agent, linkedid=None, category="query", priority="normal",
                                  description="无来电的工单", address="", account_number=None, now=at(31)).id
    record(recorder, [*agent_hangs_up("c1"), rated("c1", 5), ended("c1"), *agent_hangs_up("c2"), ended("c2")])
    assert [order_score(session_factory, i) for i in (first, second, loose)] == [5, None, None]
    assert contact(session_factory, "c2").satisfaction is None


def test_offered_and_answered_are_in_the_event_log_and_the_call_log_shows_the_score(
        session_factory: sessionmaker[Session], recorder: ContactRecorder, agent: Principal) -> None:
    record(recorder, [*answered_call("c1", agent), *agent_hangs_up("c1"), rated("c1", 3), ended("c1")])
    record(recorder, [*answered_call("c2", agent), *agent_hangs_up("c2"), ended("c2")])  # asked, not answered
    with session_factory() as session:
        log = session.scalars(select(ContactEvent).where(ContactEvent.type.like("survey.%"))
                              .order_by(ContactEvent.id)).all()
        assert [(e.linkedid, e.type, e.data) for e in log] == [
            ("c1", "survey.offered", {}), ("c1", "survey.answered", {"score": 3}), ("c2", "survey.offered", {})]
        entries = {e.linkedid: e for e in call_log(session, at(-60), at(3600))}
    assert (entries["c1"].satisfaction, entries["c2"].satisfaction) == (3, None)


def test_without_a_copy_the_recorder_still_scores_the_contact(session_factory: sessionmaker[Session],
                                                                agent: Principal) -> None:
    plain = ContactRecorder(session_factory)
    record(plain, [*answered_call("c1", agent)])
    order_id = open_order(session_factory, agent, "c1")
    record(plain, [rated("c1", 1), ended("c1")])
    assert contact(session_factory, "c1").satisfaction == 1
    assert order_score(session_factory, order_id) is None


def test_an_order_opened_while_the_score_is_being_recorded_gets_it(
        session_factory: sessionmaker[Session], agent: Principal) -> None:
    """The score's transaction has written the contact and copied to the orders it saw, and has not committed:
    an order opened now waits for it (the contact's row lock) and reads the score."""
    copied, release = threading.Event(), threading.Event()

    def copy_then_wait(session: Session, contact_id: int, score: int) -> None:
        record_satisfaction(session, contact_id, score)
        copied.set()
        release.wait(10)

    slow = ContactRecorder(session_factory, copy_score=copy_then_wait)
    record(slow, [*answered_call("c1", agent), ended("c1")])
    scoring = threading.Thread(target=slow.record, args=(rated("c1", 4),))
    scoring.start()
    assert copied.wait(10)
    opened: list[int] = []
    opening = threading.Thread(target=lambda: opened.append(open_order(session_factory, agent, "c1")))
    opening.start()
    opening.join(0.5)  # it waits for the score's transaction (whether or not it got that far, the result holds)
    release.set()
    scoring.join(15)
    opening.join(15)
    assert order_score(session_factory, opened[0]) == 4


def test_a_score_recorded_while_an_order_is_being_opened_reaches_it(
        session_factory: sessionmaker[Session], recorder: ContactRecorder, agent: Principal) -> None:
    """The order's transaction has locked the contact and inserted the order, and has not committed: the score
    recorded now waits for it, then copies to it."""
    record(recorder, [*answered_call("c1", agent), ended("c1")])
    scoring = threading.Thread(target=recorder.record, args=(rated("c1", 2),))
    with transaction(session_factory) as session:
        order = create_work_order(session, agent, linkedid="c1", category="leak", priority="high",
                                  description="漏水", address="", account_number=None, now=at(30))
        scoring.start()
        scoring.join(0.5)  # it waits for this transaction (on SQLite for the write lock, on PostgreSQL the row)
        order_id = order.id
    scoring.join(15)
    assert order_score(session_factory, order_id) == 2
    assert contact(session_factory, "c1").satisfaction == 2
