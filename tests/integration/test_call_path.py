"""One real call through the whole hotline, on real parts: a caller's SIP phone dials 96106 over the
IP-identified trunk of a private Asterisk, the FastAGI IVR reads the bill, the caller asks for an agent,
the ACD rings a registered seat over AMI, the agent's console gets the screen pop over a websocket, the agent
opens a work order, audio flows both ways, and the contact record and the report show the call."""

from __future__ import annotations

import json
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from websockets.sync.client import connect

from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, wait_for

pytestmark = pytest.mark.integration

CALLER_TONE = 440
AGENT_TONE = 1000


def dial_hotline(caller: BaresipPhone, hotline: RunningHotline) -> None:
    caller.dial(f"sip:96106@127.0.0.1:{hotline.sip_port}")
    caller.wait_event("CALL_ESTABLISHED", timeout=10)


def call_and_queue(hotline: RunningHotline, caller: BaresipPhone, token: str) -> BaresipPhone:
    """The caller dials the hotline and presses 0 for an agent; returns once the contact shows them queued."""
    dial_hotline(caller, hotline)
    time.sleep(1.0)
    caller.send_dtmf("0")
    wait_for(lambda: (lambda c: c and c["queued_at"])(contact_of(hotline, token, caller.user)),
             what="the caller to be queued")
    return caller


def agent_ready(hotline: RunningHotline, username: str, seat: str) -> str:
    token = hotline.login(username)
    with hotline.client(token) as c:
        wait_for(lambda: next(s for s in c.get("/api/seats").json() if s["seat"] == seat)["registered"],
                 what=f"{seat} to register")
        assert c.put("/api/agent/seat", json={"seat": seat}).status_code == 200
        state = c.put("/api/agent/state", json={"state": "ready"}).json()
        assert state["state"] in ("ready", "offered"), state  # offered: a waiting call went straight to them
    return token


def contact_of(hotline: RunningHotline, token: str, caller_number: str) -> dict[str, Any] | None:
    with hotline.client(token) as c:
        calls = c.get("/api/calls").json()
    return next((call for call in calls if call["caller_number"] == caller_number), None)


def ended_contact(hotline: RunningHotline, token: str, caller_number: str) -> dict[str, Any]:
    return wait_for(lambda: (lambda c: c if c and c["ended_at"] else None)(
        contact_of(hotline, token, caller_number)), timeout=15, what="the contact record to be complete")


def dominant_frequency(path: Path, last_seconds: float = 1.5) -> float:
    """The strongest frequency in the last seconds of a recording (the talk, after IVR and hold music)."""
    with wave.open(str(path)) as w:
        rate = w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64)
    samples = samples[-int(rate * last_seconds):]
    if samples.size < rate // 4 or not np.any(samples):
        return 0.0
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[int(np.argmax(spectrum))])


def received_audio(phone: BaresipPhone) -> Path:
    """baresip's sndfile dumps the decoded (received) audio as *-dec.wav."""
    return next(p for p in phone.dumps() if p.name.endswith("-dec.wav"))


def talk_then_hang_up(caller: BaresipPhone, seat_phone: BaresipPhone) -> None:
    """Both phones (playing CALLER_TONE and AGENT_TONE) talk for a while, then the caller hangs up; each heard
    the other's tone to the end of the call."""
    time.sleep(2.5)
    caller.hangup()
    caller.wait_event("CALL_CLOSED", timeout=10)
    seat_phone.wait_event("CALL_CLOSED", timeout=10)
    assert abs(dominant_frequency(received_audio(seat_phone)) - CALLER_TONE) < 15, "agent did not hear caller"
    assert abs(dominant_frequency(received_audio(caller)) - AGENT_TONE) < 15, "caller did not hear agent"


def test_bill_then_agent_full_path(hotline: RunningHotline, phones: Callable[..., BaresipPhone]) -> None:
    seat_phone = phones("agent", hotline=hotline, seat="seat1001", frequency=AGENT_TONE)
    agent_token = agent_ready(hotline, "agent1", "seat1001")
    agent_id = hotline_user_id(hotline, "agent1")

    with connect(f"ws://127.0.0.1:{hotline.http_port}/ws?token={agent_token}", open_timeout=5) as console:
        hello = json.loads(console.recv(timeout=5))
        assert hello["type"] == "hello" and hello["agent"]["state"] == "ready"

        caller = phones("13800000001", frequency=CALLER_TONE)
        dial_hotline(caller, hotline)
        time.sleep(1.0)
        caller.send_dtmf("1")                  # hear my bill
        time.sleep(1.5)
        caller.send_dtmf("10001234#")          # the demo account 张伟, 123.45 yuan due
        pop = press_until_screen_pop(caller, console, key="0")  # 0 = an agent, once the bill has been read

        assert pop["v"] == 1
        assert pop["caller_number"] == "13800000001"
        assert pop["account"]["name"] == "张伟"
        assert pop["account"]["amount_due"] == "123.45"
        assert pop["account"]["address"]
        assert "bill" in pop["ivr_path"] and pop["ivr_path"].endswith("agent>queue")
        linkedid = pop["linkedid"]

        seat_phone.wait_event("CALL_ESTABLISHED", timeout=10)
        answered = wait_message(console, "offer.answered")
        assert answered["linkedid"] == linkedid

        with hotline.client(agent_token) as c:
            created = c.post("/api/work-orders", json={
                "linkedid": linkedid, "category": "leak", "priority": "high",
                "description": "水表前阀门漏水", "address": pop["account"]["address"]})
            assert created.status_code == 201, created.text
            order = created.json()
            assert order["owner_id"] == agent_id
            assert order["account_number"] == "10001234"
            fetched = c.get(f"/api/work-orders/{order['id']}")
            assert fetched.status_code == 200, fetched.text
            assert fetched.json()["history"][0]["action"] == "created"

        time.sleep(2.5)  # both phones talk: each plays its own tone
        caller.hangup()
        caller.wait_event("CALL_CLOSED", timeout=10)
        seat_phone.wait_event("CALL_CLOSED", timeout=10)
        ended = wait_message(console, "call.ended")
        assert ended["linkedid"] == linkedid

    assert abs(dominant_frequency(received_audio(seat_phone)) - CALLER_TONE) < 15, "agent did not hear caller"
    assert abs(dominant_frequency(received_audio(caller)) - AGENT_TONE) < 15, "caller did not hear agent"

    manager_token = hotline.login("manager1")
    contact = ended_contact(hotline, manager_token, "13800000001")
    assert contact["outcome"] == "answered"
    assert contact["account_number"] == "10001234"
    assert contact["agent_id"] == agent_id
    assert contact["queue"] == "general"
    times = [contact[k] for k in ("arrived_at", "ivr_left_at", "queued_at", "offered_at", "answered_at", "ended_at")]
    assert all(times) and times == sorted(times)
    assert contact["ivr_path"].startswith("main>bill>account")

    with hotline.client(manager_token) as c:
        report = c.get("/api/reports/summary").json()
    figures = report["figures"]
    assert (figures["offered"], figures["answered"], figures["abandoned"]) == (1, 1, 0)
    assert figures["answer_rate"] == 1.0
    assert figures["asa_seconds"] is not None and 0 <= figures["asa_seconds"] < 10
    assert "answer_rate" in report["definitions"]

    with hotline.client(agent_token) as c:
        state = wait_for(lambda: (lambda a: a if a["state"] == "ready" else None)(c.get("/api/agent").json()),
                         what="the agent to be ready again after wrap-up")
        assert state["state"] == "ready"


def test_caller_who_hangs_up_in_queue_is_abandoned(hotline: RunningHotline,
                                                   phones: Callable[..., BaresipPhone]) -> None:
    manager_token = hotline.login("manager1")
    caller = call_and_queue(hotline, phones("13900000002"), manager_token)
    time.sleep(6.0)  # the caller waits past the short-abandon threshold (5 s by default) before giving up
    caller.hangup()
    contact = ended_contact(hotline, manager_token, "13900000002")
    assert contact["outcome"] == "abandoned"
    assert contact["answered_at"] is None
    assert (contact["abandon_stage"], contact["short_abandon"]) == ("queue", False)
    assert contact["wait_seconds"] >= 6.0
    with hotline.client(manager_token) as c:
        figures = c.get("/api/reports/summary").json()["figures"]
    assert (figures["offered"], figures["answered"], figures["abandoned"]) == (1, 0, 1)
    assert figures["answer_rate"] == 0.0


def test_unknown_account_gets_two_more_tries_then_an_agent(hotline: RunningHotline,
                                                           phones: Callable[..., BaresipPhone]) -> None:
    manager_token = hotline.login("manager1")
    caller = phones("13700000003")
    dial_hotline(caller, hotline)
    time.sleep(1.0)
    caller.send_dtmf("1")
    time.sleep(1.5)
    for _ in range(3):
        caller.send_dtmf("99990000#")
        time.sleep(2.0)
    contact = wait_for(lambda: (lambda c: c if c and c["queued_at"] else None)(
        contact_of(hotline, manager_token, "13700000003")), timeout=20, what="transfer to the queue")
    assert contact["ivr_path"].count("unknown") == 3
    assert contact["ivr_path"].endswith("queue")
    caller.hangup()
    assert ended_contact(hotline, manager_token, "13700000003")["outcome"] == "abandoned"


# helpers ---------------------------------------------------------------------------------------------


def hotline_user_id(hotline: RunningHotline, username: str) -> int:
    with hotline.client() as c:
        response = c.post("/api/auth/login", json={"username": username, "password": "qingquan-demo"})
    return int(response.json()["user"]["id"])


def wait_message(console: Any, message_type: str, timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no {message_type} on the websocket")
        try:
            message = json.loads(console.recv(timeout=remaining))
        except TimeoutError:
            continue
        if message.get("type") == message_type:
            return message  # type: ignore[no-any-return]


def press_until_screen_pop(caller: BaresipPhone, console: Any, key: str, timeout: float = 90.0) -> dict[str, Any]:
    """The bill is read without barge-in; the caller presses the key until the menu takes it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        caller.send_dtmf(key)
        try:
            return wait_message(console, "call.offered", timeout=1.5)
        except TimeoutError:
            continue
    raise TimeoutError("no screen pop")
