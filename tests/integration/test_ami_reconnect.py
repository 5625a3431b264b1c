"""The AMI bridge reconnects by itself when its connection drops, and re-reads Asterisk's state: a seat
that registered while the link was down is known afterwards, and a caller who was waiting keeps waiting
and reaches the agent."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.integration.test_call_path import agent_ready, call_and_queue, contact_of
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, wait_for

pytestmark = pytest.mark.integration


def test_ami_link_cut_and_restored_resyncs_seats_and_keeps_the_queued_caller(
        hotline: RunningHotline, phones: Callable[..., BaresipPhone]) -> None:
    manager = hotline.login("manager1")
    caller = call_and_queue(hotline, phones("13600000004"), manager)
    assert hotline.health()["waiting_calls"] == 1

    resyncs = hotline.health()["ami_resyncs"]
    hotline.cut_ami_connection()
    seat_phone = phones("agent", hotline=hotline, seat="seat1002")  # registers while AMI may be down
    wait_for(lambda: hotline.health()["ami_resyncs"] > resyncs, timeout=15, what="AMI reconnect and resync")
    health = hotline.health()
    assert health["ami"] is True
    assert "seat1002" in health["registered_seats"]
    assert health["waiting_calls"] == 1, "the waiting caller kept their place"

    agent_ready(hotline, "agent2", "seat1002")
    seat_phone.wait_event("CALL_ESTABLISHED", timeout=15)
    contact = wait_for(lambda: (lambda c: c if c and c["answered_at"] else None)(
        contact_of(hotline, manager, "13600000004")), what="the call to be answered")
    assert contact["agent_id"] is not None
    caller.hangup()
