"""Events and the in-process event bus.

Events are frozen dataclasses named in the past tense; each carries when it happened and, for calls, the
Asterisk linkedid. Every subscriber gets its own queue drained by one task, so it sees events in publish
order and a slow or failing subscriber never blocks the others."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import typing
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


    @classmethod
    def from_wire(cls, payload: dict[str, Any]) -> Event | None:
        """The event a wire payload describes (as another node published it); None for an unknown type or
        version, or a payload that does not fit its class."""
        kind = _wire_types().get(str(payload.get("type")))
        if kind is None or payload.get("v") != kind.wire_version:
            return None
        hints = typing.get_type_hints(kind)
        values: dict[str, Any] = {}
        try:
            for field in dataclasses.fields(kind):
                if field.name in payload:
                    values[field.name] = _from_plain(payload[field.name], hints[field.name])
            return kind(**values)
        except (TypeError, ValueError):
            log.warning("ignoring malformed %s payload", payload.get("type"))
            return None


def _wire_types() -> dict[str, type[Event]]:
    found: dict[str, type[Event]] = {}
    pending: list[type[Event]] = [Event]
    while pending:
        kind = pending.pop()
        found.setdefault(kind.wire_type, kind)
        pending.extend(kind.__subclasses__())
    return found


def _from_plain(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    text = str(hint)
    if "datetime" in text:
        return datetime.fromisoformat(value)
    if "tuple" in text and isinstance(value, list):
        return tuple(value)
    if "frozenset" in text and isinstance(value, list):
        return frozenset(value)
    return value


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
BatchHandler = Callable[[list[Event]], Awaitable[None]]


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

    def subscribe_batch(self, name: str, handler: BatchHandler, max_batch: int = 500) -> None:
        """Like :meth:`subscribe`, but ``handler`` gets every event waiting in the queue at once (in order, up
        to ``max_batch``): a writer that stores one batch in one transaction keeps up under a load where one
        transaction per event falls minutes behind."""
        queue: asyncio.Queue[Event] = asyncio.Queue(self._max_queue)
        self._subscribers.append((name, queue))
        self._tasks.append(asyncio.create_task(self._drain_batches(name, queue, handler, max_batch),
                                               name=f"bus:{name}"))

    def tap(self, listener: Callable[[Event], None]) -> None:
        """``listener`` is called inside ``publish``, before any subscriber task runs: for a latency-critical
        reader that only hands the event on (the ACD puts it on its own command queue). It must not block."""
        self._taps.append(listener)

    def untap(self, listener: Callable[[Event], None]) -> None:
        if listener in self._taps:
            self._taps.remove(listener)

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

    async def _drain_batches(self, name: str, queue: asyncio.Queue[Event], handler: BatchHandler,
                             max_batch: int) -> None:
        while True:
            batch = [await queue.get()]
            while len(batch) < max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                await handler(batch)
            except Exception:
                log.exception("subscriber %s failed on a batch of %s events", name, len(batch))
            finally:
                for _ in batch:
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
