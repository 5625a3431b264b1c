"""The ACD service when Asterisk answers an offer's Redirect with "the channel does not exist": the caller hung
up and the hang-up has not reached the ACD yet (under load it can come long after). The call leaves the line
and the agent is free again: an agent is never marked missed, nor a ghost call offered again and again."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from acd.commands import Enqueue, LogIn, RegisterSeat, SetReady
from acd.policy import AcdPolicy
from acd.service import AcdService, ChannelGone
from kernel.call_events import AgentStateChanged
from kernel.clock import SystemClock
from kernel.events import Event, EventBus


class GoneCaller:
    """Every offer's Redirect finds the caller's channel gone."""

    def __init__(self) -> None:
        self.offers = 0

    def offer(self, channel: str, seats: tuple[str, ...]) -> Awaitable[None]:
        self.offers += 1

        async def outcome() -> None:
            raise ChannelGone(f"{channel}: AMI Redirect failed: Channel does not exist: {channel}")
        return outcome()


async def _run() -> tuple[AcdService, list[Event], GoneCaller]:
    bus, connector = EventBus(), GoneCaller()
    seen: list[Event] = []
    bus.tap(seen.append)
    service = AcdService(bus, connector, SystemClock(), AcdPolicy())  # type: ignore[arg-type]  # offers only
    service.start()
    for command in (RegisterSeat("seat1001", True), LogIn(1, "seat1001"), SetReady(1)):
        await service.execute(command)
    await service.execute(Enqueue(linkedid="c1", channel="PJSIP/trunk-1", queue="general"))
    for _ in range(50):
        await asyncio.sleep(0.01)
        if "c1" not in service.state.offered:
            break
    await service.stop()
    return service, seen, connector


def test_an_offer_to_a_caller_who_has_gone_frees_the_agent_and_drops_the_call() -> None:
    service, seen, connector = asyncio.run(_run())
    assert connector.offers == 1  # offered once, never again
    assert "c1" not in service.state.offered and "c1" not in service.state.waiting
    assert service.state.agents[1].state == "ready"
    moves = [(e.from_state, e.to_state, e.reason) for e in seen if isinstance(e, AgentStateChanged)]
    assert ("offered", "ready", "") in [(f, t, r or "") for f, t, r in moves]
    assert all(r != "missed" for *_, r in moves)
