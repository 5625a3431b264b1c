"""Offer latency on real Asterisk with real SIP phones (baresip): how long until the agent's phone rings.

Case 1: an agent is free when the caller enters the queue (from the contact's queued_at, stamped when the
AMI UserEvent is read, to the seat phone's incoming-call event). Case 2: a caller waits and the agent
becomes free (from the agent's "ready" request to the incoming-call event). Prints figures; asserts nothing.
Usage: .venv/bin/python -m benchmarks.offer_latency [SAMPLES]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from tests.support.baresip import BaresipPhone, free_port, free_sip_port
from tests.support.hotline import RunningHotline, start_hotline, wait_for


def phone(root: Path, user: str, hotline: RunningHotline | None = None, seat: str | None = None) -> BaresipPhone:
    p = BaresipPhone(workdir=root / f"{user}-{time.monotonic_ns()}", sip_port=free_sip_port(), ctrl_port=free_port(),
                     user=seat or user, registrar_port=hotline.sip_port if hotline and seat else None,
                     password=hotline.seats[seat] if hotline and seat else None, auto_answer=False)
    p.start()
    return p


def set_state(hotline: RunningHotline, token: str, state: str) -> None:
    with hotline.client(token) as c:
        c.put("/api/agent/state", json={"state": state, "reason": "training"}).raise_for_status()


def queued_at(hotline: RunningHotline, token: str, caller: str) -> float:
    def find() -> float | None:
        with hotline.client(token) as c:
            calls = c.get("/api/calls").json()
        hit = next((x for x in calls if x["caller_number"] == caller and x["queued_at"]), None)
        return datetime.fromisoformat(hit["queued_at"]).timestamp() if hit else None
    return wait_for(find, what="queued")


def one_sample(root: Path, hotline: RunningHotline, seat_phone: BaresipPhone, agent: str, manager: str,
               n: int, agent_first: bool) -> float:
    caller_number = f"1580000{n:04d}"
    if not agent_first:
        set_state(hotline, agent, "not_ready")
    caller = phone(root, caller_number)  # (case 2: the agent was ready again after the previous sample)
    caller.dial(f"sip:96106@127.0.0.1:{hotline.sip_port}")
    caller.wait_event("CALL_ESTABLISHED", timeout=10)
    time.sleep(0.8)
    caller.send_dtmf("0")
    queued = queued_at(hotline, manager, caller_number)
    if agent_first:
        start = queued
    else:
        time.sleep(0.5)
        start = time.time()
        set_state(hotline, agent, "ready")
    ringing = seat_phone.wait_event("CALL_INCOMING", timeout=15)["received_at"]
    caller.hangup()
    caller.wait_event("CALL_CLOSED", timeout=10)
    caller.stop()
    time.sleep(0.3)
    return float(ringing - start)


def main(samples: int = 10) -> None:
    root = Path(tempfile.mkdtemp(prefix="qq-bench-"))
    hotline = start_hotline(root / "hotline")
    try:
        seat_phone = phone(root, "seat", hotline, "seat1001")
        agent, manager = hotline.login("agent1"), hotline.login("manager1")
        with hotline.client(agent) as c:
            wait_for(lambda: next(s for s in c.get("/api/seats").json() if s["seat"] == "seat1001")["registered"])
            c.put("/api/agent/seat", json={"seat": "seat1001"}).raise_for_status()
        set_state(hotline, agent, "ready")
        for agent_first, label in ((True, "agent free when the caller is queued"),
                                   (False, "caller waiting when the agent becomes ready")):
            figures = [one_sample(root, hotline, seat_phone, agent, manager, i + (0 if agent_first else 500),
                                  agent_first) * 1000 for i in range(samples)]
            print(f"{label}: n={samples} median {statistics.median(figures):.1f} ms, "
                  f"min {min(figures):.1f} ms, max {max(figures):.1f} ms")
        seat_phone.stop()
    finally:
        hotline.stop()


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
