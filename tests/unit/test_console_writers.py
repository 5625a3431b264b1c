"""The hub's per-socket writers: the outbox (pure: order, the newest wallboard replacing a waiting one, the bound)
and the writer tasks behind the hub (order per socket, a slow socket delays only itself and is given up when
too far behind, a broken or disconnected socket is forgotten). Sockets are in-memory fakes that record what
they are sent; a gate holds a slow one."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from agent_console.hub import ConsoleHub
from agent_console.outbox import Outbox
from agent_console.socket_writer import OUTBOX_LIMIT, TRY_AGAIN_LATER
from kernel.call_events import AgentRinging, AgentStateChanged, CallOffered

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_an_outbox_gives_messages_back_in_order() -> None:
    box: Outbox[str] = Outbox(10)
    for text in ("a", "b", "c"):
        assert box.put(text)
    assert [box.take(), box.take(), box.take(), box.take()] == ["a", "b", "c", None]


def test_a_waiting_wallboard_is_replaced_by_the_newer_one_at_the_end() -> None:
    box: Outbox[str] = Outbox(10)
    box.put("w1", replaceable=True)
    box.put("e1")
    box.put("w2", replaceable=True)
    box.put("e2")
    box.put("w3", replaceable=True)
    assert [box.take() for _ in range(len(box))] == ["e1", "e2", "w3"]
    box.put("w4", replaceable=True)  # the one taken is not replaced: it has left
    assert box.take() == "w4"


def test_an_outbox_refuses_past_its_limit_but_a_wallboard_still_replaces() -> None:
    box: Outbox[str] = Outbox(3)
    assert box.put("w1", replaceable=True) and box.put("e1") and box.put("e2")
    assert not box.put("e3")
    assert box.put("w2", replaceable=True)  # replaces w1: no more room taken
    assert len(box) == 3 and [box.take() for _ in range(3)] == ["e1", "e2", "w2"]
    with pytest.raises(ValueError):
        Outbox(0)


class Socket:
    def __init__(self, *, gated: bool = False, broken: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.closed: tuple[int, str | None] | None = None
        self.gate = asyncio.Event()
        if not gated:
            self.gate.set()
        self.broken = broken

    async def send_text(self, data: str) -> None:
        if self.broken:
            raise RuntimeError("the socket is closed")
        await self.gate.wait()
        self.sent.append(json.loads(data))

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.closed = (code, reason)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m["type"] == kind]


class Pops:
    def __init__(self) -> None:
        self.ready = asyncio.Event()

    async def screen_pop(self, offer: CallOffered) -> dict[str, Any]:
        await self.ready.wait()  # the account is being read
        return offer.to_wire()


def changed(agent_id: int, n: int) -> AgentStateChanged:
    return AgentStateChanged(at=T0, agent_id=agent_id, from_state="ready", to_state="not_ready", reason=str(n))


async def test_each_socket_gets_its_messages_in_order_and_a_slow_one_delays_only_itself() -> None:
    hub = ConsoleHub(Pops())
    fast, slow = Socket(), Socket(gated=True)
    hub.connect(1, fast, supervisor=True)
    hub.connect(2, slow, supervisor=True)
    for n in range(20):
        await hub.on_event(changed(7, n))  # returns at once: nothing waits on the slow socket
    await asyncio.wait_for(hub_writer_drained(hub, fast), 5)
    assert [m["reason"] for m in fast.sent] == [str(n) for n in range(20)]
    assert slow.sent == []
    slow.gate.set()
    await asyncio.wait_for(hub.settle(), 5)
    assert [m["reason"] for m in slow.sent] == [str(n) for n in range(20)]


async def hub_writer_drained(hub: ConsoleHub, socket: Socket) -> None:
    while len(socket.sent) < 20:
        await asyncio.sleep(0.001)


async def test_a_slow_supervisor_gets_the_newest_wallboard_only() -> None:
    snapshot = {"n": 0}
    hub = ConsoleHub(Pops(), wallboard=lambda: {"type": "wallboard", "v": 1, "n": snapshot["n"]},
                     wallboard_interval=0.01)
    slow = Socket(gated=True)
    hub.connect(1, slow, supervisor=True)
    for n in range(1, 6):
        snapshot["n"] = n
        await hub.on_event(changed(7, n))
        await asyncio.sleep(0.05)  # a wallboard is queued after the changes
    await asyncio.sleep(0.3)  # the last one too
    slow.gate.set()
    await asyncio.wait_for(hub.settle(), 5)
    assert len(slow.of_type("agent.state_changed")) == 5
    wallboards = slow.of_type("wallboard")
    assert wallboards[-1]["n"] == 5 and len(wallboards) <= 2  # the first, taken before the gate; then the newest


async def test_a_socket_too_far_behind_is_closed_and_the_others_go_on() -> None:
    hub = ConsoleHub(Pops())
    stuck, fine = Socket(gated=True), Socket()
    hub.connect(1, stuck, supervisor=True)
    hub.connect(2, fine, supervisor=True)
    for n in range(OUTBOX_LIMIT + 2):  # the stuck socket holds one message in hand and OUTBOX_LIMIT waiting
        await hub.on_event(changed(7, n))
    await asyncio.sleep(0.01)
    assert stuck.closed == (TRY_AGAIN_LATER, "too far behind")
    await hub.on_event(changed(7, -1))
    await asyncio.wait_for(hub.settle(), 5)
    assert len(fine.sent) == OUTBOX_LIMIT + 3
    assert stuck.sent == []


async def test_a_broken_or_disconnected_socket_is_forgotten_and_its_writer_ends() -> None:
    hub = ConsoleHub(Pops())
    broken, leaving, staying = Socket(broken=True), Socket(), Socket()
    hub.connect(1, broken, supervisor=True)
    hub.connect(2, leaving, supervisor=True)
    hub.connect(3, staying, supervisor=True)
    await hub.on_event(changed(7, 1))
    await asyncio.wait_for(hub.settle(), 5)
    hub.disconnect(2, leaving)
    await hub.on_event(changed(7, 2))
    await asyncio.wait_for(hub.settle(), 5)
    assert [m["reason"] for m in staying.sent] == ["1", "2"]
    assert [m["reason"] for m in leaving.sent] == ["1"]
    await asyncio.sleep(0)
    writers = [t for t in asyncio.all_tasks() if t.get_name() == "console-writer"]
    assert len(writers) == 1  # the staying socket's only


async def test_a_screen_pop_holds_what_follows_it_on_its_socket_only() -> None:
    pops = Pops()
    hub = ConsoleHub(pops)
    agent, supervisor = Socket(), Socket()
    hub.connect(7, agent, supervisor=False)
    hub.connect(1, supervisor, supervisor=True)
    await hub.on_event(CallOffered(at=T0, linkedid="c1", agent_id=7, seat="seat1001", channel="PJSIP/trunk-1",
                                   queue="general", account_number=None, caller_number="13800000001",
                                   ivr_path="main>agent"))
    await hub.on_event(AgentRinging(at=T0, linkedid="c1", seat="seat1001", agent_channel="PJSIP/seat1001-1"))
    await hub.on_event(changed(7, 1))
    await asyncio.sleep(0.01)
    assert [m["type"] for m in supervisor.sent] == ["agent.state_changed"]  # not held by the pop
    assert agent.sent == []  # its own state change waits behind its pop
    pops.ready.set()
    await asyncio.wait_for(hub.settle(), 5)
    assert [m["type"] for m in agent.sent] == ["call.offered", "agent.state_changed"]
