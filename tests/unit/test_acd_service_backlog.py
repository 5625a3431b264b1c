"""The ACD service with commands queued behind a busy event loop: every command already queued is decided
before a deadline's Tick, so a seat's answer waiting in the queue never loses to the offer's timer (the agent
would be marked missed while talking, and the call offered again to someone else)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable

from acd.commands import Enqueue, LogIn, MarkAnswered, RegisterSeat, SetReady
from acd.policy import AcdPolicy
from acd.service import AcdService
from kernel.call_events import AgentStateChanged
from kernel.clock import SystemClock
from kernel.events import Event, EventBus


class Rings:
    def offer(self, channel: str, seats: tuple[str, ...]) -> Awaitable[None]:
        async def outcome() -> None:
            return None
        return outcome()


async def _answered_after_a_stall() -> tuple[AcdService, list[Event]]:
    bus = EventBus()
    seen: list[Event] = []
    bus.tap(seen.append)
    service = AcdService(bus, Rings(), SystemClock(),  # type: ignore[arg-type]  # offers only
                         AcdPolicy(offer_timeout_seconds=0.2))
    service.start()
    for command in (RegisterSeat("seat1001", True), LogIn(1, "seat1001"), SetReady(1)):
        await service.execute(command)
    await service.execute(Enqueue(linkedid="c1", channel="PJSIP/trunk-1", queue="general"))
    assert "c1" in service.state.offered
    # The seat answers at once, but the loop is busy: the answer waits in the queue behind another fact
    # while the offer's deadline passes.
    service.submit(RegisterSeat("seat1002", True))
    service.submit(MarkAnswered("c1", "seat1001"))
    time.sleep(0.3)
    for _ in range(20):
        await asyncio.sleep(0.01)
    await service.stop()
    return service, seen


def test_an_answer_queued_behind_a_stall_is_decided_before_the_offer_times_out() -> None:
    service, seen = asyncio.run(_answered_after_a_stall())
    moves = [(e.from_state, e.to_state, e.reason) for e in seen if isinstance(e, AgentStateChanged)]
    assert ("offered", "on_call", "") in moves, moves
    assert all(reason != "missed" for *_, reason in moves)
    assert service.state.agents[1].state == "on_call" and "c1" in service.state.connected
