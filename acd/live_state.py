"""Ports for the ACD's live state shared between app nodes: no I/O here, only the shapes.

One node routes at a time (it holds the :mod:`routing lease <acd.lease>`). That node

- writes the whole ACD live state after each change with :meth:`LiveStateStore.save`, fenced by its lease
  token, so the next leader can :meth:`~LiveStateStore.load` it;
- serves the commands that other nodes' consoles relay with :meth:`~LiveStateStore.send`, through
  :meth:`~LiveStateStore.commands`;
- fans its events out to the other nodes with :meth:`~LiveStateStore.publish_event`; every node's console
  hub reads :meth:`~LiveStateStore.events`.

Adapters: :class:`acd.live_state_memory.InMemoryLiveStateStore` (one process) and
:class:`acd.redis_live_state.RedisLiveStateStore` (several nodes over Redis).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from kernel.errors import Conflict, Unavailable

# events() yields this after every (re)subscription: whatever was published meanwhile is lost, so a
# consumer refreshes its view from load() when it sees it.
RESYNC_EVENT: Mapping[str, Any] = {"type": "live_state.resync", "v": 1}


class LiveStateUnavailable(Unavailable):
    """The shared store (Redis) cannot be reached; the operation may be retried."""

    code = "live_state_unavailable"


class StaleVersion(Conflict):
    """A snapshot older than the stored one was refused (the stored one is newer)."""

    code = "live_state_stale_version"


class FencedOut(Conflict):
    """A snapshot written under a routing lease that is no longer current was refused: stop routing."""

    code = "routing_lease_lost"


class RelayTimeout(Unavailable):
    """No routing node answered a relayed command in time."""

    code = "acd_relay_timeout"


@dataclass(frozen=True)
class Snapshot:
    """The ACD live state as JSON can carry it, with the version and lease token it was written under."""

    data: dict[str, Any]
    version: int
    fencing_token: int


Reply = Callable[[Mapping[str, Any]], Awaitable[None]]


class RelayedCommand(NamedTuple):
    """A command relayed from another node, and how to answer it: ``async for command, reply in ...``."""

    command: dict[str, Any]
    reply: Reply


class LiveStateStore(Protocol):
    async def save(self, snapshot: Mapping[str, Any], version: int, fencing_token: int) -> None:
        """Stores ``snapshot`` unless a newer one is stored.

        Writes are ordered by ``(fencing_token, version)``. Raises :class:`StaleVersion` for a lower version
        under the same token (the same version again is accepted and changes nothing), :class:`FencedOut`
        when ``fencing_token`` is not the current lease's, :class:`LiveStateUnavailable` when the store is
        away."""
        ...

    async def load(self) -> Snapshot | None:
        """The stored snapshot, or None if nothing was ever saved (or the store lost it)."""
        ...

    async def send(self, command: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        """Relays ``command`` to the routing node and returns its reply.

        Raises :class:`RelayTimeout` when no reply came within ``timeout`` seconds (if no routing node took
        the command meanwhile, it is withdrawn and will never run), :class:`LiveStateUnavailable` when the
        store is away."""
        ...

    def commands(self) -> AsyncIterator[RelayedCommand]:
        """On the routing node: the commands other nodes relay, one at a time. Runs until cancelled; waits
        out outages of the store (logged) instead of raising."""
        ...

    async def publish_event(self, payload: Mapping[str, Any]) -> None:
        """Fans an event's wire payload out to the other nodes; best effort (logs, never raises)."""
        ...

    def events(self) -> AsyncIterator[dict[str, Any]]:
        """Wire payloads published by the other nodes, plus :data:`RESYNC_EVENT` after each (re)subscription.
        Runs until cancelled; reconnects after outages (logged) instead of raising."""
        ...
