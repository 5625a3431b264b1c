"""Simulated agents: each logs in through the console API, binds a seat, opens the console websocket and goes
ready, as a person at the console would. Its seat phone (the SIPp UAS) answers and talks; when the console says
the agent is in wrap-up, the agent ends it from the console (``PUT /api/agent/state ready``) after a drawn
time; after an offer its seat missed (the ACD makes the agent not ready), it goes ready again. One thread per
agent reads its websocket."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from loadgen.plan import wrapup_seconds

log = logging.getLogger(__name__)
MISSED_READY_SECONDS = 1.0  # after a missed offer, the agent presses ready again this much later


@dataclass
class AgentCounts:
    offers: int = 0
    calls: int = 0
    wrapups_ended: int = 0
    wrapup_refused: int = 0  # the ACD had moved on (wrap-up over, or a new offer) before the agent ended it
    missed: int = 0  # offers the seat did not answer (the ACD made the agent not ready; they go ready again)
    errors: list[str] = field(default_factory=list)


class SimulatedAgent:
    def __init__(self, base_url: str, username: str, password: str, seat: str, *, number: int, seed: int,
                 wrapup_mean_seconds: float) -> None:
        self.username, self.seat, self.number = username, seat, number
        self.counts = AgentCounts()
        self.agent_id: int | None = None
        self._base_url, self._password = base_url, password
        self._seed, self._wrapup_mean = seed, wrapup_mean_seconds
        self._http: httpx.Client | None = None
        self._socket: ClientConnection | None = None
        self._lock = threading.Lock()
        self._timers: list[threading.Timer] = []
        self._stopping = False

    def start(self) -> None:
        """Logs in, binds the seat, connects the console, goes ready."""
        login = httpx.post(f"{self._base_url}/api/auth/login", timeout=10,
                           json={"username": self.username, "password": self._password})
        login.raise_for_status()
        token = str(login.json()["access_token"])
        self.agent_id = int(login.json()["user"]["id"])
        self._http = httpx.Client(base_url=self._base_url, headers={"Authorization": f"Bearer {token}"},
                                  timeout=10)
        self._request("PUT", "/api/agent/seat", {"seat": self.seat}).raise_for_status()
        ws_url = self._base_url.replace("http", "ws", 1) + f"/ws?token={token}"
        self._socket = connect(ws_url, open_timeout=10, max_size=None)
        threading.Thread(target=self._read, name=f"agent-{self.username}", daemon=True).start()
        self._request("PUT", "/api/agent/state", {"state": "ready"}).raise_for_status()

    def _request(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        assert self._http is not None
        with self._lock:
            return self._http.request(method, path, json=body)

    def _read(self) -> None:
        assert self._socket is not None
        try:
            for raw in self._socket:
                self._on_message(json.loads(raw))
        except Exception as exc:  # the socket closes when the run stops; anything else is reported
            if not self._stopping:
                self.counts.errors.append(f"console websocket: {exc}")

    def _on_message(self, message: dict[str, Any]) -> None:
        if message.get("type") != "agent.state_changed" or message.get("agent_id") != self.agent_id:
            return
        to_state = message.get("to_state")
        if to_state == "offered":
            self.counts.offers += 1
        elif to_state == "on_call":
            self.counts.calls += 1
        elif to_state == "wrap_up":
            self._later(wrapup_seconds(self._seed, self.number, self.counts.calls, self._wrapup_mean))
        elif to_state == "not_ready" and message.get("reason") == "missed":
            self.counts.missed += 1
            self._later(MISSED_READY_SECONDS)

    def _later(self, delay: float) -> None:
        """Goes ready from the console after ``delay`` seconds."""
        timer = threading.Timer(delay, self._go_ready)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def _go_ready(self) -> None:
        if self._stopping:
            return
        try:
            response = self._request("PUT", "/api/agent/state", {"state": "ready"})
        except httpx.HTTPError as exc:
            self.counts.errors.append(f"end wrap-up: {exc}")
            return
        if response.status_code == 200:
            self.counts.wrapups_ended += 1
        elif response.status_code == 409:
            self.counts.wrapup_refused += 1
        else:
            self.counts.errors.append(f"end wrap-up: HTTP {response.status_code} {response.text[:200]}")

    def stop(self) -> None:
        """Logs out and closes the console."""
        self._stopping = True
        for timer in self._timers:
            timer.cancel()
        if self._http is not None:
            with contextlib.suppress(httpx.HTTPError):
                self._request("PUT", "/api/agent/state", {"state": "logged_out"})
            self._http.close()
        if self._socket is not None:
            self._socket.close()
