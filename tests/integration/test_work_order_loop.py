"""The work-order loop on real parts (首问负责制 and 回访): a caller keys their account and reaches agent1 through
real Asterisk; agent1 opens a work order from the screen pop and sets it awaiting callback; the closing callback
appears in agent1's list. The same customer calls again while agent2 has been idle longer (longest idle would
pick agent2): the call is offered to agent1, the order's owner, and the pop shows the open order and the earlier
call. The callback's outcome with satisfaction 5 is recorded and the order closes. (The repeat call comes before
the order closes: a closed order no longer routes its account's callers to the owner.)"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from websockets.sync.client import connect

from tests.integration.test_call_path import (
    agent_ready,
    dial_hotline,
    hotline_user_id,
    press_until_screen_pop,
    wait_message,
)
from tests.support.acd_steps import bind_seat, contact_where, set_state, wait_agent_state
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline

pytestmark = pytest.mark.integration

ACCOUNT = "10001234"
CALLER = "13800000001"  # the demo account's phone


def call_with_account(hotline: RunningHotline, caller: BaresipPhone, console: Any) -> dict[str, Any]:
    """The caller keys their account for the bill, then 0 for an agent; returns the screen pop."""
    dial_hotline(caller, hotline)
    time.sleep(1.0)
    caller.send_dtmf("1")
    time.sleep(1.5)
    caller.send_dtmf(f"{ACCOUNT}#")
    return press_until_screen_pop(caller, console, key="0", timeout=90)  # the whole bill is read first (~40 s)


def hang_up(caller: BaresipPhone, seat: BaresipPhone, console: Any, linkedid: str) -> None:
    caller.hangup()
    caller.wait_event("CALL_CLOSED", timeout=10)
    seat.wait_event("CALL_CLOSED", timeout=10)
    assert wait_message(console, "call.ended")["linkedid"] == linkedid


def test_a_call_opens_an_order_its_callback_closes_it_and_a_repeat_call_reaches_the_owner(
        hotline: RunningHotline, phones: Callable[..., BaresipPhone]) -> None:
    seat1 = phones("agent1", hotline=hotline, seat="seat1001")
    seat2 = phones("agent2", hotline=hotline, seat="seat1002")
    agent1 = agent_ready(hotline, "agent1", "seat1001")
    agent1_id, agent2_id = hotline_user_id(hotline, "agent1"), hotline_user_id(hotline, "agent2")
    manager = hotline.login("manager1")

    with connect(f"ws://127.0.0.1:{hotline.http_port}/ws?token={agent1}", open_timeout=5) as console:
        assert json.loads(console.recv(timeout=5))["type"] == "hello"

        # 1. The first call: agent1 is the only agent ready.
        caller = phones(CALLER)
        pop = call_with_account(hotline, caller, console)
        assert (pop["agent_id"], pop["account"]["name"], pop["account"]["payment_status"]) == (
            agent1_id, "张伟", "unpaid")
        assert pop["ivr_path"].endswith("agent>queue") and pop["outages"] == []
        assert pop["history"]["work_orders"] == []
        seat1.wait_event("CALL_ESTABLISHED", timeout=10)
        assert wait_message(console, "offer.answered")["linkedid"] == pop["linkedid"]

        with hotline.client(agent1) as c:
            created = c.post("/api/work-orders", json={
                "linkedid": pop["linkedid"], "category": "leak", "priority": "high",
                "description": "水表前阀门漏水", "address": pop["account"]["address"]})
            assert created.status_code == 201, created.text
            order = created.json()
            assert (order["owner_id"], order["first_owner_id"], order["account_number"]) == (
                agent1_id, agent1_id, ACCOUNT)
            assert not order["overdue"] and 0 < order["remaining_seconds"] <= 4 * 3600
            for status in ("in_progress", "awaiting_callback"):
                response = c.post(f"/api/work-orders/{order['id']}/status", json={"status": status})
                assert response.status_code == 200, response.text
            [callback] = response.json()["callbacks"]
            assert (callback["kind"], callback["number"], callback["owner_id"]) == ("closing", CALLER, agent1_id)
            assert [cb["id"] for cb in c.get("/api/callbacks").json()] == [callback["id"]]
        hang_up(caller, seat1, console, pop["linkedid"])

        # 2. agent2 becomes ready before agent1 is back from after-call work: agent2 has been idle longer when the
        # customer calls again, yet the call is offered to agent1, the owner of the account's open order.
        wait_agent_state(hotline, agent1, "ready")
        set_state(hotline, agent1, "not_ready")
        agent2 = bind_seat(hotline, "agent2", "seat1002")
        set_state(hotline, agent2, "ready")
        set_state(hotline, agent1, "ready")
        again = phones(CALLER)
        repeat = call_with_account(hotline, again, console)
        assert repeat["agent_id"] == agent1_id and repeat["linkedid"] != pop["linkedid"]
        assert [(o["id"], o["status"]) for o in repeat["history"]["work_orders"]] == [
            (order["id"], "awaiting_callback")]
        assert pop["linkedid"] in [c["linkedid"] for c in repeat["history"]["contacts"]]
        seat1.wait_event("CALL_ESTABLISHED", timeout=10)
        answered = contact_where(hotline, manager, CALLER, "answered_at")
        assert answered["linkedid"] == repeat["linkedid"] and answered["agent_id"] == agent1_id
        assert not seat2.pending("CALL_ESTABLISHED")
        hang_up(again, seat1, console, repeat["linkedid"])

    # 3. The closing callback (回访) reached the customer: satisfaction 5, and the order closes.
    with hotline.client(agent1) as c:
        done = c.post(f"/api/callbacks/{callback['id']}/outcome",
                      json={"outcome": "reached", "satisfaction": 5, "note": "已修复，客户满意"})
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "done"
        closed = c.post(f"/api/work-orders/{order['id']}/close", json={"note": "回访满意，结单"})
        assert closed.status_code == 200, closed.text
        final = closed.json()
    assert (final["status"], final["closing_reason"], final["callback_satisfaction"]) == ("closed", "callback", 5)
    assert final["owner_id"] == agent1_id and agent2_id != agent1_id
    assert [h["action"] for h in final["history"]] == [
        "created", "status_changed", "status_changed", "callback_scheduled", "callback_completed", "closed"]
    rows = hotline.query("SELECT status, satisfaction FROM callback WHERE id = :id", id=callback["id"])
    assert rows == [{"status": "done", "satisfaction": 5}]
