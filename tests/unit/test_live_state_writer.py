"""The snapshot writer behind the ACD loop: coalesces bursts, rides out an unreachable store, and reports
being fenced out. Driven through the in-memory store (a subclass that can be made unreachable)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from acd.lease import InMemoryRoutingLease
from acd.live_state import LiveStateUnavailable
from acd.live_state_memory import InMemoryLiveStateStore
from acd.snapshot_writer import SnapshotWriter


class FlakyStore(InMemoryLiveStateStore):
    def __init__(self, lease: InMemoryRoutingLease | None = None) -> None:
        super().__init__(lease)
        self.reachable = True
        self.saved_versions: list[int] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def save(self, snapshot: Mapping[str, Any], version: int, fencing_token: int) -> None:
        await self.gate.wait()
        if not self.reachable:
            raise LiveStateUnavailable("store away")
        await super().save(snapshot, version, fencing_token)
        self.saved_versions.append(version)


async def _never() -> None:
    raise AssertionError("not fenced")


async def test_a_burst_of_changes_is_written_as_its_newest_snapshot() -> None:
    store = FlakyStore()
    writer = SnapshotWriter(store, 1, on_fenced=_never)
    writer.start()
    try:
        store.gate.clear()  # the first write is in flight while the next changes arrive
        writer.submit({"n": 1}, 1)
        await asyncio.sleep(0)
        for n in range(2, 50):
            writer.submit({"n": n}, n)
        store.gate.set()
        assert await writer.flush(1)
    finally:
        await writer.stop()
    assert store.saved_versions == [1, 49]
    snapshot = await store.load()
    assert snapshot is not None and snapshot.data == {"n": 49}


async def test_an_unreachable_store_is_retried_until_it_is_back() -> None:
    store = FlakyStore()
    store.reachable = False
    writer = SnapshotWriter(store, 1, on_fenced=_never)
    writer.start()
    try:
        writer.submit({"n": 1}, 1)
        assert not await writer.flush(0.2)
        writer.submit({"n": 2}, 2)
        store.reachable = True
        assert await writer.flush(3)
    finally:
        await writer.stop()
    assert store.saved_versions == [2]


async def test_a_refused_write_means_another_node_routes() -> None:
    lease = InMemoryRoutingLease()
    token = await lease.acquire("a", 10)
    assert token is not None
    store = FlakyStore(lease)
    fenced = asyncio.Event()

    async def on_fenced() -> None:
        fenced.set()

    writer = SnapshotWriter(store, token, on_fenced=on_fenced)
    writer.start()
    try:
        writer.submit({"n": 1}, 1)
        assert await writer.flush(1)
        await lease.release()
        await lease.acquire("b", 10)  # another node's token now
        writer.submit({"n": 2}, 2)
        await asyncio.wait_for(fenced.wait(), 1)
        assert not await writer.flush(1)
        writer.submit({"n": 3}, 3)  # ignored from now on
    finally:
        await writer.stop()
    assert store.saved_versions == [1]
