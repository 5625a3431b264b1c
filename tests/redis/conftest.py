"""Each test gets its own redis-server (a few milliseconds to start) on a free port in its temp dir, never the
system Redis, and clients made the way the app makes them."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from acd.redis_keys import connect_redis
from tests.redis.support import RedisServer

if shutil.which("redis-server") is None:
    pytest.skip("redis-server is required: run `make setup`", allow_module_level=True)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def make_client(redis_server: RedisServer) -> AsyncIterator[Callable[[], Redis]]:
    """One client per simulated node, as the composition root would make it."""
    clients: list[Redis] = []

    def make() -> Redis:
        client = connect_redis(redis_server.url, socket_timeout=2.0, connect_timeout=0.5)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
