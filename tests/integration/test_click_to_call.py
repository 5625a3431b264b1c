"""Click-to-call on real Asterisk: an agent places a callback (回访) about a work order from the console. Their
own seat rings first (AMI Originate); once they answer, the dialplan dials the customer through the carrier
trunk with the hotline's number; audio flows both ways; the console follows the progress over the websocket;
the agent is busy with it, then wraps up; the contact is recorded as outbound with its work order."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from websockets.sync.client import connect

from tests.integration.test_call_path import dominant_frequency, received_audio, wait_message
from tests.support.acd_steps import bind_seat, set_state, user_id, wait_agent_state
from tests.support.baresip import BaresipPhone, free_sip_port
from tests.support.hotline import RunningHotline, wait_for

pytestmark = pytest.mark.integration

AGENT_TONE = 1000
CUSTOMER_TONE = 440
CUSTOMER = "13900000007"


def test_click_to_call_rings_the_agent_first_then_the_customer_and_records_an_outbound_contact(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone]) -> None:
    carrier_port = free_sip_port()  # where the trunk sends calls out: the customer's phone
    hotline = hotline_with(asterisk={"trunk_outbound_host": f"127.0.0.1:{carrier_port}"})
    seat_phone = phones("agent", hotline=hotline, seat="seat1001", frequency=AGENT_TONE, answer=False)
    customer = phones(CUSTOMER, sip_port=carrier_port, frequency=CUSTOMER_TONE)
    agent = bind_seat(hotline, "agent1", "seat1001")
    set_state(hotline, agent, "ready")
    with hotline.client(agent) as c:
        order = c.post("/api/work-orders", json={"category": "repair", "description": "水表漏水, 回访确认",
                                                 "account_number": "10001234"}).json()
        callback = c.post("/api/callbacks", json={"work_order_id": order["id"], "number": CUSTOMER,
                                                  "due_at": datetime.now(UTC).isoformat(), "kind": "closing"})
        assert callback.status_code == 201, callback.text
        callback_id = callback.json()["id"]

    with connect(f"ws://127.0.0.1:{hotline.http_port}/ws?token={agent}", open_timeout=5) as console:
        assert json.loads(console.recv(timeout=5))["type"] == "hello"
        with hotline.client(agent) as c:
            placed = c.post("/api/agent/dial", json={"number": CUSTOMER, "work_order_id": order["id"],
                                                     "callback_id": callback_id})
        assert placed.status_code == 202, placed.text
        linkedid = placed.json()["linkedid"]
        started = wait_message(console, "outbound.started")
        assert (started["linkedid"], started["number"], started["work_order_id"], started["callback_id"],
                started["account_number"]) == (linkedid, CUSTOMER, order["id"], callback_id, "10001234")
        assert wait_agent_state(hotline, agent, "dialing")["call"] == linkedid
        with hotline.client(agent) as c:  # the callback list shows it placed, with this call
            listed = next(cb for cb in c.get("/api/callbacks").json() if cb["id"] == callback_id)
        assert (listed["status"], listed["placed_linkedid"]) == ("placed", linkedid)

        # The agent's seat rings first; the customer's phone does not, until the agent answers.
        seat_rang = seat_phone.wait_event("CALL_INCOMING", timeout=10)
        assert seat_rang["peeruri"].startswith(f"sip:{CUSTOMER}@"), seat_rang  # the seat shows whom it calls
        assert wait_message(console, "outbound.agent_ringing")["seat"] == "seat1001"
        time.sleep(1.0)
        assert not customer.pending("CALL_INCOMING")
        with hotline.client(agent) as c:  # one call at a time
            assert c.post("/api/agent/dial", json={"number": "13900000008"}).status_code == 409
        seat_phone.answer()
        customer_rang = customer.wait_event("CALL_INCOMING", timeout=10)
        assert customer_rang["peeruri"].startswith("sip:96106@"), customer_rang  # the hotline calls
        assert wait_message(console, "outbound.customer_ringing")["linkedid"] == linkedid
        assert wait_agent_state(hotline, agent, "on_call")["call"] == linkedid
        customer.answer()
        customer.wait_event("CALL_ESTABLISHED", timeout=10)
        assert wait_message(console, "outbound.answered")["linkedid"] == linkedid

        time.sleep(2.5)  # both talk: each phone plays its own tone
        seat_phone.hangup()
        customer.wait_event("CALL_CLOSED", timeout=10)
        ended = wait_message(console, "outbound.ended")
        assert (ended["linkedid"], ended["seat"]) == (linkedid, "seat1001")

    assert abs(dominant_frequency(received_audio(seat_phone)) - CUSTOMER_TONE) < 15, "agent did not hear customer"
    assert abs(dominant_frequency(received_audio(customer)) - AGENT_TONE) < 15, "customer did not hear agent"
    wait_agent_state(hotline, agent, "ready")  # after the wrap-up

    row = wait_for(lambda: (lambda rows: rows[0] if rows and rows[0]["ended_at"] else None)(hotline.query(
        "SELECT direction, work_order_id, dialed_number, agent_id, seat, outcome, answered_at, talk_ended_at,"
        " queued_at, ended_at FROM contact WHERE linkedid = :l", l=linkedid)), what="the outbound contact")
    assert (row["direction"], row["work_order_id"], row["dialed_number"], row["agent_id"], row["seat"],
            row["outcome"], row["queued_at"]) == ("outbound", order["id"], CUSTOMER, user_id(hotline, "agent1"),
                                                 "seat1001", "answered", None)
    assert row["answered_at"] and row["talk_ended_at"]
    events = [r["type"] for r in hotline.query("SELECT type FROM contact_event WHERE linkedid = :l ORDER BY id",
                                               l=linkedid)]
    assert events[:2] == ["outbound.started", "outbound.agent_ringing"]
    assert {"outbound.customer_ringing", "outbound.answered", "outbound.ended"} <= set(events)
    recording = wait_for(lambda: (lambda rows: rows[0] if rows and rows[0]["ended_at"] and rows[0]["bytes"] else None)(
        hotline.query("SELECT seat, agent_id, contact_id, ended_at, bytes FROM recording WHERE linkedid = :l",
                      l=linkedid)), what="the outbound call's recording to be finished")
    assert (recording["seat"], recording["agent_id"]) == ("seat1001", user_id(hotline, "agent1"))
    assert recording["contact_id"] is not None  # recorded like a callback: from the customer's answer
    lines = hotline.query("SELECT change FROM trunk_occupancy WHERE linkedid = :l ORDER BY id", l=linkedid)
    assert [r["change"] for r in lines] == [1, -1]  # the customer leg took a trunk line and gave it back
    manager = hotline.login("manager1")
    with hotline.client(manager) as c:
        figures = c.get("/api/reports/summary").json()["figures"]
    assert (figures["calls"], figures["offered"]) == (0, 0)  # no incoming call


def test_a_customer_who_rejects_the_call_fails_it_with_its_cause(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone]) -> None:
    carrier_port = free_sip_port()
    hotline = hotline_with(asterisk={"trunk_outbound_host": f"127.0.0.1:{carrier_port}"})
    phones("agent", hotline=hotline, seat="seat1001")  # answers at once
    customer = phones(CUSTOMER, sip_port=carrier_port)
    agent = bind_seat(hotline, "agent1", "seat1001")  # not ready: may place calls too

    with connect(f"ws://127.0.0.1:{hotline.http_port}/ws?token={agent}", open_timeout=5) as console:
        with hotline.client(agent) as c:
            assert c.post("/api/agent/dial", json={"number": "12"}).status_code == 422
            assert c.post("/api/agent/dial", json={"number": "1390000000x"}).status_code == 422
            assert c.post("/api/agent/dial", json={"number": CUSTOMER, "work_order_id": 999}).status_code == 404
            placed = c.post("/api/agent/dial", json={"number": CUSTOMER})
        assert placed.status_code == 202, placed.text
        customer.wait_event("CALL_INCOMING", timeout=10)
        customer.hangup()  # rejects the incoming call (486 Busy Here)
        failed = wait_message(console, "outbound.failed")
        assert (failed["linkedid"], failed["cause"]) == (placed.json()["linkedid"], "customer_busy")
        wait_message(console, "outbound.ended")
    wait_agent_state(hotline, agent, "ready")  # wrap-up after any call the agent answered
    row = wait_for(lambda: (lambda rows: rows[0] if rows and rows[0]["ended_at"] else None)(hotline.query(
        "SELECT outcome, answered_at, ended_at FROM contact WHERE linkedid = :l", l=placed.json()["linkedid"])),
        what="the failed outbound contact")
    assert (row["outcome"], row["answered_at"]) == ("customer_busy", None)


def test_an_agent_who_does_not_answer_their_own_phone_is_left_not_ready(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone]) -> None:
    carrier_port = free_sip_port()
    hotline = hotline_with(asterisk={"trunk_outbound_host": f"127.0.0.1:{carrier_port}"})
    seat_phone = phones("agent", hotline=hotline, seat="seat1001", answer=False)
    customer = phones(CUSTOMER, sip_port=carrier_port, answer=True)
    agent = bind_seat(hotline, "agent1", "seat1001")
    set_state(hotline, agent, "ready")

    with connect(f"ws://127.0.0.1:{hotline.http_port}/ws?token={agent}", open_timeout=5) as console:
        with hotline.client(agent) as c:
            linkedid = c.post("/api/agent/dial", json={"number": CUSTOMER}).json()["linkedid"]
        seat_phone.wait_event("CALL_INCOMING", timeout=10)  # rings for asterisk.ring_seconds (6 s here)
        failed = wait_message(console, "outbound.failed", timeout=20)
        assert (failed["linkedid"], failed["cause"], failed["agent_id"]) == (
            linkedid, "agent_noanswer", user_id(hotline, "agent1"))
    state = wait_agent_state(hotline, agent, "not_ready")
    assert state["reason"] == "missed"
    assert not customer.pending("CALL_ESTABLISHED")  # the customer was never called
    row = wait_for(lambda: (lambda rows: rows[0] if rows and rows[0]["outcome"] == "agent_noanswer" else None)(
        hotline.query("SELECT outcome, answered_at FROM contact WHERE linkedid = :l", l=linkedid)),
        what="the outbound contact's outcome")
    assert row["answered_at"] is None
