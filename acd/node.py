"""The ACD as this app node sees it: the routing service while the node holds the routing lease, a relay
to the routing node otherwise.

One node routes at a time. When this node acquires the lease it loads the last shared snapshot, asks the
composition root to start routing from it (AMI link, resync with Asterisk, the decision loop), writes a
snapshot after every change and serves the commands other nodes relay. When it loses the lease it stops
all of that. A node that does not route forwards its consoles' commands and reads the shared snapshot.
With no shared store (one node) the in-memory lease is simply held from the start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from acd.background import stop_task
from acd.command_codec import decode, encode, error_reply, raise_for_reply
from acd.commands import Command, Enqueue
from acd.core import AcdState
from acd.lease import LeaseKeeper, RoutingLease
from acd.live_state import RESYNC_EVENT, LiveStateStore
from acd.policy import AcdPolicy
from acd.service import AcdService, replace_policy
from acd.snapshot import from_snapshot, to_snapshot
from acd.snapshot_writer import SnapshotWriter
from kernel.errors import QingquanError, Unavailable

log = logging.getLogger(__name__)

StartRouter = Callable[[AcdState], Awaitable[AcdService]]
StopRouter = Callable[[AcdService], Awaitable[None]]  # stops the service it is given
RemoteEvent = Callable[[dict[str, Any]], Awaitable[None]]
RELAY_TIMEOUT = 5.0
FOLLOW_SECONDS = 1.0


class NotRouting(Unavailable):
    code = "acd_not_routing"


class AcdNode:
    def __init__(self, store: LiveStateStore, lease: RoutingLease, node_id: str, policy: AcdPolicy, *,
                 lease_ttl: float, shared: bool, start_router: StartRouter, stop_router: StopRouter,
                 on_remote_event: RemoteEvent | None = None) -> None:
        self.node_id = node_id
        self._store = store
        self._policy = policy
        self._shared = shared
        self._start_router = start_router
        self._stop_router = stop_router
        self._on_remote_event = on_remote_event
        self._keeper = LeaseKeeper(lease, node_id, lease_ttl, on_acquired=self._acquired, on_lost=self._lost)
        self._service: AcdService | None = None
        self._writer: SnapshotWriter | None = None
        self._version = 0
        self._dirty = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._follower_task: asyncio.Task[None] | None = None
        self._seen = AcdState(policy=policy)  # the shared state as last read, while another node routes
        self.routing_changed = asyncio.Event()

    @property
    def routing(self) -> bool:
        return self._service is not None

    @property
    def service(self) -> AcdService | None:
        return self._service

    @property
    def state(self) -> AcdState:
        return self._service.state if self._service is not None else self._seen

    async def start(self) -> None:
        if self._shared:
            self._follower_task = asyncio.create_task(self._follow(), name="acd-follow")
        self._keeper.start()

    async def wait_routing(self, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not self.routing:
                self.routing_changed.clear()
                await self.routing_changed.wait()

    async def stop(self, *, release: bool = True) -> None:
        await self._keeper.stop(release=release)
        await self._lost()
        await stop_task(self._follower_task)

    async def execute(self, command: Command) -> AcdState:
        """Runs a user's command on the routing node (here, or relayed) and returns the state after it."""
        if self._service is not None:
            return await self._service.execute(command)
        if not self._shared:
            raise NotRouting("the ACD is starting; try again in a moment")
        raise_for_reply(await self._store.send(encode(command), RELAY_TIMEOUT))
        await self._refresh()
        return self._seen

    async def offer_now(self, call: Enqueue) -> tuple[str, ...]:
        """The IVR hands ``call`` (direct=True) over: the seats the ACD offered it to at once, for the caller's
        dialplan to dial; () if no agent is free now, or if this node does not route (the caller then goes to
        hold, and the holding context enqueues the call as usual)."""
        if self._service is None:
            return ()
        state = await self._service.execute(call)
        offer = state.offered.get(call.linkedid)
        if offer is None or not offer.direct:
            return ()
        return tuple(state.agents[i].seat or "" for i in sorted(offer.agent_ids))

    # Becoming the router, and stopping ----------------------------------------------------------------

    async def _acquired(self, token: int) -> None:
        initial = AcdState(policy=self._policy)
        if self._shared:
            snapshot = await self._store.load()
            if snapshot is not None:
                initial = from_snapshot(snapshot.data, initial)
                self._version = snapshot.version
                log.warning("node %s takes over routing (lease token %s, snapshot version %s)", self.node_id,
                            token, self._version)
            else:  # a new store, or one that restarted empty: the agents' sessions live only in the last state
                initial = replace_policy(self._seen, self._policy)  # Asterisk's resync then corrects the calls
                log.warning("node %s takes over routing (lease token %s) with no shared snapshot: from the last "
                            "state it knew (%s agents, %s waiting calls)", self.node_id, token,
                            len(initial.agents), len(initial.waiting))
        service = await self._start_router(initial)
        if self._shared:
            self._writer = SnapshotWriter(self._store, token, on_fenced=self._fenced)
            self._writer.start()
            service.on_change(lambda _state: self._dirty.set())
            self._dirty.set()
            self._tasks = [asyncio.create_task(self._write_snapshots(), name="acd-snapshots"),
                           asyncio.create_task(self._serve_commands(), name="acd-relay")]
        self._service = service
        self.routing_changed.set()

    async def _fenced(self) -> None:
        log.error("node %s: another node routes now (fenced out); stopping", self.node_id)
        await self._lost()

    async def _lost(self) -> None:
        service = self._service
        if service is None:
            return
        log.warning("node %s stops routing", self.node_id)
        self._service = None
        self._seen = service.state  # what this node last knew: its consoles' view, and its base to route again
        self.routing_changed.set()
        for task in self._tasks:
            await stop_task(task)
        self._tasks = []
        if self._writer is not None:
            await self._writer.stop()
            self._writer = None
        await self._stop_router(service)

    # While routing --------------------------------------------------------------------------------------

    async def _write_snapshots(self) -> None:
        """Coalesces changes: after each burst of decisions, one snapshot of the newest state."""
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            if self._service is None or self._writer is None:
                continue
            self._version += 1
            self._writer.submit(to_snapshot(self._service.state), self._version)

    async def _serve_commands(self) -> None:
        async for payload, reply in self._store.commands():
            answer: dict[str, Any]
            try:
                if self._service is None:
                    raise NotRouting("this node stopped routing")
                await self._service.execute(decode(payload))
                self._dirty.set()
                await asyncio.sleep(0)  # let the snapshot task submit the new state
                if self._writer is not None:
                    await self._writer.flush(RELAY_TIMEOUT / 2)
                answer = {"ok": True}
            except QingquanError as exc:
                answer = error_reply(exc)
            await reply(answer)

    # While another node routes --------------------------------------------------------------------------

    async def _follow(self) -> None:
        """While another node routes: hands its events on (to this node's consoles) and keeps the shared
        state fresh, after a resubscription and every second."""
        events = self._store.events()
        next_event: asyncio.Task[Any] = asyncio.ensure_future(anext(events))
        try:
            while True:
                done, _ = await asyncio.wait({next_event}, timeout=FOLLOW_SECONDS)
                if next_event in done:
                    payload = next_event.result()
                    next_event = asyncio.ensure_future(anext(events))
                    if payload != RESYNC_EVENT:
                        if self._on_remote_event is not None and not self.routing:
                            await self._on_remote_event(payload)
                        continue
                if not self.routing:
                    await self._refresh()
        finally:
            next_event.cancel()

    async def _refresh(self) -> None:
        try:
            snapshot = await self._store.load()
        except QingquanError as exc:
            log.info("shared ACD state not readable: %s", exc)
            return
        if snapshot is not None:
            self._seen = from_snapshot(snapshot.data, AcdState(policy=self._policy))
