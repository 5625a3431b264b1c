"""EventBus.subscribe_batch: a subscriber gets what waits in its queue at once, in order, bounded; a failing
batch is logged and the next one still arrives; settle() waits for batches too."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from kernel.call_events import CallEnded
from kernel.events import Event, EventBus

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def ended(n: int) -> CallEnded:
    return CallEnded(at=NOW, linkedid=f"c{n}", channel=f"PJSIP/trunk-{n}", cause="")


async def _batches(fail_first: bool) -> list[list[str]]:
    bus, got = EventBus(), []

    async def handler(batch: list[Event]) -> None:
        got.append([e.linkedid or "" for e in batch])
        if fail_first and len(got) == 1:
            raise RuntimeError("refused")

    bus.subscribe_batch("writer", handler, max_batch=4)
    for n in range(10):
        bus.publish(ended(n))
    await bus.settle()
    bus.publish(ended(10))
    await bus.close()
    return got


def test_a_batch_is_what_waits_in_order_and_bounded() -> None:
    got = asyncio.run(_batches(fail_first=False))
    assert got == [["c0", "c1", "c2", "c3"], ["c4", "c5", "c6", "c7"], ["c8", "c9"], ["c10"]]


def test_a_failing_batch_does_not_stop_the_next() -> None:
    got = asyncio.run(_batches(fail_first=True))
    assert [n for batch in got for n in batch] == [f"c{n}" for n in range(11)]
