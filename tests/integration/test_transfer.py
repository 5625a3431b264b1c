"""Transfer of a live call on real Asterisk: the agent hands the caller to a second agent who is ready (their
seat rings with the same screen pop and the caller hears them), or to a queue where the caller waits on hold
until an agent is ready. The caller's channel is Redirected out of the bridge, which hangs up the first
agent's leg; the first agent wraps up; the contact stays one record with both agents and is no abandon."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from websockets.sync.client import connect

from tests.integration.test_call_path import (
    call_and_queue,
    dominant_frequency,
    ended_contact,
    received_audio,
    wait_message,
)
from tests.support.acd_steps import bind_seat, queued_call, set_state, user_id, wait_agent_state
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, wait_for

pytestmark = pytest.mark.integration

CALLER_TONE = 440
FIRST_TONE = 1000
SECOND_TONE = 2000
WRAPUP = {"acd": {"wrapup_seconds": 30}}  # long enough to see the first agent wrapping up


def transfer(hotline: RunningHotline, token: str, body: dict[str, Any]) -> Any:
    with hotline.client(token) as c:
        return c.post("/api/agent/transfer", json=body)


def contact_row(hotline: RunningHotline, linkedid: str) -> dict[str, Any]:
    rows = hotline.query("SELECT agent_id, transferred_to_agent_id, transfer_count, transferred_at, answered_at,"
                         " transfer_answered_at, talk_ended_at, ended_at, outcome, abandon_stage FROM contact"
                         " WHERE linkedid = :l", l=linkedid)
    assert len(rows) == 1  # one contact for the whole call
    return rows[0]


def test_transfer_to_a_ready_agent(hotline_with: Callable[..., RunningHotline],
                                   phones: Callable[..., BaresipPhone]) -> None:
    hotline = hotline_with(**WRAPUP)
    first_seat = phones("first", hotline=hotline, seat="seat1001", frequency=FIRST_TONE)
    second_seat = phones("second", hotline=hotline, seat="seat1002", frequency=SECOND_TONE)
    first = bind_seat(hotline, "agent1", "seat1001")
    second = bind_seat(hotline, "agent2", "seat1002")
    set_state(hotline, first, "ready")
    manager = hotline.login("manager1")
    first_id, second_id = user_id(hotline, "agent1"), user_id(hotline, "agent2")

    caller = call_and_queue(hotline, phones("13800000011", frequency=CALLER_TONE), manager)
    first_seat.wait_event("CALL_ESTABLISHED", timeout=10)
    linkedid = wait_agent_state(hotline, first, "on_call")["call"]
    with hotline.client(first) as c:
        order = c.post("/api/work-orders", json={"linkedid": linkedid, "category": "complaint",
                                                 "description": "水压低, 转计费组"}).json()
    assert transfer(hotline, first, {"to_agent_id": second_id}).json()["error"] == "transfer_target_not_ready"

    set_state(hotline, second, "ready")
    with connect(f"ws://127.0.0.1:{hotline.http_port}/ws?token={second}", open_timeout=5) as console:
        assert json.loads(console.recv(timeout=5))["type"] == "hello"
        moved = transfer(hotline, first, {"to_agent_id": second_id})
        assert moved.status_code == 200, moved.text
        assert moved.json() == {"linkedid": linkedid, "to_agent_id": second_id, "queue": None}
        pop = wait_message(console, "call.offered")  # the screen pop reaches the second agent, same call
        assert (pop["linkedid"], pop["transferred_by"], pop["caller_number"]) == (linkedid, first_id, caller.user)
        assert [o["id"] for o in pop["work_orders"]] == [order["id"]]
        second_seat.wait_event("CALL_ESTABLISHED", timeout=10)
        first_seat.wait_event("CALL_CLOSED", timeout=10)  # the Redirect hung up the first agent's leg
        assert wait_message(console, "offer.answered")["linkedid"] == linkedid
    assert wait_agent_state(hotline, first, "wrap_up")["call"] == linkedid
    assert wait_agent_state(hotline, second, "on_call")["call"] == linkedid

    time.sleep(2.5)  # the caller and the second agent talk
    caller.hangup()
    second_seat.wait_event("CALL_CLOSED", timeout=10)
    assert abs(dominant_frequency(received_audio(caller)) - SECOND_TONE) < 15, "caller did not hear agent 2"
    assert abs(dominant_frequency(received_audio(second_seat)) - CALLER_TONE) < 15, "agent 2 did not hear caller"

    assert ended_contact(hotline, manager, caller.user)["outcome"] == "answered"
    row = wait_for(lambda: (lambda r: r if r["transfer_answered_at"] else None)(contact_row(hotline, linkedid)),
                   what="the transfer's answer on the contact")
    assert (row["agent_id"], row["transferred_to_agent_id"], row["transfer_count"], row["outcome"]) == (
        first_id, second_id, 1, "answered")
    assert row["answered_at"] < row["transferred_at"] <= row["talk_ended_at"] < row["ended_at"]
    with hotline.client(manager) as c:
        figures = c.get("/api/reports/summary").json()["figures"]
    assert (figures["offered"], figures["answered"], figures["abandoned"]) == (1, 1, 0)
    with hotline.client(manager) as c:
        order_now = c.get(f"/api/work-orders/{order['id']}").json()
    assert order_now["contact_id"] is not None  # the work order stays linked to the one contact
    recordings = wait_for(lambda: (lambda rows: rows if len(rows) == 2 and all(r["ended_at"] for r in rows) else None)(
        hotline.query("SELECT seat, agent_id, ended_at FROM recording WHERE linkedid = :l ORDER BY id", l=linkedid)),
        what="a recording of each agent's leg")
    assert [(r["seat"], r["agent_id"]) for r in recordings] == [("seat1001", first_id), ("seat1002", second_id)]


def test_transfer_to_a_queue_waits_on_hold_until_an_agent_is_ready(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone]) -> None:
    hotline = hotline_with(acd={"wrapup_seconds": 30, "queues": [{"name": "general"},
                                                                           {"name": "billing"}]})
    first_seat = phones("first", hotline=hotline, seat="seat1001", frequency=FIRST_TONE)
    second_seat = phones("second", hotline=hotline, seat="seat1002", frequency=SECOND_TONE)
    first = bind_seat(hotline, "agent1", "seat1001")
    second = bind_seat(hotline, "agent2", "seat1002")  # not ready: nobody is free for the queue
    set_state(hotline, first, "ready")
    manager = hotline.login("manager1")

    caller = call_and_queue(hotline, phones("13800000012", frequency=CALLER_TONE), manager)
    first_seat.wait_event("CALL_ESTABLISHED", timeout=10)
    linkedid = wait_agent_state(hotline, first, "on_call")["call"]
    assert transfer(hotline, second, {"queue": "billing"}).json()["error"] == "agent_not_on_call"
    assert transfer(hotline, first, {"queue": "nowhere"}).status_code == 404
    assert transfer(hotline, first, {"queue": "billing", "to_agent_id": 2}).status_code == 422

    moved = transfer(hotline, first, {"queue": "billing"})
    assert moved.status_code == 200, moved.text
    first_seat.wait_event("CALL_CLOSED", timeout=10)
    waiting = wait_for(lambda: queued_call(hotline, manager, linkedid), what="the caller back in line")
    assert (waiting["queue"], waiting["position"]) == ("billing", 1)
    wait_agent_state(hotline, first, "wrap_up")
    time.sleep(2.0)  # on hold: nobody rings
    assert not second_seat.pending("CALL_ESTABLISHED")

    with connect(f"ws://127.0.0.1:{hotline.http_port}/ws?token={second}", open_timeout=5) as console:
        json.loads(console.recv(timeout=5))
        set_state(hotline, second, "ready")
        pop = wait_message(console, "call.offered")
        assert pop["linkedid"] == linkedid and pop["queue"] == "billing"
        second_seat.wait_event("CALL_ESTABLISHED", timeout=10)
    time.sleep(2.5)
    caller.hangup()
    second_seat.wait_event("CALL_CLOSED", timeout=10)
    assert abs(dominant_frequency(received_audio(caller)) - SECOND_TONE) < 15, "caller did not hear agent 2"

    ended_contact(hotline, manager, caller.user)
    row = wait_for(lambda: (lambda r: r if r["transfer_answered_at"] else None)(contact_row(hotline, linkedid)),
                   what="the transfer's answer on the contact")
    assert (row["agent_id"], row["transferred_to_agent_id"], row["transfer_count"], row["outcome"],
            row["abandon_stage"]) == (user_id(hotline, "agent1"), user_id(hotline, "agent2"), 1, "answered", None)
