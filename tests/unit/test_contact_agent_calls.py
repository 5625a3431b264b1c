"""The contact record of an outbound call (click-to-call) and of a transferred call, folded from their events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from contacts.record import changes_for, is_contact_event
from kernel.agent_call_events import (
    CallTransferred,
    OutboundAgentRinging,
    OutboundAnswered,
    OutboundCustomerRinging,
    OutboundEnded,
    OutboundFailed,
    OutboundStarted,
)
from kernel.call_events import (
    AgentLegEnded,
    AgentRinging,
    CallAnswered,
    CallArrived,
    CallEnded,
    CallOffered,
    CallQueued,
    OfferAnswered,
)
from kernel.events import Event

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
OUT = "qqo-1"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def fold(events: list[Event]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for event in events:
        assert is_contact_event(event)
        row.update(changes_for(row, event))
    return row


def started() -> OutboundStarted:
    return OutboundStarted(at=at(0), linkedid=OUT, agent_id=7, seat="seat1001", number="13900000001",
                           work_order_id=42, callback_id=5, account_number="10001234")


def test_an_answered_outbound_call() -> None:
    row = fold([started(), OutboundAgentRinging(at=at(0.1), linkedid=OUT, seat="seat1001"),
                OutboundCustomerRinging(at=at(3), linkedid=OUT, channel="PJSIP/trunk-0001"),
                OutboundAnswered(at=at(8), linkedid=OUT),
                OutboundEnded(at=at(68), linkedid=OUT, seat="seat1001", cause="Normal Clearing")])
    assert row == {"direction": "outbound", "arrived_at": at(0), "dialed_number": "13900000001", "agent_id": 7,
                   "seat": "seat1001", "work_order_id": 42, "account_number": "10001234", "answered_at": at(8),
                   "ended_at": at(68), "outcome": "answered", "talk_ended_at": at(68)}
    assert "queued_at" not in row  # never in a queue: no queue figure counts it


def test_an_outbound_call_the_customer_did_not_answer() -> None:
    row = fold([started(), OutboundCustomerRinging(at=at(3), linkedid=OUT, channel="PJSIP/trunk-0001"),
                OutboundFailed(at=at(63), linkedid=OUT, cause="customer_noanswer"),
                OutboundEnded(at=at(63.1), linkedid=OUT, seat="seat1001", cause="")])
    assert (row["outcome"], row["ended_at"], row.get("answered_at"), row.get("talk_ended_at")) == (
        "customer_noanswer", at(63.1), None, None)


def test_an_outbound_call_the_agent_did_not_answer_whatever_the_order_of_its_events() -> None:
    events: list[Event] = [started(), OutboundEnded(at=at(15), linkedid=OUT, seat="seat1001", cause=""),
                           OutboundFailed(at=at(15.1), linkedid=OUT, cause="agent_noanswer", agent_id=7)]
    assert fold(events)["outcome"] == "agent_noanswer"
    assert fold([events[0], events[2], events[1]])["outcome"] == "agent_noanswer"
    assert fold(events[:2])["outcome"] == "not_connected"


def inbound(linkedid: str = "1") -> list[Event]:
    return [CallArrived(at=at(0), linkedid=linkedid, channel="PJSIP/trunk-1", caller_number="138",
                        dialed_number="96106"),
            CallQueued(at=at(20), linkedid=linkedid, channel="PJSIP/trunk-1", queue="general",
                       account_number=None, priority=0, ivr_path="main>agent>queue", caller_number="138"),
            CallOffered(at=at(21), linkedid=linkedid, agent_id=7, seat="seat1001", channel="PJSIP/trunk-1",
                        queue="general", account_number=None, caller_number="138", ivr_path=""),
            AgentRinging(at=at(21), linkedid=linkedid, seat="seat1001", agent_channel="PJSIP/seat1001-1"),
            OfferAnswered(at=at(25), linkedid=linkedid, seat="seat1001"),
            CallAnswered(at=at(25), linkedid=linkedid, agent_id=7, seat="seat1001", queue="general",
                         waited_seconds=5)]


def transferred(to_agent: int | None) -> CallTransferred:
    return CallTransferred(at=at(60), linkedid="1", agent_id=7, seat="seat1001", to_agent_id=to_agent,
                           to_queue=None if to_agent else "billing", queue="general" if to_agent else "billing",
                           channel="PJSIP/trunk-1")


def test_a_transferred_call_keeps_its_first_answer_and_the_first_agents_talk() -> None:
    row = fold([*inbound(), transferred(8),
                CallOffered(at=at(60), linkedid="1", agent_id=8, seat="seat1002", channel="PJSIP/trunk-1",
                            queue="general", account_number=None, caller_number="138", ivr_path="",
                            transferred_by=7),
                AgentLegEnded(at=at(60.2), linkedid="1", seat="seat1001"),
                AgentRinging(at=at(60.3), linkedid="1", seat="seat1002", agent_channel="PJSIP/seat1002-2"),
                OfferAnswered(at=at(63), linkedid="1", seat="seat1002"),
                CallAnswered(at=at(63), linkedid="1", agent_id=8, seat="seat1002", queue="general",
                             waited_seconds=3),
                AgentLegEnded(at=at(120), linkedid="1", seat="seat1002"),
                CallEnded(at=at(121), linkedid="1", channel="PJSIP/trunk-1", cause="")])
    assert (row["answered_at"], row["agent_id"], row["seat"], row["wait_seconds"]) == (at(25), 7, "seat1001", 5)
    assert row["talk_ended_at"] == at(60.2)  # the first agent's talk: 35 s, not 95
    assert (row["transfer_count"], row["transferred_at"], row["transferred_to_agent_id"],
            row["transfer_answered_at"]) == (1, at(60), 8, at(63))
    assert (row["outcome"], row["ended_at"], row["offer_count"], row["direction"]) == (
        "answered", at(121), 2, "inbound")


def test_a_caller_transferred_to_a_queue_who_hangs_up_while_waiting_is_not_an_abandon() -> None:
    row = fold([*inbound(), transferred(None), AgentLegEnded(at=at(60.2), linkedid="1", seat="seat1001"),
                CallEnded(at=at(200), linkedid="1", channel="PJSIP/trunk-1", cause="")])
    assert row["outcome"] == "answered" and row.get("abandon_stage") is None
    assert (row["transfer_count"], row.get("transferred_to_agent_id")) == (1, None)
