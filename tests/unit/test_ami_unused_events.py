"""Events Qingquan never reads are skipped before parsing; everything the app or an action waits for is kept."""

from __future__ import annotations

import pytest

from telephony.ami_parse import PARSED_EVENTS
from telephony.ami_stream import UNUSED_EVENTS, unused_event


@pytest.mark.parametrize("name", sorted(UNUSED_EVENTS))
def test_an_unused_event_is_skipped(name: str) -> None:
    assert unused_event(f"Event: {name}\r\nPrivilege: dialplan,all\r\nChannel: PJSIP/trunk-00000001")
    assert unused_event(f"Event: {name}")  # the whole block is one line


@pytest.mark.parametrize("block", [
    "Event: Hangup\r\nChannel: PJSIP/trunk-00000001",
    "Event: UserEvent\r\nUserEvent: QingquanQueued",
    "Event: OriginateResponse\r\nActionID: 7\r\nResponse: Success",  # what an Originate waits for
    "Event: CoreShowChannel\r\nActionID: 8",  # a list action's entry
    "Response: Success\r\nActionID: 9\r\nMessage: Redirect successful",  # a reply
    "Event: VarSetX\r\nChannel: x",  # only the exact name
    "",
])
def test_what_the_app_or_an_action_reads_is_kept(block: str) -> None:
    assert not unused_event(block)


def test_no_event_the_parser_reads_is_skipped() -> None:
    assert not PARSED_EVENTS & UNUSED_EVENTS
