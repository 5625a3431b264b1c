"""Where the ACD's live state lives in Redis, and the client settings every Redis adapter uses.

All keys share one hash tag (``{acd}``) so that the Lua scripts, which touch several of them, also run on
a Redis Cluster."""

from __future__ import annotations

from dataclasses import dataclass

import redis.exceptions
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

# What "Redis is away" looks like from the client; anything else is a bug and is not swallowed.
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, redis.exceptions.BusyLoadingError,
              OSError)

# A blocking read (BRPOP, BLPOP, pub/sub) waits at most this long per call, well under the socket timeout,
# so a dead connection is noticed and cancellation is prompt.
BLOCK_SLICE = 1.0


@dataclass(frozen=True)
class RedisKeys:
    prefix: str = "qingquan:{acd}"

    @property
    def snapshot(self) -> str:
        return f"{self.prefix}:snapshot"  # hash: data (JSON), version, token

    @property
    def lease(self) -> str:
        return f"{self.prefix}:lease"  # string "<token> <node id>", with a TTL

    @property
    def fence(self) -> str:
        return f"{self.prefix}:fence"  # the last fencing token handed out (INCR)

    @property
    def commands(self) -> str:
        return f"{self.prefix}:commands"  # list of relayed command envelopes (LPUSH / BRPOP)

    def reply(self, request_id: str) -> str:
        return f"{self.prefix}:reply:{request_id}"

    @property
    def events(self) -> str:
        return f"{self.prefix}:events"  # pub/sub channel


def connect_redis(url: str, *, socket_timeout: float = 5.0, connect_timeout: float = 2.0) -> Redis:
    """A client that never retries behind our back: the adapters' own loops back off and log, and a
    pub/sub connection that dropped is re-established by us (so consumers learn they must resync)."""
    return Redis.from_url(url, decode_responses=True, socket_timeout=socket_timeout,
                          socket_connect_timeout=connect_timeout, retry=Retry(NoBackoff(), 0),
                          health_check_interval=10)
