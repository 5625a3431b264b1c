"""Steps the ACD integration tests share: agents binding seats and changing state over the REST API, callers
walking the IVR to the queue, and reading queues, agents and contacts back."""

from __future__ import annotations

import time
from typing import Any

from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, wait_for


def bind_seat(hotline: RunningHotline, username: str, seat: str) -> str:
    """Logs the agent in on a registered seat (not ready); returns their token."""
    token = hotline.login(username)
    with hotline.client(token) as c:
        wait_for(lambda: next(s for s in c.get("/api/seats").json() if s["seat"] == seat)["registered"],
                 what=f"{seat} to register")
        response = c.put("/api/agent/seat", json={"seat": seat})
        assert response.status_code == 200, response.text
    return token


def set_state(hotline: RunningHotline, token: str, state: str) -> dict[str, Any]:
    with hotline.client(token) as c:
        response = c.put("/api/agent/state", json={"state": state})
    assert response.status_code == 200, response.text
    return dict(response.json())


def agent_state(hotline: RunningHotline, token: str) -> dict[str, Any]:
    with hotline.client(token) as c:
        return dict(c.get("/api/agent").json())


def wait_agent_state(hotline: RunningHotline, token: str, state: str, timeout: float = 15.0) -> dict[str, Any]:
    return wait_for(lambda: (lambda a: a if a["state"] == state else None)(agent_state(hotline, token)),
                    timeout=timeout, what=f"the agent to be {state}")


def queue_summary(hotline: RunningHotline, token: str, queue: str = "general") -> dict[str, Any]:
    with hotline.client(token) as c:
        return dict(next(q for q in c.get("/api/queues").json() if q["queue"] == queue))


def queued_call(hotline: RunningHotline, token: str, linkedid: str) -> dict[str, Any] | None:
    """The waiting call's position and status, None when it is not waiting (any more)."""
    with hotline.client(token) as c:
        response = c.get(f"/api/queues/calls/{linkedid}")
    return dict(response.json()) if response.status_code == 200 else None


def contact_where(hotline: RunningHotline, token: str, caller_number: str, field: str) -> dict[str, Any]:
    """The caller's contact record, once ``field`` is set in it."""
    def check() -> dict[str, Any] | None:
        with hotline.client(token) as c:
            calls = c.get("/api/calls").json()
        return next((dict(call) for call in calls if call["caller_number"] == caller_number and call[field]), None)
    return wait_for(check, what=f"the contact of {caller_number} to have {field}")


def press_until(caller: BaresipPhone, key: str, done: Any, timeout: float = 40.0, every: float = 1.0) -> Any:
    """Presses ``key`` until ``done()`` is truthy (a prompt that takes no barge-in ignores early presses)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        caller.send_dtmf(key)
        try:
            return wait_for(done, timeout=every, interval=0.1, what="the key to be taken")
        except TimeoutError:
            continue
    raise TimeoutError(f"{caller.user}: pressing {key} had no effect within {timeout} s")


def enter_account(hotline: RunningHotline, caller: BaresipPhone, account: str) -> None:
    """The caller dials the hotline, presses 1 (my bill) and keys ``account`` + '#'; the bill is then read."""
    caller.dial(f"sip:96106@127.0.0.1:{hotline.sip_port}")
    caller.wait_event("CALL_ESTABLISHED", timeout=10)
    time.sleep(1.0)  # the IVR's AGI dialogue starts after the answer
    caller.send_dtmf("1")
    time.sleep(1.5)
    caller.send_dtmf(f"{account}#")


def press_0_until_queued(hotline: RunningHotline, caller: BaresipPhone, token: str) -> dict[str, Any]:
    """After the bill the caller presses 0 for an agent (the bill takes no barge-in); returns their contact
    once they are queued."""
    def queued() -> dict[str, Any] | None:
        with hotline.client(token) as c:
            calls = c.get("/api/calls").json()
        return next((dict(call) for call in calls if call["caller_number"] == caller.user and call["queued_at"]),
                    None)
    return dict(press_until(caller, "0", queued))


def user_id(hotline: RunningHotline, username: str) -> int:
    with hotline.client() as c:
        response = c.post("/api/auth/login", json={"username": username, "password": "qingquan-demo"})
    return int(response.json()["user"]["id"])
