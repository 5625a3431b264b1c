"""Events and the in-process event bus.

Events are frozen dataclasses named in the past tense; each carries when it happened and, for calls, the
Asterisk linkedid. Every subscriber gets its own queue drained by one task, so it sees events in publish
order and a slow or failing subscriber never blocks the others."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    wire_type: ClassVar[str] = "event"
    wire_version: ClassVar[int] = 1

    at: datetime
    linkedid: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """The versioned wire payload: ``{"type": "call.queued", "v": 1, ...fields}``."""
        payload: dict[str, Any] = {"type": self.wire_type, "v": self.wire_version}
        for field in dataclasses.fields(self):
            payload[field.name] = plain(getattr(self, field.name))
        return payload


def plain(value: Any) -> Any:
    """A value as JSON can carry it: ISO datetimes, decimal strings, enum values, lists."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list | frozenset):
        return [plain(v) for v in value]
    return value


Handler = Callable[[Event], Awaitable[None]]


class EventBus:
    def __init__(self, max_queue: int = 100_000) -> None:
        self._taps: list[Callable[[Event], None]] = []
        self._subscribers: list[tuple[str, asyncio.Queue[Event]]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._max_queue = max_queue

    def subscribe(self, name: str, handler: Handler) -> None:
        queue: asyncio.Queue[Event] = asyncio.Queue(self._max_queue)
        self._subscribers.append((name, queue))
        self._tasks.append(asyncio.create_task(self._drain(name, queue, handler), name=f"bus:{name}"))

    def tap(self, listener: Callable[[Event], None]) -> None:
        """``listener`` is called inside ``publish``, before any subscriber task runs: for a latency-critical
        reader that only hands the event on (the ACD puts it on its own command queue). It must not block."""
        self._taps.append(listener)

    def publish(self, event: Event) -> None:
        for listener in self._taps:
            try:
                listener(event)
            except Exception:
                log.exception("bus tap failed on %s", event.wire_type)
        for name, queue in self._subscribers:
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                log.error("subscriber %s is %s events behind; dropping %s", name, queue.qsize(), event)

    async def _drain(self, name: str, queue: asyncio.Queue[Event], handler: Handler) -> None:
        while True:
            event = await queue.get()
            try:
                await handler(event)
            except Exception:
                log.exception("subscriber %s failed on %s", name, event.wire_type)
            finally:
                queue.task_done()

    async def settle(self) -> None:
        """Waits until every subscriber has handled everything published so far."""
        for _, queue in self._subscribers:
            await queue.join()

    async def close(self) -> None:
        await self.settle()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._subscribers.clear()
