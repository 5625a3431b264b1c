"""The one-process live-state adapters and the lease keeper, without Redis: the in-memory store keeps the
same contract as the Redis one (order, fencing, relay), and the keeper is driven by a lease written for the
port whose answers the test controls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from acd.lease import InMemoryRoutingLease, LeaseKeeper, new_node_id
from acd.live_state import RESYNC_EVENT, FencedOut, LiveStateStore, LiveStateUnavailable, RelayTimeout, StaleVersion
from acd.live_state_memory import InMemoryLiveStateStore


async def eventually(check: Callable[[], Any], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.01)


async def test_snapshots_round_trip_as_json_copies() -> None:
    store = InMemoryLiveStateStore()
    assert await store.load() is None
    state: dict[str, Any] = {"waiting": [{"linkedid": "1.1"}]}

    await store.save(state, 1, 1)
    state["waiting"].append({"linkedid": "1.2"})  # the caller's later changes are not the stored state

    snapshot = await store.load()
    assert snapshot is not None
    assert (snapshot.data, snapshot.version, snapshot.fencing_token) == ({"waiting": [{"linkedid": "1.1"}]}, 1, 1)


async def test_snapshots_are_ordered_by_token_then_version() -> None:
    store = InMemoryLiveStateStore()
    await store.save({"n": 5}, 5, 1)
    with pytest.raises(StaleVersion):
        await store.save({"n": 4}, 4, 1)
    await store.save({"n": "again"}, 5, 1)  # same version again: accepted, changes nothing
    await store.save({"n": 1}, 1, 2)  # a newer leader
    with pytest.raises(FencedOut):
        await store.save({"n": 6}, 6, 1)  # the deposed one

    snapshot = await store.load()
    assert snapshot is not None and (snapshot.data, snapshot.fencing_token) == ({"n": 1}, 2)


async def test_with_a_lease_only_its_current_token_may_write() -> None:
    lease = InMemoryRoutingLease()
    store = InMemoryLiveStateStore(lease)
    token = await lease.acquire("node", 10)
    assert token is not None
    await store.save({}, 1, token)
    await lease.release()
    with pytest.raises(FencedOut):
        await store.save({}, 2, token)


async def test_the_in_memory_lease_has_one_holder_and_new_tokens() -> None:
    lease = InMemoryRoutingLease()
    first = await lease.acquire("a", 10)
    assert first is not None and lease.token == first
    assert await lease.acquire("b", 10) is None
    assert await lease.renew()
    await lease.release()
    assert not await lease.renew()
    second = await lease.acquire("b", 10)
    assert second is not None and second > first


async def test_relayed_commands_get_their_reply() -> None:
    store: LiveStateStore = InMemoryLiveStateStore()

    async def serve() -> None:
        async for command, reply in store.commands():
            await reply({"ok": True, "agent_id": command["agent_id"]})

    server = asyncio.create_task(serve())
    try:
        assert await store.send({"type": "set_ready", "agent_id": 7}, timeout=1) == {"ok": True, "agent_id": 7}
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)


async def test_a_relayed_command_nobody_took_in_time_never_runs() -> None:
    store = InMemoryLiveStateStore()
    with pytest.raises(RelayTimeout, match="withdrawn"):
        await store.send({"type": "set_ready", "agent_id": 7}, timeout=0.05)

    taken: list[dict[str, Any]] = []

    async def serve() -> None:
        async for command, reply in store.commands():
            taken.append(command)
            await reply({"ok": True})

    server = asyncio.create_task(serve())
    try:
        await store.send({"type": "set_ready", "agent_id": 8}, timeout=1)
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
    assert taken == [{"type": "set_ready", "agent_id": 8}]


async def test_events_only_announce_the_subscription() -> None:
    store = InMemoryLiveStateStore()
    await store.publish_event({"type": "call.queued", "v": 1})  # no other node: nothing to do
    events = store.events()
    assert await anext(events) == RESYNC_EVENT
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(anext(events), 0.05)


class ControlledLease:
    """A routing lease whose store the test can make unreachable, or give to another node."""

    def __init__(self) -> None:
        self.reachable = True
        self.hang = False
        self.ours = False
        self.taken_by_other = False
        self.tokens = 0

    @property
    def token(self) -> int | None:
        return self.tokens if self.ours else None

    async def _reach(self) -> None:
        if self.hang:
            await asyncio.Event().wait()
        if not self.reachable:
            raise LiveStateUnavailable("store away")

    async def acquire(self, node_id: str, ttl: float) -> int | None:
        await self._reach()
        if self.ours or self.taken_by_other:
            return None
        self.ours = True
        self.tokens += 1
        return self.tokens

    async def renew(self) -> bool:
        await self._reach()
        return self.ours

    async def release(self) -> None:
        await self._reach()
        self.ours = False


class Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def acquired(self, token: int) -> None:
        self.calls.append(f"acquired {token}")

    async def lost(self) -> None:
        self.calls.append("lost")


TTL = 0.3


@pytest.fixture
async def keeper_parts() -> Any:
    lease, recorder = ControlledLease(), Recorder()
    keeper = LeaseKeeper(lease, "node-a", TTL, on_acquired=recorder.acquired, on_lost=recorder.lost)
    keeper.start()
    yield lease, recorder, keeper
    lease.reachable, lease.hang = True, False
    await keeper.stop()


async def test_the_keeper_routes_once_acquired_and_releases_on_stop(keeper_parts: Any) -> None:
    lease, recorder, keeper = keeper_parts
    await eventually(lambda: recorder.calls == ["acquired 1"], 1, "routing")
    assert keeper.holds_lease and keeper.token == 1
    await keeper.stop()
    assert not lease.ours and not keeper.holds_lease


@pytest.mark.parametrize("outage", ["unreachable", "hanging"])
async def test_the_keeper_stops_routing_when_the_store_is_away_a_ttl_then_campaigns_again(
        keeper_parts: Any, outage: str) -> None:
    lease, recorder, keeper = keeper_parts
    await eventually(lambda: recorder.calls == ["acquired 1"], 1, "routing")

    lease.ours = False  # meanwhile the lease expired in the store
    if outage == "hanging":
        lease.hang = True
    else:
        lease.reachable = False
    await eventually(lambda: recorder.calls[-1:] == ["lost"], 2 * TTL, "the keeper to give routing up")
    assert not keeper.holds_lease

    lease.reachable, lease.hang = True, False
    await eventually(lambda: recorder.calls == ["acquired 1", "lost", "acquired 2"], 2 * TTL, "routing again")


async def test_a_stalled_event_loop_does_not_stop_a_node_whose_lease_is_still_its_own(
        keeper_parts: Any) -> None:
    """A load-test run stalled the app's loop past the TTL: the single node gave routing up for good."""
    _lease, recorder, keeper = keeper_parts
    await eventually(lambda: recorder.calls == ["acquired 1"], 1, "routing")
    time.sleep(3 * TTL)  # the whole loop blocked: no renewal can run
    await asyncio.sleep(TTL)  # the late renewal, then an on-time one
    assert recorder.calls == ["acquired 1"] and keeper.holds_lease


async def test_a_single_process_node_stalled_past_the_ttl_keeps_routing() -> None:
    recorder = Recorder()
    keeper = LeaseKeeper(InMemoryRoutingLease(), "node-a", TTL, on_acquired=recorder.acquired,
                         on_lost=recorder.lost)
    keeper.start()
    try:
        await eventually(lambda: recorder.calls == ["acquired 1"], 1, "routing")
        time.sleep(3 * TTL)
        await asyncio.sleep(TTL)
        assert recorder.calls == ["acquired 1"] and keeper.holds_lease
    finally:
        await keeper.stop()


async def test_the_keeper_stops_routing_when_another_node_has_the_lease(keeper_parts: Any) -> None:
    lease, recorder, keeper = keeper_parts
    await eventually(lambda: recorder.calls == ["acquired 1"], 1, "routing")
    lease.ours, lease.taken_by_other = False, True
    await eventually(lambda: recorder.calls == ["acquired 1", "lost"], TTL, "the keeper to notice")
    assert not keeper.holds_lease


async def test_a_failed_takeover_releases_the_lease() -> None:
    lease = ControlledLease()
    attempts: list[int] = []

    async def failing_takeover(token: int) -> None:
        attempts.append(token)
        raise RuntimeError("Asterisk resync failed")

    async def lost() -> None:
        raise AssertionError("never routed, so never lost")

    keeper = LeaseKeeper(lease, "node-a", TTL, on_acquired=failing_takeover, on_lost=lost)
    keeper.start()
    try:
        await eventually(lambda: len(attempts) >= 2, 2 * TTL, "a second attempt")
        assert attempts[:2] == [1, 2]  # the first was released, so it could be acquired again
    finally:
        await keeper.stop()


def test_node_ids_are_unique_and_fit_the_lease_value() -> None:
    ids = {new_node_id() for _ in range(100)}
    assert len(ids) == 100 and all(" " not in i for i in ids)
