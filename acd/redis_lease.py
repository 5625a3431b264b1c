"""The routing lease in Redis: ``SET NX PX`` plus an ``INCR``'d fencing counter, renewed and released only by
its holder (compare-and-pexpire, compare-and-delete), each step one Lua script so it is atomic."""

from __future__ import annotations

import logging

from redis.asyncio import Redis

from acd.live_state import LiveStateUnavailable
from acd.redis_keys import REDIS_DOWN, RedisKeys

log = logging.getLogger(__name__)

# KEYS: lease, fence, snapshot. ARGV: node id, ttl ms. The token also exceeds the stored snapshot's, so a
# fence counter lost with a Redis restart cannot hand out a token that an older snapshot outranks.
_ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local token = redis.call('INCR', KEYS[2])
local stored = tonumber(redis.call('HGET', KEYS[3], 'token') or '0')
if token <= stored then
  token = stored + 1
  redis.call('SET', KEYS[2], token)
end
redis.call('SET', KEYS[1], token .. ' ' .. ARGV[1], 'PX', ARGV[2])
return token
"""

# KEYS: lease. ARGV: expected holder value, ttl ms.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

# KEYS: lease. ARGV: expected holder value.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisRoutingLease:
    def __init__(self, redis: Redis, keys: RedisKeys | None = None) -> None:
        self._redis = redis
        self._keys = keys or RedisKeys()
        self._acquire = redis.register_script(_ACQUIRE)
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)
        self._holder: str | None = None  # "<token> <node id>" while we believe we hold it
        self._token: int | None = None
        self._ttl_ms = 0

    @property
    def token(self) -> int | None:
        return self._token

    async def acquire(self, node_id: str, ttl: float) -> int | None:
        if " " in node_id or not node_id:
            raise ValueError(f"node id {node_id!r} must be non-empty without spaces")
        ttl_ms = max(1, round(ttl * 1000))
        k = self._keys
        try:
            token = await self._acquire(keys=[k.lease, k.fence, k.snapshot], args=[node_id, ttl_ms])
        except REDIS_DOWN as exc:
            raise LiveStateUnavailable(f"acquiring the routing lease: {exc}") from exc
        if token is None:
            return None
        self._token = int(token)
        self._holder = f"{self._token} {node_id}"
        self._ttl_ms = ttl_ms
        return self._token

    async def renew(self) -> bool:
        if self._holder is None:
            return False
        try:
            renewed = await self._renew(keys=[self._keys.lease], args=[self._holder, self._ttl_ms])
        except REDIS_DOWN as exc:
            raise LiveStateUnavailable(f"renewing the routing lease: {exc}") from exc
        if not renewed:
            self._holder = self._token = None
        return bool(renewed)

    async def release(self) -> None:
        holder, self._holder, self._token = self._holder, None, None
        if holder is None:
            return
        try:
            await self._release(keys=[self._keys.lease], args=[holder])
        except REDIS_DOWN as exc:
            raise LiveStateUnavailable(f"releasing the routing lease: {exc}") from exc

    async def holder(self) -> str | None:
        """Who holds the lease now, as ``"<token> <node id>"`` (for health pages and tests)."""
        try:
            value = await self._redis.get(self._keys.lease)
        except REDIS_DOWN as exc:
            raise LiveStateUnavailable(f"reading the routing lease: {exc}") from exc
        return None if value is None else str(value)
