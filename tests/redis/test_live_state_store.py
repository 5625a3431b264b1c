"""The Redis live-state store on a real redis-server: snapshots (ordered and fenced), the command relay
between a follower and the router, and event fan-out between nodes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from redis.asyncio import Redis

from acd.live_state import RESYNC_EVENT, FencedOut, RelayTimeout, StaleVersion
from acd.redis_keys import RedisKeys
from acd.redis_lease import RedisRoutingLease
from acd.redis_live_state import RedisLiveStateStore
from tests.redis.support import wait_until

STATE = {"agents": {"7": {"state": "ready", "seat": "seat1001"}},
         "waiting": [{"linkedid": "1700000000.1", "channel": "PJSIP/trunk-00000001", "seq": 0}],
         "note": "清泉"}


async def test_snapshot_round_trip(make_client: Callable[[], Redis]) -> None:
    client = make_client()
    lease, store = RedisRoutingLease(client), RedisLiveStateStore(client, "a")
    assert await store.load() is None
    token = await lease.acquire("a", 5)
    assert token is not None

    await store.save(STATE, 1, token)

    snapshot = await RedisLiveStateStore(make_client(), "b").load()  # another node reads it
    assert snapshot is not None
    assert (snapshot.data, snapshot.version, snapshot.fencing_token) == (STATE, 1, token)


async def test_an_older_version_never_overwrites_a_newer_one(make_client: Callable[[], Redis]) -> None:
    client = make_client()
    lease, store = RedisRoutingLease(client), RedisLiveStateStore(client, "a")
    token = await lease.acquire("a", 5)
    assert token is not None
    await store.save({"v": 5}, 5, token)

    with pytest.raises(StaleVersion):
        await store.save({"v": 4}, 4, token)
    await store.save({"v": "5 again"}, 5, token)  # a retried write: accepted, changes nothing

    snapshot = await store.load()
    assert snapshot is not None and (snapshot.data, snapshot.version) == ({"v": 5}, 5)


async def test_a_deposed_leaders_late_write_is_refused(make_client: Callable[[], Redis]) -> None:
    old_client, new_client = make_client(), make_client()
    old_lease, old_store = RedisRoutingLease(old_client), RedisLiveStateStore(old_client, "old")
    new_lease, new_store = RedisRoutingLease(new_client), RedisLiveStateStore(new_client, "new")
    old_token = await old_lease.acquire("old", 0.2)
    assert old_token is not None
    await old_store.save({"by": "old"}, 40, old_token)

    new_token = await wait_until(lambda: new_lease.acquire("new", 5), timeout=2, what="the lease to expire")
    assert new_token > old_token
    await new_store.save({"by": "new"}, 1, new_token)  # a new leader may restart its versions

    with pytest.raises(FencedOut):
        await old_store.save({"by": "old, late"}, 41, old_token)
    snapshot = await new_store.load()
    assert snapshot is not None and snapshot.data == {"by": "new"}


async def test_a_write_without_the_lease_is_refused(make_client: Callable[[], Redis]) -> None:
    store = RedisLiveStateStore(make_client(), "a")
    with pytest.raises(FencedOut):
        await store.save({"x": 1}, 1, 1)
    assert await store.load() is None


async def _serve(store: RedisLiveStateStore, seen: list[dict[str, Any]]) -> None:
    async for command, reply in store.commands():
        seen.append(command)
        await reply({"ok": True, "echo": command})


async def test_a_follower_relays_a_command_and_gets_the_routers_reply(make_client: Callable[[], Redis]) -> None:
    router = RedisLiveStateStore(make_client(), "router")
    follower = RedisLiveStateStore(make_client(), "follower")
    seen: list[dict[str, Any]] = []
    serving = asyncio.create_task(_serve(router, seen))
    try:
        command = {"type": "set_ready", "v": 1, "agent_id": 7}
        replies = await asyncio.gather(*(follower.send({**command, "n": n}, timeout=5) for n in range(3)))
    finally:
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)

    assert [r["echo"]["n"] for r in replies] == [0, 1, 2]
    assert all(r["ok"] for r in replies)
    assert sorted(c["n"] for c in seen) == [0, 1, 2]


async def test_a_relayed_command_nobody_takes_times_out_and_never_runs(make_client: Callable[[], Redis]) -> None:
    client = make_client()
    follower = RedisLiveStateStore(client, "follower")

    with pytest.raises(RelayTimeout, match="withdrawn"):
        await follower.send({"type": "set_ready", "agent_id": 7}, timeout=0.3)

    assert await client.llen(RedisKeys().commands) == 0  # a router starting later will not run it


async def _collect(events: AsyncIterator[dict[str, Any]], into: list[dict[str, Any]]) -> None:
    async for event in events:
        into.append(event)


async def test_events_fan_out_to_the_other_nodes_only(make_client: Callable[[], Redis]) -> None:
    node_a = RedisLiveStateStore(make_client(), "a")
    node_b = RedisLiveStateStore(make_client(), "b")
    at_a: list[dict[str, Any]] = []
    at_b: list[dict[str, Any]] = []
    tasks = [asyncio.create_task(_collect(node_a.events(), at_a)),
             asyncio.create_task(_collect(node_b.events(), at_b))]
    try:
        await wait_until(lambda: at_a and at_b, timeout=5, what="both nodes to subscribe")
        assert at_a == at_b == [RESYNC_EVENT]

        offered = {"type": "call.offered", "v": 1, "linkedid": "1700000000.1", "agent_id": 7}
        await node_a.publish_event(offered)

        await wait_until(lambda: len(at_b) == 2, timeout=5, what="node b to hear node a's event")
        assert at_b[1] == offered
        await node_b.publish_event({"type": "marker", "v": 1})  # published after a's event: a has had it
        await wait_until(lambda: len(at_a) == 2, timeout=5, what="node a to hear node b's marker")
        assert at_a[1] == {"type": "marker", "v": 1}  # a never hears itself
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
