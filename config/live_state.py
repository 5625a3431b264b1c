"""The live state's home, chosen from settings: Redis shared by every node when ``redis_url`` is set,
this process otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from acd.lease import InMemoryRoutingLease, RoutingLease, new_node_id
from acd.live_state import LiveStateStore
from acd.live_state_memory import InMemoryLiveStateStore
from acd.redis_keys import connect_redis
from acd.redis_lease import RedisRoutingLease
from acd.redis_live_state import RedisLiveStateStore
from config.settings import Settings


@dataclass
class LiveState:
    store: LiveStateStore
    lease: RoutingLease
    node_id: str
    shared: bool
    client: Any = None  # the Redis client, closed with the hotline

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()


async def open_live_state(settings: Settings) -> LiveState:
    node_id = settings.node_id or new_node_id()
    if not settings.redis_url:
        lease = InMemoryRoutingLease()
        return LiveState(InMemoryLiveStateStore(lease), lease, node_id, shared=False)
    client = connect_redis(settings.redis_url)
    return LiveState(RedisLiveStateStore(client, node_id), RedisRoutingLease(client), node_id, shared=True,
                     client=client)
