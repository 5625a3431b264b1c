"""AMI events to call events: the fields real Asterisk 16 sends, and malformed input that must not crash."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from kernel.call_events import (
    AgentLegEnded,
    AgentRinging,
    CallArrived,
    CallEnded,
    CallQueued,
    OfferAnswered,
    OfferFailed,
    SeatAvailability,
)
from telephony.ami_parse import endpoint_of, flatten, parse_event, talking_seats

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SEATS = frozenset({"seat1001"})
CALLER = {"Channel": "PJSIP/trunk-00000001", "Uniqueid": "1700.1", "Linkedid": "1700.1",
          "CallerIDNum": "13800000001", "Exten": "96106", "Context": "from-trunk"}


def test_endpoint_of_channel() -> None:
    assert endpoint_of("PJSIP/seat1001-0000002a") == "seat1001"
    assert endpoint_of("Local/foo@bar-00000001;1") is None


def test_trunk_newchannel_is_an_arrival() -> None:
    event = parse_event({"Event": "Newchannel", **CALLER}, SEATS, NOW)
    assert event == CallArrived(at=NOW, linkedid="1700.1", channel="PJSIP/trunk-00000001",
                                caller_number="13800000001", dialed_number="96106")


def test_queued_user_event() -> None:
    event = parse_event({"Event": "UserEvent", "UserEvent": "QingquanQueued", **CALLER, "Queue": "general",
                         "Account": "10001234", "Path": "main>bill>queue", "QueuePriority": "2"}, SEATS, NOW)
    assert isinstance(event, CallQueued)
    assert (event.queue, event.account_number, event.priority, event.ivr_path) == (
        "general", "10001234", 2, "main>bill>queue")
    assert not event.held  # an older dialplan without the Dial header: as before


def test_queued_user_event_says_whether_the_caller_goes_on_to_a_seat() -> None:
    for dial, held in (("no", True), ("yes", False)):
        event = parse_event({"Event": "UserEvent", "UserEvent": "QingquanQueued", **CALLER, "Queue": "general",
                             "Dial": dial}, SEATS, NOW)
        assert isinstance(event, CallQueued) and event.held is held


def test_repeated_headers_keep_the_first_value() -> None:
    assert flatten({"Priority": ["1", "0"], "Event": "UserEvent"}) == {"Priority": "1", "Event": "UserEvent"}


def test_dial_events_of_a_seat() -> None:
    dial = {**CALLER, "DestChannel": "PJSIP/seat1001-00000002"}
    assert isinstance(parse_event({"Event": "DialBegin", **dial}, SEATS, NOW), AgentRinging)
    assert isinstance(parse_event({"Event": "DialEnd", "DialStatus": "ANSWER", **dial}, SEATS, NOW), OfferAnswered)
    failed = parse_event({"Event": "DialEnd", "DialStatus": "NOANSWER", **dial}, SEATS, NOW)
    assert isinstance(failed, OfferFailed) and failed.status == "NOANSWER"
    assert parse_event({"Event": "DialBegin", **CALLER, "DestChannel": "PJSIP/other-1"}, SEATS, NOW) is None


def test_hangups() -> None:
    assert isinstance(parse_event({"Event": "Hangup", **CALLER, "Cause-txt": "Normal Clearing"}, SEATS, NOW),
                      CallEnded)
    agent_leg = {"Event": "Hangup", "Channel": "PJSIP/seat1001-00000002", "Uniqueid": "1700.2",
                 "Linkedid": "1700.1"}
    assert parse_event(agent_leg, SEATS, NOW) == AgentLegEnded(at=NOW, linkedid="1700.1", seat="seat1001")


def test_seat_registration_from_peer_status() -> None:
    up = parse_event({"Event": "PeerStatus", "Peer": "PJSIP/seat1001", "PeerStatus": "Reachable"}, SEATS, NOW)
    down = parse_event({"Event": "PeerStatus", "Peer": "PJSIP/seat1001", "PeerStatus": "Unreachable"}, SEATS, NOW)
    assert up == SeatAvailability(at=NOW, seat="seat1001", registered=True)
    assert down == SeatAvailability(at=NOW, seat="seat1001", registered=False)


def test_malformed_events_are_ignored() -> None:
    assert parse_event({"Event": "UserEvent", "UserEvent": "QingquanQueued"}, SEATS, NOW) is None
    assert parse_event({"Event": "DialEnd", "DestChannel": "PJSIP/seat1001-1"}, SEATS, NOW) is None
    assert parse_event({}, SEATS, NOW) is None


@given(st.dictionaries(st.sampled_from(["Event", "Channel", "Uniqueid", "Linkedid", "UserEvent", "DestChannel",
                                        "DialStatus", "Peer", "PeerStatus", "QueuePriority", "Device", "State"]),
                       st.text(max_size=30)))
def test_no_field_combination_raises(fields: dict[str, str]) -> None:
    parse_event(fields, SEATS, NOW)


def test_talking_seats_are_the_seat_legs_in_a_bridge_with_a_caller() -> None:
    entries = [
        {"Channel": "PJSIP/trunk-00000001", "Uniqueid": "c1", "Linkedid": "c1", "BridgeId": "b1"},
        {"Channel": "PJSIP/seat1001-00000002", "Uniqueid": "a2", "Linkedid": "c1", "BridgeId": "b1"},
        {"Channel": "PJSIP/seat1002-00000003", "Uniqueid": "a3", "Linkedid": "c2", "BridgeId": ""},  # ringing
        {"Channel": "PJSIP/seat1003-00000004", "Uniqueid": "qqo-x", "Linkedid": "qqo-x", "BridgeId": "b2"},
        {"Channel": "PJSIP/seat1001-00000005", "Uniqueid": "a5", "Linkedid": "cb1-c9", "BridgeId": "b3"},
    ]
    seats = frozenset({"seat1001", "seat1002", "seat1003"})
    assert talking_seats(entries, seats) == {"c1": "seat1001", "c9": "seat1001"}
