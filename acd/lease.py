"""The routing lease: with several app nodes, exactly one routes at a time.

A node routes only while it holds the lease. The lease expires unless renewed, so a node that dies hands
routing over within one TTL. Each acquisition hands out a fencing token, larger than every earlier one;
the node writes its live-state snapshots under that token, and a deposed node's late write is refused.

:class:`LeaseKeeper` is the one task per node that campaigns for the lease, renews it at a third of the
TTL, and tells the node when it starts and stops routing. Adapters: :class:`InMemoryRoutingLease` (one
process: always ours once acquired) here, :class:`acd.redis_lease.RedisRoutingLease` for several nodes."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from acd.background import OutageLog, stop_task
from acd.live_state import LiveStateUnavailable

log = logging.getLogger(__name__)

# The keeper gives routing up this share of the TTL before the lease can have expired in the store, so
# that two nodes never route at once even when its timers run a little late.
SAFETY_MARGIN = 0.1


def new_node_id() -> str:
    """A name for this app process among the nodes: host, pid and a random part (a restarted process on the
    same host is a different node, so it never mistakes the dead one's lease for its own)."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class RoutingLease(Protocol):
    @property
    def token(self) -> int | None:
        """The fencing token of the lease while this instance holds it."""
        ...

    async def acquire(self, node_id: str, ttl: float) -> int | None:
        """Takes the lease for ``ttl`` seconds if nobody holds it; returns the new fencing token, or None.
        Raises :class:`LiveStateUnavailable` when the store is away."""
        ...

    async def renew(self) -> bool:
        """Extends the lease by its TTL if it is still ours; False if it expired or another node has it."""
        ...

    async def release(self) -> None:
        """Gives the lease up if it is still ours (another node may take it at once)."""
        ...


class InMemoryRoutingLease:
    """One process, one router: the lease is held from the first acquire until released."""

    def __init__(self) -> None:
        self._holder: str | None = None
        self._last_token = 0

    @property
    def token(self) -> int | None:
        return self._last_token if self._holder is not None else None

    async def acquire(self, node_id: str, ttl: float) -> int | None:
        if self._holder is not None:
            return None
        self._holder = node_id
        self._last_token += 1
        return self._last_token

    async def renew(self) -> bool:
        return self._holder is not None

    async def release(self) -> None:
        self._holder = None


OnAcquired = Callable[[int], Coroutine[Any, Any, None]]
OnLost = Callable[[], Awaitable[None]]


class LeaseKeeper:
    """Campaigns for the lease, renews it every ``ttl / 3`` and reports the changes.

    ``on_acquired(token)`` runs when this node becomes the router (load the snapshot, resync from Asterisk,
    start routing); ``on_lost()`` when it must stop: the lease was taken over, or no renewal succeeded for
    (nearly) a TTL. After a loss the keeper campaigns again. A failing callback is logged; if
    ``on_acquired`` fails the lease is released so another node can route. Never raises out of its task."""

    def __init__(self, lease: RoutingLease, node_id: str, ttl: float, *, on_acquired: OnAcquired,
                 on_lost: OnLost, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._lease = lease
        self._node_id = node_id
        self._ttl = ttl
        self._interval = ttl / 3
        self._on_acquired = on_acquired
        self._on_lost = on_lost
        self._monotonic = monotonic
        self._outage = OutageLog(log, f"routing lease ({node_id})")
        self._task: asyncio.Task[None] | None = None
        self.token: int | None = None  # set while this node holds the lease

    @property
    def holds_lease(self) -> bool:
        """Whether this node holds the lease (it routes once ``on_acquired`` has finished)."""
        return self.token is not None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"lease-keeper:{self._node_id}")

    async def stop(self, *, release: bool = True) -> None:
        """Stops campaigning and renewing; releases the lease (best effort) so another node takes over now
        rather than after the TTL. ``release=False`` simulates a node that died."""
        await stop_task(self._task)
        self._task = None
        if release and self.token is not None:
            try:
                async with asyncio.timeout(self._interval):
                    await self._lease.release()
            except (LiveStateUnavailable, TimeoutError) as exc:
                log.warning("node %s could not release the routing lease (%s); it expires in %s s",
                            self._node_id, exc, self._ttl)
        self.token = None

    async def _run(self) -> None:
        while True:
            token, valid_until = await self._campaign()
            self.token = token
            log.info("node %s now routes (lease token %s)", self._node_id, token)
            # The take-over (snapshot, Asterisk resync) may outlast a TTL: keep renewing meanwhile.
            takeover = asyncio.create_task(self._on_acquired(token), name=f"takeover:{self._node_id}")
            holding = asyncio.create_task(self._hold(valid_until), name=f"renew:{self._node_id}")
            try:
                await asyncio.wait({takeover, holding}, return_when=asyncio.FIRST_COMPLETED)
                if takeover.done() and not takeover.cancelled() and takeover.exception() is not None:
                    await self._give_up(takeover.exception())
                    continue
                await holding
            finally:
                await stop_task(takeover)
                await stop_task(holding)
            self.token = None
            log.warning("node %s stops routing: routing lease lost", self._node_id)
            await self._call_lost()

    async def _campaign(self) -> tuple[int, float]:
        while True:
            sent = self._monotonic()
            try:
                async with asyncio.timeout(self._interval):
                    token = await self._lease.acquire(self._node_id, self._ttl)
            except (LiveStateUnavailable, TimeoutError) as exc:
                self._outage.failed(exc)
                token = None
            except Exception:
                log.exception("node %s: acquiring the routing lease failed", self._node_id)
                token = None
            else:
                self._outage.recovered()
            if token is not None:
                return token, self._expiry(sent)
            await asyncio.sleep(max(0.0, sent + self._interval - self._monotonic()))

    async def _hold(self, valid_until: float) -> None:
        """Renews until the lease is lost; returns when the node must stop routing. A renewal that comes late
        (the event loop stalled past the lease's validity) still keeps the lease if the store says it is ours:
        the renewal is atomic, so nobody held it meanwhile, and a single node is not stopped by a stall."""
        while True:
            await asyncio.sleep(max(0.0, min(self._interval, valid_until - self._monotonic())))
            sent = self._monotonic()
            late = sent >= valid_until
            try:
                async with asyncio.timeout(self._interval if late else valid_until - sent):
                    ours = await self._lease.renew()
            except (LiveStateUnavailable, TimeoutError) as exc:
                self._outage.failed(exc)
                ours = None
            except Exception:
                log.exception("node %s: renewing the routing lease failed", self._node_id)
                ours = None
            if ours is None:
                if late or self._monotonic() >= valid_until:
                    log.warning("node %s: no lease renewal succeeded within the TTL (%s s)", self._node_id,
                                self._ttl)
                    return
                continue
            self._outage.recovered()
            if not ours:
                log.warning("node %s: the routing lease expired or another node holds it", self._node_id)
                return
            if late:
                log.warning("node %s: the lease was renewed %.1f s late (the event loop stalled); still ours",
                            self._node_id, sent - valid_until)
            valid_until = self._expiry(sent)

    def _expiry(self, sent: float) -> float:
        return sent + self._ttl * (1 - SAFETY_MARGIN)

    async def _give_up(self, error: BaseException | None) -> None:
        log.error("node %s could not take routing over (%r); releasing the lease", self._node_id, error,
                  exc_info=error)
        self.token = None
        try:
            async with asyncio.timeout(self._interval):
                await self._lease.release()
        except Exception as exc:
            log.warning("node %s could not release the routing lease: %s", self._node_id, exc)
        await asyncio.sleep(self._interval)

    async def _call_lost(self) -> None:
        try:
            await self._on_lost()
        except Exception:
            log.exception("node %s: stopping routing failed", self._node_id)
