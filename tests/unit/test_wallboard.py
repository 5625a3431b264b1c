"""The supervisors' wallboard feed: the pacer (pure: event and send times in, the next deadline out), the
snapshot read from the ACD state, and the hub sending a burst of ACD events as one message to supervisors only.
No mocks: the hub is driven with real events, real ACD states and sockets that record what they are sent."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from acd.commands import Enqueue, LogIn, RegisterSeat, SetNotReady, SetReady
from acd.core import AcdState, decide
from agent_console.hub import ConsoleHub
from agent_console.wallboard import WALLBOARD_EVENTS, WallboardPacer, wallboard_snapshot
from kernel.call_events import AgentStateChanged, CallOffered, EmergencyModeChanged, IvrStepped

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_the_first_event_is_sent_after_the_settle_delay() -> None:
    pacer = WallboardPacer(interval=1.0, settle=0.1)
    assert pacer.event(10.0) == 10.1


def test_events_while_a_send_is_due_add_no_send() -> None:
    pacer = WallboardPacer(interval=1.0, settle=0.1)
    assert pacer.event(10.0) == 10.1
    assert pacer.event(10.05) is None
    assert pacer.event(10.09) is None


def test_after_a_send_the_next_waits_for_the_interval() -> None:
    pacer = WallboardPacer(interval=1.0, settle=0.1)
    pacer.event(10.0)
    pacer.sent(10.1)
    assert pacer.event(10.3) == 11.1  # not 10.4: at most one message per interval


def test_a_quiet_spell_longer_than_the_interval_sends_after_the_settle_delay_only() -> None:
    pacer = WallboardPacer(interval=1.0, settle=0.1)
    pacer.event(10.0)
    pacer.sent(10.1)
    assert pacer.event(15.0) == 15.1


def test_sends_are_never_closer_than_the_interval() -> None:
    pacer = WallboardPacer(interval=1.0, settle=0.1)
    sends: list[float] = []
    now = 0.0
    due: float | None = None
    for _ in range(400):  # an event every 30 ms; each due send happens on time
        now += 0.03
        if due is not None and now >= due:
            pacer.sent(due)
            sends.append(due)
            due = None
        due = pacer.event(now) or due
    gaps = [b - a for a, b in itertools.pairwise(sends)]
    assert sends and min(gaps) >= 1.0 - 1e-9


def acd_with_agents() -> AcdState:
    state = AcdState()
    for command in (RegisterSeat("seat1001", True), LogIn(7, "seat1001"), SetReady(7), LogIn(8, "seat1002"),
                    SetNotReady(8, "meal")):
        state, _ = decide(state, command, T0)
    return state


def test_snapshot_holds_every_queue_and_agent() -> None:
    state, _ = decide(acd_with_agents(), SetNotReady(7, "training"), T0)
    state, _ = decide(state, Enqueue(linkedid="c1", channel="PJSIP/trunk-1", queue="general", priority=0,
                                     account_number=None, caller_number="13800138000", ivr_path="main>agent"),
                      T0)
    snapshot = wallboard_snapshot(state, T0 + timedelta(seconds=12))
    assert (snapshot["type"], snapshot["v"], snapshot["emergency"]) == ("wallboard", 1, False)
    general = next(q for q in snapshot["queues"] if q["queue"] == "general")
    assert (general["waiting"], general["longest_wait"]) == (1, 12.0)
    agents = {a["agent_id"]: a for a in snapshot["agents"]}
    assert (agents[7]["state"], agents[7]["reason"], agents[7]["seat"]) == ("not_ready", "training", "seat1001")
    assert (agents[8]["state"], agents[8]["reason"]) == ("not_ready", "meal")
    assert agents[7]["since"] == T0.isoformat()


class RecordingSocket:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()

    async def send_text(self, data: str) -> None:
        self.sent.append(json.loads(data))
        self.arrived.set()

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m["type"] == kind]

    async def next_of_type(self, kind: str, count: int) -> list[dict[str, Any]]:
        async def wait() -> None:
            while len(self.of_type(kind)) < count:
                self.arrived.clear()
                await self.arrived.wait()
        await asyncio.wait_for(wait(), timeout=5)
        return self.of_type(kind)


class NoPops:
    async def screen_pop(self, offer: CallOffered) -> dict[str, Any]:
        raise AssertionError("no screen pop expected")


def state_change(agent_id: int, to_state: str) -> AgentStateChanged:
    return AgentStateChanged(at=T0, agent_id=agent_id, from_state="ready", to_state=to_state, reason="")


async def test_a_burst_of_events_reaches_supervisors_as_one_snapshot_of_the_newest_state() -> None:
    current = {"n": 0}
    hub = ConsoleHub(NoPops(), wallboard=lambda: {"type": "wallboard", "v": 1, "n": current["n"]},
                     wallboard_interval=0.05)
    supervisor, agent = RecordingSocket(), RecordingSocket()
    hub.connect(1, supervisor, supervisor=True)
    hub.connect(7, agent, supervisor=False)

    for n in range(1, 6):
        current["n"] = n
        await hub.on_event(state_change(7, "not_ready"))
    first = await supervisor.next_of_type("wallboard", 1)
    assert first == [{"type": "wallboard", "v": 1, "n": 5}]

    current["n"] = 6
    await hub.on_event(state_change(7, "ready"))
    second = await supervisor.next_of_type("wallboard", 2)
    assert second[-1]["n"] == 6
    assert len(supervisor.of_type("agent.state_changed")) == 6
    assert agent.of_type("wallboard") == []  # agents never receive the wallboard


def test_only_events_that_change_queues_agents_or_the_emergency_switch_wake_the_wallboard() -> None:
    assert isinstance(state_change(7, "ready"), WALLBOARD_EVENTS)
    assert isinstance(EmergencyModeChanged(at=T0, on=True, actor_id=1, note="", emergency_seats=(), overflow=()),
                      WALLBOARD_EVENTS)
    assert not isinstance(IvrStepped(at=T0, linkedid="c1", step="main"), WALLBOARD_EVENTS)
