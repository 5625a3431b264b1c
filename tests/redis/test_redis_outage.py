"""Redis stopped, restarted or hung mid-run: operations fail with LiveStateUnavailable, background loops log
and wait instead of dying, the router gives routing up within a TTL, and everything recovers afterwards."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from redis.asyncio import Redis

from acd.lease import LeaseKeeper
from acd.live_state import RESYNC_EVENT, LiveStateUnavailable
from acd.redis_lease import RedisRoutingLease
from acd.redis_live_state import RedisLiveStateStore
from tests.redis.support import RedisServer, wait_until

TTL = 0.6
TAKEOVER = TTL + TTL / 3 + 1.0  # a lease's life, one campaign period, and a margin for a slow machine


class Node:
    def __init__(self, name: str, client: Redis) -> None:
        self.store = RedisLiveStateStore(client, name)
        self.events: list[dict[str, Any]] = []
        self.tokens: list[int] = []
        self.lost = 0
        self.keeper = LeaseKeeper(RedisRoutingLease(client), name, TTL, on_acquired=self._acquired,
                                  on_lost=self._lost)
        self.tasks: list[asyncio.Task[None]] = []

    @property
    def routing(self) -> bool:
        """Between on_acquired and on_lost."""
        return len(self.tokens) > self.lost

    async def _acquired(self, token: int) -> None:
        self.tokens.append(token)

    async def _lost(self) -> None:
        self.lost += 1

    def start(self, *, route: bool) -> None:
        self.tasks.append(asyncio.create_task(_collect(self.store.events(), self.events)))
        if route:
            self.keeper.start()
            self.tasks.append(asyncio.create_task(_serve(self.store)))

    def resyncs(self) -> int:
        return sum(e == RESYNC_EVENT for e in self.events)

    async def stop(self) -> None:
        assert not any(t.done() for t in self.tasks), "a background loop died"
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.keeper.stop()


async def _collect(events: AsyncIterator[dict[str, Any]], into: list[dict[str, Any]]) -> None:
    async for event in events:
        into.append(event)


async def _serve(store: RedisLiveStateStore) -> None:
    async for command, reply in store.commands():
        await reply({"ok": True, "echo": command})


async def test_the_store_and_the_lease_recover_from_a_redis_restart(
        redis_server: RedisServer, make_client: Callable[[], Redis], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    router, follower = Node("router", make_client()), Node("follower", make_client())
    router.start(route=True)
    follower.start(route=False)
    try:
        await wait_until(lambda: router.routing and router.resyncs() and follower.resyncs(), timeout=5,
                         what="the router to route and both nodes to subscribe")
        await router.store.save({"waiting": ["c1"]}, 1, router.tokens[0])

        redis_server.stop()

        with pytest.raises(LiveStateUnavailable):
            await router.store.save({"waiting": ["c1", "c2"]}, 2, router.tokens[0])
        with pytest.raises(LiveStateUnavailable):
            await follower.store.send({"type": "set_ready"}, timeout=1)
        await router.store.publish_event({"type": "lost", "v": 1})  # logged, not raised
        await wait_until(lambda: router.lost == 1, timeout=TAKEOVER, what="the router to give routing up")
        assert not router.routing

        redis_server.start()

        await wait_until(lambda: len(router.tokens) == 2, timeout=TAKEOVER + 3, what="routing to resume")
        await wait_until(lambda: router.resyncs() == 2 and follower.resyncs() == 2, timeout=5,
                         what="both nodes to resubscribe")
        await router.store.publish_event({"type": "call.queued", "v": 1})
        await wait_until(lambda: {"type": "call.queued", "v": 1} in follower.events, timeout=5,
                         what="events to flow again")
        reply = await follower.store.send({"type": "set_ready", "agent_id": 7}, timeout=5)
        assert reply == {"ok": True, "echo": {"type": "set_ready", "agent_id": 7}}
        assert await router.store.load() is None  # this Redis keeps nothing over a restart: resync from Asterisk
        await router.store.save({"waiting": ["c1", "c2"]}, 2, router.tokens[1])
    finally:
        await router.stop()
        await follower.stop()

    warnings = caplog.text
    assert "shared store unreachable" in warnings and "reachable again" in warnings
    assert "Traceback" not in warnings


async def test_a_router_whose_redis_hangs_stops_routing_within_the_ttl(
        redis_server: RedisServer, make_client: Callable[[], Redis]) -> None:
    router = Node("router", make_client())
    router.start(route=True)
    try:
        await wait_until(lambda: router.routing, timeout=5, what="the router to route")

        redis_server.pause()  # connections stay open, renewals hang
        try:
            await wait_until(lambda: router.lost == 1, timeout=TAKEOVER, what="the router to give routing up")
        finally:
            redis_server.resume()

        await wait_until(lambda: len(router.tokens) == 2, timeout=TAKEOVER + 3, what="routing to resume")
    finally:
        await router.stop()
