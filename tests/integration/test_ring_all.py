"""A ring-all queue on real Asterisk: every ready agent's seat rings at once (one Dial to all seats); the
first to answer takes the call and the others go back to ready."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.integration.test_call_path import agent_ready, call_and_queue, ended_contact
from tests.support.acd_steps import agent_state, contact_where, user_id, wait_agent_state
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline

pytestmark = pytest.mark.integration


def test_ring_all_rings_every_ready_seat_and_the_first_to_answer_takes_the_call(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone]) -> None:
    hotline = hotline_with(acd={"queues": [{"name": "general", "strategy": "ring_all"}]})
    manager = hotline.login("manager1")
    silent = phones("silent", hotline=hotline, seat="seat1001", answer=False)
    answering = phones("answering", hotline=hotline, seat="seat1002")
    first = agent_ready(hotline, "agent1", "seat1001")  # idle longest: first of the group, yet never answers
    second = agent_ready(hotline, "agent2", "seat1002")

    caller = call_and_queue(hotline, phones("13300000001"), manager)
    silent.wait_event("CALL_INCOMING", timeout=10)
    answering.wait_event("CALL_ESTABLISHED", timeout=10)
    silent.wait_event("CALL_CLOSED", timeout=10)  # the other seat stops ringing once one answered

    assert wait_agent_state(hotline, first, "ready")["reason"] == ""  # released, not "missed"
    assert agent_state(hotline, second)["state"] == "on_call"
    contact = contact_where(hotline, manager, "13300000001", "answered_at")
    assert contact["offer_count"] == 1
    caller.hangup()
    ended = ended_contact(hotline, manager, "13300000001")
    assert ended["outcome"] == "answered"
    row = hotline.query("SELECT seat FROM contact WHERE caller_number = :n", n="13300000001")[0]
    assert row["seat"] == "seat1002"
    assert ended["agent_id"] == user_id(hotline, "agent2")  # the taker, not the group's first agent
