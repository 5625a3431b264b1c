"""The AMI side of click-to-call, transfer to hold and supervision: the actions as sent, what an Originate's
response says, and the events of those calls as real Asterisk 16 sent them (fields recorded from a run of the
integration tests, trimmed to the ones read)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from acd.command_codec import decode, encode
from acd.commands import DialOut, StartSpy, Transfer
from acd.service import command_for
from config.settings import Settings
from kernel.agent_call_events import (
    OutboundAgentRinging,
    OutboundAnswered,
    OutboundCustomerRinging,
    OutboundEnded,
    OutboundFailed,
    SpyEnded,
)
from kernel.call_events import AgentLegEnded, CallEnded
from kernel.call_ids import is_outbound, is_spy, new_outbound_id, new_spy_id
from telephony.ami_actions import hold_actions, originate_status, outbound_originate, spy_originate
from telephony.ami_parse import parse_event
from telephony.asterisk_process import render_config

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
SEATS = frozenset({"seat1001", "seat1003"})
OUT = "qqo-9a611758ff994fb480b50a7950c53fd3"
SPY = "qqs-20d12cb404894a9ca22e00fb6ce46579"
AGENT_LEG = {"Channel": "PJSIP/seat1001-00000000", "Uniqueid": OUT, "Linkedid": OUT, "Context": "acd-outbound",
             "Exten": "13900000007"}
CUSTOMER_LEG = {"DestChannel": "PJSIP/trunk-00000001", "DestUniqueid": "1795652280.1", "DestLinkedid": OUT}


def test_call_ids() -> None:
    assert is_outbound(new_outbound_id()) and not is_spy(new_outbound_id())
    assert is_spy(new_spy_id()) and new_spy_id() != new_spy_id()
    assert len(new_outbound_id()) < 150  # an Asterisk uniqueid holds 149 characters


def test_the_originate_of_a_click_to_call_names_its_channel_after_the_call() -> None:
    assert outbound_originate(OUT, "seat1001", "+8613900000007", 15) == {
        "Action": "Originate", "Channel": "PJSIP/seat1001", "Context": "acd-outbound", "Exten": "+8613900000007",
        "Priority": "1", "Timeout": "15000", "Async": "true", "CallerID": '"outbound +8613900000007" <+8613900000007>',
        "ChannelId": OUT}


def test_the_originate_of_a_supervision_session() -> None:
    action = spy_originate(SPY, "seat1003", "seat1001", "whisper", 15)
    assert (action["Channel"], action["Context"], action["Exten"], action["ChannelId"], action["Variable"]) == (
        "PJSIP/seat1003", "acd-spy", "whisper", SPY, ["QQ_SPY_SEAT=seat1001"])


def test_a_transfer_to_a_queue_sets_the_queue_then_redirects_to_hold_music() -> None:
    actions = hold_actions("PJSIP/trunk-00000000", "billing", 1000)
    assert actions == [
        {"Action": "Setvar", "Channel": "PJSIP/trunk-00000000", "Variable": "QQ_QUEUE", "Value": "billing"},
        {"Action": "Setvar", "Channel": "PJSIP/trunk-00000000", "Variable": "QQ_PRIORITY", "Value": "1000"},
        {"Action": "Redirect", "Channel": "PJSIP/trunk-00000000", "Context": "acd-hold", "Exten": "wait",
         "Priority": "1"}]


@pytest.mark.parametrize(("response", "status"), [
    ({"Event": "OriginateResponse", "Response": "Success", "Reason": "4"}, "ANSWER"),
    ({"Event": "OriginateResponse", "Response": "Failure", "Reason": "3"}, "NOANSWER"),
    ({"Event": "OriginateResponse", "Response": "Failure", "Reason": "5"}, "BUSY"),
    ({"Event": "OriginateResponse", "Response": "Failure", "Reason": "0"}, "CHANUNAVAIL"),
    ({"Event": "OriginateResponse", "Response": "Failure", "Reason": "42"}, "FAILED"),
])
def test_originate_status(response: dict[str, str], status: str) -> None:
    assert originate_status([{"Response": "Success", "Message": "Originate successfully queued"}, response]) == status
    assert originate_status([{"Response": "Success"}]) == "FAILED"  # the response never came


def test_the_events_of_a_click_to_call() -> None:
    ringing = {"Event": "DialBegin", "DestChannel": "PJSIP/seat1001-00000000", "DestUniqueid": OUT,
               "DestLinkedid": OUT}
    assert parse_event(ringing, SEATS, NOW) == OutboundAgentRinging(at=NOW, linkedid=OUT, seat="seat1001")
    assert parse_event({**ringing, "Event": "DialEnd", "DialStatus": "ANSWER"}, SEATS, NOW) is None
    dialling = {"Event": "DialBegin", **AGENT_LEG, **CUSTOMER_LEG}
    assert parse_event(dialling, SEATS, NOW) == OutboundCustomerRinging(at=NOW, linkedid=OUT,
                                                                        channel="PJSIP/trunk-00000001")
    answered = {**dialling, "Event": "DialEnd", "DialStatus": "ANSWER"}
    assert parse_event(answered, SEATS, NOW) == OutboundAnswered(at=NOW, linkedid=OUT)
    for status, cause in (("BUSY", "customer_busy"), ("NOANSWER", "customer_noanswer"), ("CANCEL", "agent_hangup")):
        failed = parse_event({**answered, "DialStatus": status}, SEATS, NOW)
        assert failed == OutboundFailed(at=NOW, linkedid=OUT, cause=cause)
    refused = {"Event": "UserEvent", "UserEvent": "QingquanOutboundRefused", "Cause": "lines_busy", **AGENT_LEG}
    assert parse_event(refused, SEATS, NOW) == OutboundFailed(at=NOW, linkedid=OUT, cause="lines_busy")
    ended = parse_event({"Event": "Hangup", **AGENT_LEG, "Cause-txt": "Normal Clearing"}, SEATS, NOW)
    assert ended == OutboundEnded(at=NOW, linkedid=OUT, seat="seat1001", cause="Normal Clearing")
    customer_gone = {"Event": "Hangup", "Channel": "PJSIP/trunk-00000001", "Uniqueid": "1795652280.1",
                     "Linkedid": OUT, "Context": "from-trunk"}
    assert parse_event(customer_gone, SEATS, NOW) is None  # the agent's leg ends the call
    assert parse_event({"Event": "Newchannel", **customer_gone}, SEATS, NOW) is None  # no incoming call


def test_the_events_of_a_supervision_session_and_of_a_transfer() -> None:
    supervisor_leg = {"Channel": "PJSIP/seat1003-00000002", "Uniqueid": SPY, "Linkedid": SPY, "Context": "acd-spy",
                      "Exten": "listen"}
    assert parse_event({"Event": "Hangup", **supervisor_leg}, SEATS, NOW) == SpyEnded(at=NOW, linkedid=SPY,
                                                                                        seat="seat1003")
    assert parse_event({"Event": "DialBegin", "DestChannel": "PJSIP/seat1003-00000002", "DestLinkedid": SPY},
                       SEATS, NOW) is None
    # the Redirect of a transfer hangs up the first agent's leg: an ordinary agent leg ending
    first_leg = {"Event": "Hangup", "Channel": "PJSIP/seat1001-00000001", "Uniqueid": "1795652296.1",
                 "Linkedid": "1795652290.0", "Context": "from-seats", "Cause-txt": "Normal Clearing"}
    assert parse_event(first_leg, SEATS, NOW) == AgentLegEnded(at=NOW, linkedid="1795652290.0", seat="seat1001")


def test_the_ends_of_an_agents_own_calls_reach_the_acd_as_their_seat_leg_ending() -> None:
    for event in (OutboundEnded(at=NOW, linkedid=OUT, seat="seat1001", cause=""),
                  SpyEnded(at=NOW, linkedid=SPY, seat="seat1003")):
        command = command_for(event)
        assert command is not None and (command.linkedid, command.seat) == (event.linkedid, event.seat)  # type: ignore[union-attr]
    assert command_for(CallEnded(at=NOW, linkedid=OUT, channel="", cause="")) is not None


@pytest.mark.parametrize("command", [
    DialOut(7, OUT, "+8613900000007", work_order_id=42, callback_id=3, account_number="10001234"),
    DialOut(7, OUT, "13900000007"),
    Transfer(7, to_agent_id=8), Transfer(7, to_queue="billing"),
    StartSpy(5, 7, "barge", SPY),
])
def test_the_new_commands_are_relayed_from_a_node_that_does_not_route(command: object) -> None:
    assert decode(encode(command)) == command  # type: ignore[arg-type]


def test_the_rendered_dialplan_dials_customers_through_the_trunk_and_spies_quietly(tmp_path: Path) -> None:
    settings = Settings.model_validate({"asterisk": {"trunk_outbound_host": "203.0.113.10:5060",
                                                     "hotline_numbers": ["96106"]}})
    dialplan = (render_config(settings, tmp_path).parent / "extensions.conf").read_text()
    outbound = dialplan.split("[acd-outbound]", 1)[1].split("\n[", 1)[0]
    assert "exten => _[+0-9].,1,Set(CALLERID(all)=<96106>)" in outbound  # the customer sees the hotline
    assert ("Dial(PJSIP/trunk/sip:${EXTEN}@203.0.113.10:5060,60,b(qq-record^arm^1(${CHANNEL(endpoint)}))"
            "U(qq-recorded))") in outbound
    assert "GotoIf($[${GROUP_COUNT(trunk@qq)} > ${QQ_TRUNK_LINES}]?refused)" in outbound  # a trunk line
    spy = dialplan.split("[acd-spy]", 1)[1].split("\n[", 1)[0]
    for mode, options in (("listen", "qES"), ("whisper", "qESw"), ("barge", "qESB")):
        assert f"exten => {mode},1,ChanSpy(PJSIP/${{QQ_SPY_SEAT}}-,{options})" in spy
