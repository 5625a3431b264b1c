"""The contact record folded from a call's events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from contacts.record import changes_for, final_outcome
from kernel.call_events import CallArrived, CallEnded, CallOffered, CallQueued, IvrLeft, OfferAnswered
from kernel.events import Event

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def fold(events: list[Event]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for event in events:
        row.update(changes_for(row, event))
    return row


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def arrival() -> CallArrived:
    return CallArrived(at=at(0), linkedid="1", channel="PJSIP/trunk-1", caller_number="138", dialed_number="96106")


def queued() -> CallQueued:
    return CallQueued(at=at(20), linkedid="1", channel="PJSIP/trunk-1", queue="general", account_number="10001234",
                      priority=0, ivr_path="main>agent>queue", caller_number="138")


def offered(agent_id: int) -> CallOffered:
    return CallOffered(at=at(21), linkedid="1", agent_id=agent_id, seat=f"seat{agent_id}", channel="PJSIP/trunk-1",
                       queue="general", account_number="10001234", caller_number="138", ivr_path="")


def test_answered_call_has_every_timestamp_and_the_answering_agent() -> None:
    row = fold([arrival(), IvrLeft(at=at(19), linkedid="1", path="main>agent>queue", account_number=None,
                                   next="queue", outcome=None), queued(), offered(7), offered(8),
                OfferAnswered(at=at(25), linkedid="1", seat="seat8"),
                CallEnded(at=at(90), linkedid="1", channel="PJSIP/trunk-1", cause="Normal Clearing")])
    assert row["outcome"] == "answered"
    assert (row["arrived_at"], row["ivr_left_at"], row["queued_at"], row["offered_at"], row["answered_at"],
            row["ended_at"]) == (at(0), at(19), at(20), at(21), at(25), at(90))
    assert row["agent_id"] == 8 and row["offer_count"] == 2
    assert row["account_number"] == "10001234"


def test_hang_up_in_queue_is_abandoned() -> None:
    row = fold([arrival(), queued(), CallEnded(at=at(40), linkedid="1", channel="c", cause="")])
    assert row["outcome"] == "abandoned"


def test_self_service_in_the_ivr() -> None:
    row = fold([arrival(), IvrLeft(at=at(30), linkedid="1", path="main>bill>account>bill", account_number="1",
                                   next="hangup", outcome="self_service"),
                CallEnded(at=at(31), linkedid="1", channel="c", cause="")])
    assert row["outcome"] == "self_service"


def test_a_call_no_node_saw_arrive_gets_its_caller_number_from_the_ivr() -> None:
    """While no node routes (the shared store away, a routing node just killed) no AMI link sees the call
    arrive; the IVR that served it knows the number."""
    left = IvrLeft(at=at(30), linkedid="1", path="main>bill>account>bill", account_number="1", next="hangup",
                   outcome="self_service", caller_number="13901000035")
    assert fold([left])["caller_number"] == "13901000035"
    assert fold([arrival(), left])["caller_number"] == "138"  # the trunk's own word stands


def test_outcomes_without_queue() -> None:
    assert final_outcome({"ivr_left_at": at(1)}) == "ivr_hangup"
    assert final_outcome({}) == "ended"


def test_an_offer_decided_in_the_ivr_comes_before_the_queued_event_and_counts_as_queued() -> None:
    direct = CallOffered(at=at(19), linkedid="1", agent_id=7, seat="seat7", channel="PJSIP/trunk-1", queue="general",
                         account_number="10001234", caller_number="138", ivr_path="main>agent>queue", direct=True)
    row = fold([arrival(), direct, queued(), OfferAnswered(at=at(22), linkedid="1", seat="seat7")])
    assert (row["queued_at"], row["offered_at"], row["answered_at"]) == (at(19), at(19), at(22))
    assert row["queue"] == "general" and row["offer_count"] == 1
