"""First-responder stickiness (首问负责制) on real Asterisk: a repeat caller whose account has an open work
order waits for the order's owner for ``sticky_seconds`` rather than going to another ready agent; when the
owner stays busy that long, the call goes to the other agent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from tests.support.acd_steps import (
    agent_state,
    bind_seat,
    contact_where,
    enter_account,
    press_0_until_queued,
    queued_call,
    set_state,
    user_id,
)
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, wait_for

pytestmark = pytest.mark.integration

STICKY_SECONDS = 8
ACCOUNT = "10001234"


def test_repeat_caller_waits_for_the_owner_then_goes_to_another_agent_when_the_owner_stays_busy(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone]) -> None:
    hotline = hotline_with(acd={"queues": [{"name": "general", "sticky_seconds": STICKY_SECONDS}]})
    manager = hotline.login("manager1")
    owner_seat = phones("owner", hotline=hotline, seat="seat1001")
    other_seat = phones("other", hotline=hotline, seat="seat1002")
    owner = bind_seat(hotline, "agent1", "seat1001")  # logged in, not ready
    with hotline.client(owner) as c:
        order = c.post("/api/work-orders", json={"category": "leak", "description": "表井漏水，待复查",
                                                 "account_number": ACCOUNT})
        assert order.status_code == 201, order.text
    other = bind_seat(hotline, "agent2", "seat1002")
    set_state(hotline, other, "ready")

    # 1. The owner is not ready: the repeat caller waits for them although agent2 is ready.
    first_caller, second_caller = phones("13800000001"), phones("13800000009")
    enter_account(hotline, first_caller, ACCOUNT)
    enter_account(hotline, second_caller, ACCOUNT)  # the second repeat caller's IVR overlaps step 1
    first = press_0_until_queued(hotline, first_caller, manager)
    status = wait_for(lambda: queued_call(hotline, manager, first["linkedid"]), what="the call to wait")
    assert status["position"] == 1
    assert agent_state(hotline, other)["state"] == "ready", "the repeat caller went to agent2"
    set_state(hotline, owner, "ready")
    owner_seat.wait_event("CALL_ESTABLISHED", timeout=10)
    assert contact_where(hotline, manager, "13800000001", "answered_at")["agent_id"] == user_id(hotline, "agent1")
    assert not other_seat.pending("CALL_ESTABLISHED")

    # 2. The owner stays on that call: after sticky_seconds the next repeat caller goes to agent2.
    press_0_until_queued(hotline, second_caller, manager)
    other_seat.wait_event("CALL_ESTABLISHED", timeout=STICKY_SECONDS + 10)
    second = contact_where(hotline, manager, "13800000009", "answered_at")
    assert second["agent_id"] == user_id(hotline, "agent2")
    waited = datetime.fromisoformat(second["offered_at"]) - datetime.fromisoformat(second["queued_at"])
    assert waited.total_seconds() >= STICKY_SECONDS - 0.5, f"offered to agent2 after only {waited}"
    first_caller.hangup()
    second_caller.hangup()
