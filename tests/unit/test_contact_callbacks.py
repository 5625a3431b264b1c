"""The contact record of a queue callback, an overflow and a ring-all answer."""

from __future__ import annotations

from kernel.call_events import (
    CallAnswered,
    CallbackDialEnded,
    CallbackRequested,
    CallEnded,
    CallOverflowed,
    IvrLeft,
    IvrStepped,
)
from tests.unit.test_contact_abandons import fold
from tests.unit.test_contact_record import arrival, at, offered, queued


def test_a_callback_is_requested_not_abandoned_and_its_progress_is_kept() -> None:
    record = fold([arrival(), queued(), CallOverflowed(at=at(40), linkedid="1", from_queue="general",
                                                       to_queue="billing", waited_seconds=20.0),
                   CallbackRequested(at=at(50), linkedid="1", number="13900001111", queue="general", position=3),
                   CallEnded(at=at(55), linkedid="1", channel="PJSIP/trunk-1", cause="Normal Clearing")])
    assert (record["outcome"], record["callback_number"], record["callback_status"]) == (
        "callback_requested", "13900001111", "requested")
    assert record["overflowed_to"] == "billing"
    assert not record.get("abandon_stage") and not record.get("short_abandon")
    record = fold([arrival(), queued(), CallbackRequested(at=at(50), linkedid="1", number="139", queue="general",
                                                          position=1),
                   CallEnded(at=at(55), linkedid="1", channel="PJSIP/trunk-1", cause=""), offered(7),
                   CallAnswered(at=at(300), linkedid="1", agent_id=8, seat="seat1008", queue="general",
                                waited_seconds=280.0, callback=True)])
    assert (record["agent_id"], record["callback_status"]) == (8, "agent_answered")
    record = fold([arrival(), queued(), CallbackDialEnded(at=at(320), linkedid="1", status="NOANSWER")])
    assert record["callback_status"] == "customer_noanswer"


def test_the_answering_agent_of_a_ring_all_offer_is_the_calls_agent() -> None:
    record = fold([arrival(), queued(), offered(7),
                   CallAnswered(at=at(25), linkedid="1", agent_id=42, seat="seat1042", queue="general",
                                waited_seconds=5.0)])
    assert (record["agent_id"], record["seat"]) == (42, "seat1042")


def test_a_caller_the_night_service_took_is_closed_and_never_queued() -> None:
    record = fold([arrival(), IvrStepped(at=at(10), linkedid="1", step="closed"),
                   IvrLeft(at=at(20), linkedid="1", path="main>agent>queue>closed", account_number=None,
                           next="hangup", outcome="closed"),
                   CallEnded(at=at(21), linkedid="1", channel="PJSIP/trunk-1", cause="Normal Clearing")])
    assert (record["outcome"], record["ivr_path"], record.get("queued_at")) == (
        "closed", "main>agent>queue>closed", None)
    assert not record.get("abandon_stage")


def test_a_night_callback_owes_the_call_of_its_queue() -> None:
    record = fold([arrival(), IvrStepped(at=at(10), linkedid="1", step="closed"),
                   IvrStepped(at=at(15), linkedid="1", step="callback"),
                   CallbackRequested(at=at(16), linkedid="1", number="138", queue="billing", position=1),
                   IvrLeft(at=at(17), linkedid="1", path="main>agent>queue>closed>callback", account_number=None,
                           next="callback", outcome=None),
                   CallEnded(at=at(25), linkedid="1", channel="PJSIP/trunk-1", cause="Normal Clearing")])
    assert (record["outcome"], record["callback_number"], record["callback_status"], record["queue"]) == (
        "callback_requested", "138", "requested", "billing")
    assert record.get("queued_at") is None  # queued when the callback is offered (CallOffered)
