"""The live-state store on Redis, shared by every app node (see :mod:`acd.live_state` for the contract).

- Snapshot: one hash (data, version, token) written by one Lua script that checks the routing lease and
  the ``(token, version)`` order, so a save is one round trip and a stale or deposed write never wins.
- Command relay: a follower ``LPUSH``es an envelope on a list and ``BLPOP``s a per-request reply key; the
  leader ``BRPOP``s the list and answers with ``LPUSH`` + ``PEXPIRE`` on the reply key. A follower that
  times out withdraws its envelope (``LREM``) so a command nobody took never runs late.
- Events: ``PUBLISH`` on one channel with the origin node, so a node skips its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from functools import partial
from typing import Any

from redis.asyncio import Redis

from acd.background import Backoff, OutageLog
from acd.live_state import (
    RESYNC_EVENT,
    FencedOut,
    LiveStateUnavailable,
    RelayedCommand,
    RelayTimeout,
    Snapshot,
    StaleVersion,
)
from acd.redis_keys import BLOCK_SLICE, REDIS_DOWN, RedisKeys

log = logging.getLogger(__name__)

# KEYS: snapshot, lease. ARGV: token, version, data.
_SAVE = """
local token = tonumber(ARGV[1])
local version = tonumber(ARGV[2])
local holder = redis.call('GET', KEYS[2])
if not holder or tonumber(string.match(holder, '^%d+')) ~= token then return 'fenced' end
local stored = redis.call('HMGET', KEYS[1], 'token', 'version')
if stored[1] then
  local stored_token = tonumber(stored[1])
  local stored_version = tonumber(stored[2])
  if token < stored_token then return 'fenced' end
  if token == stored_token and version < stored_version then return 'stale' end
  if token == stored_token and version == stored_version then return 'same' end
end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'version', ARGV[2], 'data', ARGV[3])
return 'saved'
"""

REPLY_TTL_MS = 60_000  # a reply nobody collects (its requester gave up) is dropped after this


class RedisLiveStateStore:
    """Uses a client from :func:`acd.redis_keys.connect_redis`; whoever made the client closes it."""

    def __init__(self, redis: Redis, node_id: str, keys: RedisKeys | None = None) -> None:
        self._redis = redis
        self._node_id = node_id
        self._keys = keys or RedisKeys()
        self._save = redis.register_script(_SAVE)

    # Snapshot ------------------------------------------------------------------------------------------

    async def save(self, snapshot: Mapping[str, Any], version: int, fencing_token: int) -> None:
        data = json.dumps(snapshot, separators=(",", ":"), ensure_ascii=False)
        try:
            outcome = await self._save(keys=[self._keys.snapshot, self._keys.lease],
                                       args=[fencing_token, version, data])
        except REDIS_DOWN as exc:
            raise LiveStateUnavailable(f"saving live state: {exc}") from exc
        if outcome == "fenced":
            raise FencedOut(f"live state v{version} refused: lease token {fencing_token} is no longer current")
        if outcome == "stale":
            raise StaleVersion(f"live state v{version} refused: a newer version is stored")

    async def load(self) -> Snapshot | None:
        try:
            data, version, token = await self._redis.hmget(self._keys.snapshot, ["data", "version", "token"])
        except REDIS_DOWN as exc:
            raise LiveStateUnavailable(f"loading live state: {exc}") from exc
        if data is None or version is None or token is None:
            return None
        return Snapshot(data=json.loads(data), version=int(version), fencing_token=int(token))

    # Command relay -------------------------------------------------------------------------------------

    async def send(self, command: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        request_id = uuid.uuid4().hex
        envelope = json.dumps({"id": request_id, "from": self._node_id, "command": dict(command)},
                              ensure_ascii=False)
        reply_key = self._keys.reply(request_id)
        loop_time = asyncio.get_running_loop().time
        deadline = loop_time() + timeout
        try:
            await self._redis.lpush(self._keys.commands, envelope)
            while (remaining := deadline - loop_time()) > 0:
                # BLPOP's timeout 0 means "forever": never pass less than 10 ms.
                popped = await self._redis.blpop([reply_key], timeout=max(0.01, min(remaining, BLOCK_SLICE)))
                if popped is not None:
                    reply: dict[str, Any] = json.loads(popped[1])
                    return reply
            withdrawn = await self._redis.lrem(self._keys.commands, 1, envelope)
        except REDIS_DOWN as exc:
            raise LiveStateUnavailable(f"relaying {command.get('type', 'command')}: {exc}") from exc
        taken = "withdrawn, it will not run" if withdrawn else "the routing node took it but did not answer"
        raise RelayTimeout(f"no routing node answered {command.get('type', 'a command')} within {timeout} s "
                           f"({taken})")

    async def commands(self) -> AsyncIterator[RelayedCommand]:
        outage = OutageLog(log, "relayed commands")
        backoff = Backoff()
        while True:
            try:
                popped = await self._redis.brpop([self._keys.commands], timeout=BLOCK_SLICE)
            except REDIS_DOWN as exc:
                outage.failed(exc)
                await backoff.wait()
                continue
            outage.recovered()
            backoff.reset()
            if popped is None:
                continue
            try:
                envelope = json.loads(popped[1])
                request_id, command = str(envelope["id"]), dict(envelope["command"])
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("dropping a malformed relayed command %r: %s", popped[1][:200], exc)
                continue
            yield RelayedCommand(command, partial(self._reply, request_id))

    async def _reply(self, request_id: str, reply: Mapping[str, Any]) -> None:
        key = self._keys.reply(request_id)
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.lpush(key, json.dumps(dict(reply), ensure_ascii=False))
                pipe.pexpire(key, REPLY_TTL_MS)
                await pipe.execute()
        except REDIS_DOWN as exc:  # the requester times out and tells its user
            log.warning("could not reply to relayed command %s: %s", request_id, exc)

    # Events --------------------------------------------------------------------------------------------

    async def publish_event(self, payload: Mapping[str, Any]) -> None:
        message = json.dumps({"origin": self._node_id, "payload": dict(payload)}, ensure_ascii=False)
        try:
            await self._redis.publish(self._keys.events, message)
        except REDIS_DOWN as exc:
            log.warning("event %s not fanned out to other nodes: %s", payload.get("type"), exc)

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        outage = OutageLog(log, "event fan-out")
        backoff = Backoff()
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self._keys.events)
                outage.recovered()
                backoff.reset()
                yield dict(RESYNC_EVENT)
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=BLOCK_SLICE)
                    payload = self._payload(message)
                    if payload is not None:
                        yield payload
            except REDIS_DOWN as exc:
                outage.failed(exc)
            finally:
                await pubsub.aclose()  # type: ignore[no-untyped-call]  # untyped in redis-py
            await backoff.wait()

    def _payload(self, message: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if message is None or message.get("type") != "message":
            return None
        try:
            envelope = json.loads(message["data"])
            origin, payload = envelope["origin"], dict(envelope["payload"])
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("dropping a malformed event %r: %s", str(message.get("data"))[:200], exc)
            return None
        return None if origin == self._node_id else payload

    async def close(self) -> None:
        await self._redis.aclose()
