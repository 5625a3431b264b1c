"""Contacts of an outbound call and of a transferred call, written by the recorder from their events, and what
the reports make of them: an outbound call is no incoming call; a transferred call is answered once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contacts.models import Contact, ContactEvent
from contacts.outbound import outbound_calls
from contacts.recorder import ContactRecorder
from kernel.agent_call_events import CallTransferred, OutboundAnswered, OutboundEnded, OutboundStarted
from kernel.call_events import (
    AgentLegEnded,
    CallAnswered,
    CallArrived,
    CallEnded,
    CallOffered,
    CallQueued,
    OfferAnswered,
)
from kernel.events import Event
from reports.ivr import ivr_report
from reports.summary import call_log, day_bounds, summarize

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
DAY = date(2026, 11, 23)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def record(factory: sessionmaker[Session], events: list[Event]) -> None:
    recorder = ContactRecorder(factory)
    for event in events:
        recorder.record(event)


def test_an_outbound_call_and_a_transferred_call_in_the_reports(session_factory: sessionmaker[Session]) -> None:
    record(session_factory, [
        OutboundStarted(at=at(0), linkedid="qqo-1", agent_id=7, seat="seat1001", number="13900000001",
                        work_order_id=42, callback_id=5, account_number="10001234"),
        OutboundAnswered(at=at(8), linkedid="qqo-1"),
        OutboundEnded(at=at(68), linkedid="qqo-1", seat="seat1001", cause="Normal Clearing"),
        CallArrived(at=at(100), linkedid="in-1", channel="PJSIP/trunk-1", caller_number="138",
                    dialed_number="96106"),
        CallQueued(at=at(110), linkedid="in-1", channel="PJSIP/trunk-1", queue="general", account_number=None,
                   priority=0, ivr_path="main>agent>queue", caller_number="138"),
        CallOffered(at=at(111), linkedid="in-1", agent_id=7, seat="seat1001", channel="PJSIP/trunk-1",
                    queue="general", account_number=None, caller_number="138", ivr_path=""),
        OfferAnswered(at=at(112), linkedid="in-1", seat="seat1001"),
        CallAnswered(at=at(112), linkedid="in-1", agent_id=7, seat="seat1001", queue="general", waited_seconds=2),
        CallTransferred(at=at(142), linkedid="in-1", agent_id=7, seat="seat1001", to_agent_id=None,
                        to_queue="billing", queue="billing", channel="PJSIP/trunk-1"),
        AgentLegEnded(at=at(142.2), linkedid="in-1", seat="seat1001"),
        CallOffered(at=at(150), linkedid="in-1", agent_id=8, seat="seat1002", channel="PJSIP/trunk-1",
                    queue="billing", account_number=None, caller_number="138", ivr_path=""),
        CallAnswered(at=at(153), linkedid="in-1", agent_id=8, seat="seat1002", queue="billing", waited_seconds=11),
        AgentLegEnded(at=at(200), linkedid="in-1", seat="seat1002"),
        CallEnded(at=at(200), linkedid="in-1", channel="PJSIP/trunk-1", cause=""),
    ])
    with session_factory() as session:
        outbound = session.scalars(select(Contact).where(Contact.linkedid == "qqo-1")).one()
        assert (outbound.direction, outbound.work_order_id, outbound.dialed_number, outbound.agent_id,
                outbound.outcome) == ("outbound", 42, "13900000001", 7, "answered")
        started = session.scalars(select(ContactEvent).where(ContactEvent.type == "outbound.started")).one()
        assert (started.data["callback_id"], started.data["work_order_id"]) == (5, 42)
        moved = session.scalars(select(Contact).where(Contact.linkedid == "in-1")).one()
        assert (moved.agent_id, moved.transferred_to_agent_id, moved.transfer_count, moved.outcome) == (
            7, 8, 1, "answered")

        start, end = day_bounds(DAY)
        figures = summarize(session, start, end)
        assert (figures.calls, figures.offered, figures.answered, figures.abandoned) == (1, 1, 1, 0)
        assert figures.asa_seconds == 2.0  # the first answer
        assert ivr_report(session, start, end).calls == 1
        log = {entry.linkedid: entry for entry in call_log(session, start, end)}
        assert (log["qqo-1"].direction, log["qqo-1"].dialed_number, log["qqo-1"].talk_seconds) == (
            "outbound", "13900000001", 60.0)
        assert (log["in-1"].talk_seconds, log["in-1"].transfer_count, log["in-1"].transferred_to_agent_id) == (
            30.2, 1, 8)  # the first agent's talk, not stretched over the second's
        assert summarize(session, start, end, agent_id=8).answered == 0  # the first answer's agent owns it


def test_the_calls_placed_for_a_callback_or_about_a_work_order(session_factory: sessionmaker[Session]) -> None:
    def placed(linkedid: str, seconds: float, callback_id: int | None, work_order_id: int | None) -> list[Event]:
        return [OutboundStarted(at=at(seconds), linkedid=linkedid, agent_id=7, seat="seat1001",
                                number="13900000001", work_order_id=work_order_id, callback_id=callback_id),
                OutboundEnded(at=at(seconds + 20), linkedid=linkedid, seat="seat1001", cause="")]

    record(session_factory, [*placed("qqo-1", 0, 5, 42), OutboundAnswered(at=at(100), linkedid="qqo-2"),
                             *placed("qqo-2", 90, 5, None), *placed("qqo-3", 200, 6, 42)])
    with session_factory() as session:
        assert [c.linkedid for c in outbound_calls(session, callback_id=5)] == ["qqo-1", "qqo-2"]
        assert [c.linkedid for c in outbound_calls(session, work_order_id=42)] == ["qqo-1", "qqo-3"]
        assert outbound_calls(session, callback_id=99) == []
        second = outbound_calls(session, callback_id=5)[1]
        assert (second.number, second.outcome, second.answered_at, second.agent_id, second.placed_at) == (
            "13900000001", "answered", at(100), 7, at(90))
