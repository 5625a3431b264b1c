"""The live-state store for one app process (no Redis configured); same contract as the Redis adapter, so
the ACD service runs one code path. There are no other nodes: events fan out to nobody, and relayed
commands go through an asyncio.Queue."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from acd.lease import InMemoryRoutingLease
from acd.live_state import (
    RESYNC_EVENT,
    FencedOut,
    RelayedCommand,
    RelayTimeout,
    Reply,
    Snapshot,
    StaleVersion,
)


@dataclass(eq=False)
class _Request:
    command: dict[str, Any]
    reply: asyncio.Future[dict[str, Any]] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    taken: bool = False


class InMemoryLiveStateStore:
    def __init__(self, lease: InMemoryRoutingLease | None = None) -> None:
        """With ``lease``, a save under any token but the lease's current one is refused, as in Redis."""
        self._lease = lease
        self._snapshot: Snapshot | None = None
        self._requests: asyncio.Queue[_Request] = asyncio.Queue()

    async def save(self, snapshot: Mapping[str, Any], version: int, fencing_token: int) -> None:
        if self._lease is not None and self._lease.token != fencing_token:
            raise FencedOut(f"live state v{version} refused: lease token {fencing_token} is no longer current")
        stored = self._snapshot
        if stored is not None:
            if fencing_token < stored.fencing_token:
                raise FencedOut(f"live state v{version} refused: a newer lease wrote v{stored.version}")
            if fencing_token == stored.fencing_token and version < stored.version:
                raise StaleVersion(f"live state v{version} refused: v{stored.version} is stored")
            if fencing_token == stored.fencing_token and version == stored.version:
                return
        # A JSON round trip: the caller gets the same guarantees (and errors) as with Redis, and later
        # changes to its objects do not leak into the stored copy.
        data = json.loads(json.dumps(snapshot))
        self._snapshot = Snapshot(data=data, version=version, fencing_token=fencing_token)

    async def load(self) -> Snapshot | None:
        return copy.deepcopy(self._snapshot)

    async def send(self, command: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        request = _Request(dict(command))
        self._requests.put_nowait(request)
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(request.reply)
        except TimeoutError:
            taken = request.taken
            request.reply.cancel()  # commands() skips it if nobody took it yet
            what = "the router took it but did not answer" if taken else "withdrawn, it will not run"
            raise RelayTimeout(f"no router answered {command.get('type', 'a command')} within {timeout} s "
                               f"({what})") from None

    async def commands(self) -> AsyncIterator[RelayedCommand]:
        while True:
            request = await self._requests.get()
            if request.reply.done():
                continue
            request.taken = True
            yield RelayedCommand(request.command, _replier(request.reply))

    async def publish_event(self, payload: Mapping[str, Any]) -> None:
        return None  # no other node to tell

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        yield dict(RESYNC_EVENT)
        await asyncio.Event().wait()  # nothing ever comes from other nodes; runs until cancelled


def _replier(future: asyncio.Future[dict[str, Any]]) -> Reply:
    async def reply(payload: Mapping[str, Any]) -> None:
        if not future.done():
            future.set_result(dict(payload))

    return reply
