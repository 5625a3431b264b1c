"""The simulated people of a load run: agents on the everyday seats from the start; emergency agents who log in
on the emergency seats when the supervisor throws the emergency switch mid-run (a cold snap: 15 seats, then
50); the supervisor, whose consoles watch the run and who reads the day's report afterwards."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from loadgen.agents import SimulatedAgent
from loadgen.consoles import ConsoleWatchers
from loadgen.records import SIM_PASSWORD, ensure_agents, ensure_supervisor


class Staff:
    def __init__(self, base_url: str, factory: sessionmaker[Session], *, everyday: list[str],
                 emergency: list[str], seed: int, wrapup_mean_seconds: float, consoles: int,
                 now: datetime) -> None:
        """``everyday`` / ``emergency``: the seats the agents take, from the start / after the switch."""
        self._base_url = base_url
        names = ensure_agents(factory, len(everyday) + len(emergency), now)
        self.agents = [SimulatedAgent(base_url, name, SIM_PASSWORD, seat, number=n, seed=seed,
                                      wrapup_mean_seconds=wrapup_mean_seconds)
                       for n, (name, seat) in enumerate(zip(names, everyday + emergency, strict=True), start=1)]
        self._everyday, self._emergency = self.agents[:len(everyday)], self.agents[len(everyday):]
        self._seats = everyday + emergency
        supervisor = ensure_supervisor(factory, now)
        login = httpx.post(f"{base_url}/api/auth/login", timeout=10,
                           json={"username": supervisor, "password": SIM_PASSWORD})
        login.raise_for_status()
        token = str(login.json()["access_token"])
        self._supervisor = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                                        timeout=10)
        self.watchers = (ConsoleWatchers(base_url.replace("http", "ws", 1) + f"/ws?token={token}", consoles)
                         if consoles > 0 else None)
        self._timer: threading.Timer | None = None
        self.emergency_switched_at: float | None = None  # time.monotonic()
        self.problems: list[str] = []

    def start(self) -> None:
        """Once every seat has registered: the everyday agents go ready, the consoles connect."""
        self._wait_registered()
        for agent in self._everyday:
            agent.start()
        if self.watchers is not None:
            self.watchers.start()

    def switch_emergency_after(self, seconds: float) -> None:
        self._timer = threading.Timer(seconds, self._switch_emergency)
        self._timer.daemon = True
        self._timer.start()

    def _switch_emergency(self) -> None:
        try:
            self._supervisor.put("/api/acd/emergency", json={"on": True, "note": "simulated cold snap"}
                                 ).raise_for_status()
            self.emergency_switched_at = time.monotonic()
            for agent in self._emergency:
                agent.start()
        except Exception as exc:  # reported with the run's figures; the run goes on with whom it has
            self.problems.append(f"emergency switch: {exc}")

    @property
    def emergency_offers(self) -> int:
        return sum(agent.counts.offers for agent in self._emergency)

    def summary(self, day: date) -> dict[str, Any]:
        """The day's summary report figures, as a supervisor reads them."""
        response = self._supervisor.get("/api/reports/summary", params={"from": day.isoformat(),
                                                                        "to": day.isoformat()})
        response.raise_for_status()
        return dict(response.json()["figures"])

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        for agent in self.agents:
            agent.stop()
        if self.watchers is not None:
            self.watchers.stop()
        if self.emergency_switched_at is not None:
            try:
                self._supervisor.put("/api/acd/emergency", json={"on": False, "note": "simulation over"})
            except httpx.HTTPError as exc:
                self.problems.append(f"emergency switch off: {exc}")

    def close(self) -> None:
        self._supervisor.close()

    def _wait_registered(self, timeout: float = 20.0) -> None:
        """Until the ACD has seen every seat register (the agents may then be offered calls on them)."""
        deadline = time.monotonic() + timeout
        missing = set(self._seats)
        while time.monotonic() < deadline:
            missing = set(self._seats) - {s["seat"] for s in self._supervisor.get("/api/seats").json()
                                          if s["registered"]}
            if not missing:
                return
            time.sleep(0.2)
        raise RuntimeError(f"seats not registered after {timeout} s: {sorted(missing)}")
