"""The routing lease on a real redis-server: one holder at a time, only the holder renews or releases, and
when the holder's keeper stops renewing (the node died) another node takes routing over within a TTL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from redis.asyncio import Redis

from acd.lease import LeaseKeeper
from acd.redis_keys import RedisKeys
from acd.redis_lease import RedisRoutingLease
from tests.redis.support import wait_until

TTL = 0.6


async def test_of_two_nodes_exactly_one_gets_the_lease(make_client: Callable[[], Redis]) -> None:
    a, b = RedisRoutingLease(make_client()), RedisRoutingLease(make_client())

    tokens = await asyncio.gather(a.acquire("node-a", 5), b.acquire("node-b", 5))

    assert sum(t is not None for t in tokens) == 1
    holder, other = (a, b) if tokens[0] is not None else (b, a)
    assert await holder.holder() == f"{holder.token} {'node-a' if holder is a else 'node-b'}"
    assert await other.renew() is False
    assert await holder.renew() is True


async def test_only_the_holder_releases_and_tokens_only_grow(make_client: Callable[[], Redis]) -> None:
    a, b = RedisRoutingLease(make_client()), RedisRoutingLease(make_client())
    first = await a.acquire("node-a", 5)
    assert first is not None

    await b.release()  # not b's: nothing happens
    assert await b.acquire("node-b", 5) is None
    await a.release()
    second = await b.acquire("node-b", 5)

    assert second is not None and second > first
    assert await a.renew() is False  # a released it: renewing must not resurrect it


async def test_an_expired_lease_is_not_renewed(make_client: Callable[[], Redis]) -> None:
    a = RedisRoutingLease(make_client())
    assert await a.acquire("node-a", 0.05) is not None
    await wait_until(lambda: _gone(a), timeout=2, what="the lease to expire")
    assert await a.renew() is False


async def _gone(lease: RedisRoutingLease) -> bool:
    return await lease.holder() is None


class Node:
    """A simulated app node: routes while its keeper says so."""

    def __init__(self, name: str, client: Redis) -> None:
        self.name = name
        self.tokens: list[int] = []
        self.lost = 0
        self.keeper = LeaseKeeper(RedisRoutingLease(client), name, TTL, on_acquired=self._acquired,
                                  on_lost=self._lost)

    @property
    def routing(self) -> bool:
        """Between on_acquired and on_lost."""
        return len(self.tokens) > self.lost

    async def _acquired(self, token: int) -> None:
        self.tokens.append(token)

    async def _lost(self) -> None:
        self.lost += 1


async def test_when_the_router_dies_the_other_node_takes_over_within_the_ttl(
        make_client: Callable[[], Redis]) -> None:
    a, b = Node("node-a", make_client()), Node("node-b", make_client())
    a.keeper.start()
    await wait_until(lambda: a.routing, timeout=2, what="node a to route")
    b.keeper.start()
    try:
        # Several TTLs of renewals: a keeps routing and b never does.
        loop = asyncio.get_running_loop()
        until = loop.time() + 3 * TTL
        while loop.time() < until:
            assert a.routing and not b.routing
            await asyncio.sleep(TTL / 10)

        await a.keeper.stop(release=False)  # the node dies: no renewal, no release

        # Within the lease's TTL (a's last renewal was at most TTL/3 ago), one campaign period and a margin.
        await wait_until(lambda: b.routing, timeout=TTL + TTL / 3 + 0.5, what="node b to take over")
        assert b.tokens[0] > a.tokens[0]
    finally:
        await b.keeper.stop()
    assert await RedisRoutingLease(make_client()).holder() is None  # b released it on stop


async def test_a_node_whose_lease_was_taken_stops_routing(make_client: Callable[[], Redis]) -> None:
    client = make_client()
    a = Node("node-a", client)
    a.keeper.start()
    try:
        await wait_until(lambda: a.routing, timeout=2, what="node a to route")
        await client.set(RedisKeys().lease, "999 intruder", px=5000)  # e.g. an operator's hand

        await wait_until(lambda: a.lost == 1, timeout=TTL, what="node a to notice")
        assert not a.routing
    finally:
        await a.keeper.stop()
