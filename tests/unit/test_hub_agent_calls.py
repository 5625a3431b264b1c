"""The websocket hub and the calls agents place or move: an outbound call's progress reaches the agent who
placed it (and nobody else), a transfer reaches the agent who made it and the supervisors, and a supervision
session reaches its supervisor only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from agent_console.hub import ConsoleHub
from kernel.agent_call_events import (
    CallTransferred,
    OutboundAgentRinging,
    OutboundAnswered,
    OutboundCustomerRinging,
    OutboundEnded,
    OutboundFailed,
    OutboundStarted,
    SpyEnded,
    SpyStarted,
)
from kernel.call_events import AgentRinging, CallOffered
from kernel.events import Event

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


class Socket:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send_text(self, data: str) -> None:
        self.sent.append(json.loads(data))

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        pass

    def types(self) -> list[str]:
        return [m["type"] for m in self.sent]


class Pops:
    async def screen_pop(self, offer: CallOffered) -> dict[str, Any]:
        return {**offer.to_wire(), "work_orders": []}


def hub_with(*agents: int, supervisors: tuple[int, ...] = ()) -> tuple[ConsoleHub, dict[int, Socket]]:
    hub = ConsoleHub(Pops())
    sockets = {a: Socket() for a in (*agents, *supervisors)}
    for agent_id, socket in sockets.items():
        hub.connect(agent_id, socket, supervisor=agent_id in supervisors)
    return hub, sockets


async def feed(hub: ConsoleHub, events: list[Event]) -> None:
    for event in events:
        await hub.on_event(event)
    await hub.settle()  # each socket's writer has written what the hub queued


async def test_the_progress_of_an_outbound_call_reaches_the_agent_who_placed_it() -> None:
    hub, sockets = hub_with(7, 8, supervisors=(5,))
    await feed(hub, [
        OutboundStarted(at=NOW, linkedid="qqo-1", agent_id=7, seat="seat1001", number="13900000001"),
        OutboundAgentRinging(at=NOW, linkedid="qqo-1", seat="seat1001"),
        OutboundCustomerRinging(at=NOW, linkedid="qqo-1", channel="PJSIP/trunk-1"),
        OutboundAnswered(at=NOW, linkedid="qqo-1"),
        OutboundEnded(at=NOW, linkedid="qqo-1", seat="seat1001", cause=""),
        OutboundAnswered(at=NOW, linkedid="qqo-1"),  # after the end: nobody
        OutboundFailed(at=NOW, linkedid="qqo-2", cause="agent_noanswer", agent_id=8),  # the core names the agent
    ])
    assert sockets[7].types() == ["outbound.started", "outbound.agent_ringing", "outbound.customer_ringing",
                                  "outbound.answered", "outbound.ended"]
    assert sockets[7].sent[0]["v"] == 1 and sockets[7].sent[0]["number"] == "13900000001"
    assert sockets[8].types() == ["outbound.failed"] and sockets[8].sent[0]["cause"] == "agent_noanswer"
    assert sockets[5].types() == []


async def test_a_transfer_reaches_the_agent_who_made_it_the_supervisors_and_the_target_as_a_screen_pop() -> None:
    hub, sockets = hub_with(7, 8, 9, supervisors=(5,))
    await feed(hub, [
        CallTransferred(at=NOW, linkedid="c1", agent_id=7, seat="seat1001", to_agent_id=8, to_queue=None,
                        queue="general", channel="PJSIP/trunk-1"),
        CallOffered(at=NOW, linkedid="c1", agent_id=8, seat="seat1002", channel="PJSIP/trunk-1", queue="general",
                    account_number=None, caller_number="138", ivr_path="", agent_ids=(8,), seats=("seat1002",),
                    transferred_by=7),
        AgentRinging(at=NOW, linkedid="c1", seat="seat1002", agent_channel="PJSIP/seat1002-1"),
    ])
    assert sockets[7].types() == ["call.transferred"]
    assert sockets[5].types() == ["call.transferred"]
    assert sockets[8].types() == ["call.offered"] and sockets[8].sent[0]["transferred_by"] == 7
    assert sockets[9].types() == []


async def test_a_supervision_session_reaches_its_supervisor_only() -> None:
    hub, sockets = hub_with(7, supervisors=(5, 6))
    await feed(hub, [
        SpyStarted(at=NOW, linkedid="qqs-1", supervisor_id=5, seat="seat1003", agent_id=7, agent_seat="seat1001",
                   call_linkedid="c1", mode="listen"),
        SpyEnded(at=NOW, linkedid="qqs-1", seat="seat1003"),
    ])
    assert sockets[5].types() == ["spy.started", "spy.ended"]
    assert sockets[6].types() == [] and sockets[7].types() == []  # the agent is not told
