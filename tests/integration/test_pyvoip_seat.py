"""A seat phone written in code with pyVoIP (the project's SIP library for phones in code) registers as an
agent seat, is offered a queued call by the ACD and answers it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from tests.integration.test_call_path import agent_ready, call_and_queue, contact_of
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, wait_for
from tests.support.pyvoip_phone import PyVoipSeat

pytestmark = pytest.mark.integration


@pytest.fixture
def pyvoip_seat(hotline: RunningHotline) -> Iterator[PyVoipSeat]:
    seat = PyVoipSeat(sip_port=hotline.sip_port, seat="seat1003", password=hotline.seats["seat1003"])
    seat.start()
    yield seat
    seat.stop()


def test_pyvoip_seat_phone_takes_a_queued_call(hotline: RunningHotline, pyvoip_seat: PyVoipSeat,
                                               phones: Callable[..., BaresipPhone]) -> None:
    manager = hotline.login("manager1")
    caller = call_and_queue(hotline, phones("13500000005"), manager)
    agent_ready(hotline, "agent1", "seat1003")
    assert pyvoip_seat.answered.wait(20), "the pyVoIP seat was not offered the call"
    contact = wait_for(lambda: (lambda c: c if c and c["answered_at"] else None)(
        contact_of(hotline, manager, "13500000005")), what="the call to be answered")
    assert contact["agent_id"] is not None
    time.sleep(0.5)
    caller.hangup()
    ended = wait_for(lambda: (lambda c: c if c and c["ended_at"] else None)(
        contact_of(hotline, manager, "13500000005")), what="the contact to end")
    assert ended["outcome"] == "answered"
