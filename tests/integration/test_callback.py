"""A queue callback on real Asterisk: a waiting caller who presses 1 at the callback offer hangs up and keeps
their place in line as a virtual caller; when their turn comes the agent's seat is rung first (AMI
Originate) and, once the agent answers, the customer is dialled through the carrier trunk."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.integration.test_call_path import call_and_queue, ended_contact
from tests.support.acd_steps import (
    bind_seat,
    contact_where,
    press_until,
    queue_summary,
    queued_call,
    set_state,
    user_id,
    wait_agent_state,
)
from tests.support.baresip import BaresipPhone, free_sip_port
from tests.support.hotline import RunningHotline, wait_for

pytestmark = pytest.mark.integration

ANNOUNCE_SECONDS = 3
FIRST, SECOND = "13900000001", "13900000002"


def test_callback_keeps_the_callers_place_rings_the_agent_first_and_is_placed_once(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone]) -> None:
    carrier_port = free_sip_port()  # the "carrier": where the trunk sends calls out, i.e. the customer's phone
    hotline = hotline_with(
        acd={"announce_seconds": ANNOUNCE_SECONDS, "queues": [{"name": "general", "callback_after_seconds": 0}]},
        asterisk={"trunk_outbound_host": f"127.0.0.1:{carrier_port}"})
    manager = hotline.login("manager1")
    seat_phone = phones("agent", hotline=hotline, seat="seat1001")
    agent = bind_seat(hotline, "agent1", "seat1001")  # not ready: nobody takes calls yet

    first = call_and_queue(hotline, phones(FIRST), manager)
    second = call_and_queue(hotline, phones(SECOND, sip_port=carrier_port), manager)
    second_id = contact_where(hotline, manager, SECOND, "queued_at")["linkedid"]

    # After the position announcement, the second caller accepts the callback offer and is hung up.
    press_until(second, "1", lambda: queue_summary(hotline, manager)["callbacks_waiting"] == 1,
                timeout=4 * ANNOUNCE_SECONDS + 20)
    second.wait_event("CALL_CLOSED", timeout=15)
    place = wait_for(lambda: queued_call(hotline, manager, second_id), what="the callback to keep its place")
    assert (place["position"], place["is_callback"]) == (2, True)
    assert queue_summary(hotline, manager)["waiting"] == 2

    # The agent becomes ready: the first caller, who arrived first, is offered first.
    set_state(hotline, agent, "ready")
    seat_phone.wait_event("CALL_ESTABLISHED", timeout=10)
    assert contact_where(hotline, manager, FIRST, "answered_at")["agent_id"] == user_id(hotline, "agent1")
    assert not second.pending("CALL_INCOMING")
    first.hangup()
    seat_phone.wait_event("CALL_CLOSED", timeout=10)

    # Free again (after wrap-up): the seat rings first, then the customer's phone.
    agent_answered = seat_phone.wait_event("CALL_ESTABLISHED", timeout=15)
    customer_rang = second.wait_event("CALL_INCOMING", timeout=10)
    # The customer is dialled by the agent leg's dialplan only once the agent answered; the two phones'
    # event streams are read on different sockets and may be stamped a fraction of a millisecond apart.
    assert agent_answered["received_at"] <= customer_rang["received_at"] + 0.01
    assert customer_rang["peeruri"].startswith("sip:96106@"), customer_rang  # the hotline calls
    second.answer()
    second.wait_event("CALL_ESTABLISHED", timeout=10)
    second.hangup()
    seat_phone.wait_event("CALL_CLOSED", timeout=10)
    wait_agent_state(hotline, agent, "ready")

    # Placed exactly once; nothing left in line.
    summary = queue_summary(hotline, manager)
    assert (summary["waiting"], summary["callbacks_waiting"]) == (0, 0)
    assert not second.pending("CALL_INCOMING")
    assert hotline.log_text().count(f"(callback to {SECOND})") == 1
    assert ended_contact(hotline, manager, FIRST)["outcome"] == "answered"
    contact = ended_contact(hotline, manager, SECOND)
    assert contact["outcome"] == "callback_requested"  # never an abandon
    assert contact["agent_id"] == user_id(hotline, "agent1")
    row = wait_for(lambda: (lambda rows: rows[0] if rows and rows[0]["callback_status"] == "connected" else None)(
        hotline.query("SELECT callback_number, callback_status FROM contact WHERE caller_number = :n", n=SECOND)),
        what="the callback to be recorded as connected")
    assert row["callback_number"] == SECOND
    # The customer leg took a trunk line and gave it back: both show in the trunk occupancy log.
    legs = wait_for(lambda: (lambda rows: rows if len(rows) == 2 else None)(hotline.query(
        "SELECT change FROM trunk_occupancy WHERE linkedid LIKE 'cb%' ORDER BY id")), what="the callback's line")
    assert [r["change"] for r in legs] == [1, -1]
