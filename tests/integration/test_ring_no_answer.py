"""Ring-no-answer and abandon-while-ringing on real Asterisk with real seat phones."""

from __future__ import annotations

from collections.abc import Callable

from tests.integration.test_call_path import (
    agent_ready,
    call_and_queue,
    contact_of,
    ended_contact,
    hotline_user_id,
)
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, wait_for


def agent_state(hotline: RunningHotline, token: str) -> dict[str, object]:
    with hotline.client(token) as c:
        return dict(c.get("/api/agent").json())


def test_unanswered_seat_is_set_missed_and_the_call_moves_on(hotline: RunningHotline,
                                                             phones: Callable[..., BaresipPhone]) -> None:
    manager = hotline.login("manager1")
    silent = phones("silent", hotline=hotline, seat="seat1001", answer=False)
    answering = phones("answering", hotline=hotline, seat="seat1002")
    first = agent_ready(hotline, "agent1", "seat1001")   # longest idle: offered first, never answers
    agent_ready(hotline, "agent2", "seat1002")
    caller = call_and_queue(hotline, phones("13200000001"), manager)
    silent.wait_event("CALL_INCOMING", timeout=10)
    answering.wait_event("CALL_ESTABLISHED", timeout=30)  # after ring_seconds (6 s) the call moved on
    missed = agent_state(hotline, first)
    assert (missed["state"], missed["reason"]) == ("not_ready", "missed")
    contact = wait_for(lambda: (lambda c: c if c and c["answered_at"] else None)(
        contact_of(hotline, manager, "13200000001")), what="the call to be answered by the second agent")
    assert contact["agent_id"] == hotline_user_id(hotline, "agent2")
    assert contact["offer_count"] == 2
    caller.hangup()
    assert ended_contact(hotline, manager, "13200000001")["outcome"] == "answered"


def test_caller_hanging_up_while_the_seat_rings_is_abandoned_and_the_agent_stays_ready(
        hotline: RunningHotline, phones: Callable[..., BaresipPhone]) -> None:
    manager = hotline.login("manager1")
    silent = phones("silent", hotline=hotline, seat="seat1001", answer=False)
    token = agent_ready(hotline, "agent1", "seat1001")
    caller = call_and_queue(hotline, phones("13200000002"), manager)
    silent.wait_event("CALL_INCOMING", timeout=10)
    caller.hangup()
    contact = ended_contact(hotline, manager, "13200000002")
    assert contact["outcome"] == "abandoned" and contact["offered_at"] is not None
    assert contact["abandon_stage"] == "ringing" and contact["wait_seconds"] > 0
    state = wait_for(lambda: (lambda a: a if a["state"] == "ready" else None)(agent_state(hotline, token)),
                     what="the agent to be ready again")
    assert state["reason"] == ""

