"""The routing node across a Redis restart, on a real redis-server: Redis comes back empty (it keeps nothing),
so the shared snapshot is gone; the node that routed takes routing again from the last state it knew — the
agents logged in and ready stay so (Asterisk's resync corrects the calls) — and the routing service it ran
before is stopped, not left deciding beside the new one."""

from __future__ import annotations

from collections.abc import Callable

from redis.asyncio import Redis

from acd.commands import LogIn, RegisterSeat, SetReady
from acd.core import AcdState
from acd.node import AcdNode
from acd.policy import AcdPolicy
from acd.redis_lease import RedisRoutingLease
from acd.redis_live_state import RedisLiveStateStore
from acd.service import AcdService
from kernel.clock import SystemClock
from kernel.events import EventBus
from tests.redis.support import RedisServer, wait_until

TTL = 0.6


class NoTelephony:
    """The ACD's connector, never used here: no call is offered."""

    def offer(self, channel: str, seats: tuple[str, ...]) -> None:
        raise AssertionError("no call to offer")


async def test_routing_resumes_from_the_last_state_after_redis_restarts_empty(
        redis_server: RedisServer, make_client: Callable[[], Redis]) -> None:
    bus = EventBus()
    started: list[AcdService] = []
    stopped: list[AcdService] = []

    async def start_router(initial: AcdState) -> AcdService:
        service = AcdService(bus, NoTelephony(), SystemClock(), AcdPolicy())  # type: ignore[arg-type]
        service.start(initial)
        started.append(service)
        return service

    async def stop_router(service: AcdService) -> None:
        stopped.append(service)
        await service.stop()

    client = make_client()
    node = AcdNode(RedisLiveStateStore(client, "a"), RedisRoutingLease(client), "a", AcdPolicy(), lease_ttl=TTL,
                   shared=True, start_router=start_router, stop_router=stop_router)
    await node.start()
    try:
        await node.wait_routing(5)
        for command in (RegisterSeat("seat1001", True), LogIn(7, "seat1001"), SetReady(7)):
            await node.execute(command)

        redis_server.stop()
        await wait_until(lambda: not node.routing, timeout=TTL * 3 + 2, what="the node to give routing up")
        assert stopped == started  # the first service was stopped with its routing
        redis_server.start()
        await wait_until(lambda: node.routing, timeout=TTL * 3 + 5, what="routing to resume")

        assert len(started) == 2 and started[1] is node.service
        assert node.state.agents[7].state.value == "ready" and node.state.agents[7].seat == "seat1001"
    finally:
        await node.stop()
    assert stopped == started
