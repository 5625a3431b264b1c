"""What is waiting to be written to one console socket: the pure part of the hub's per-socket writer.

Messages leave in the order they were put, with one exception: a *replaceable* message (the wallboard
snapshot, which carries the whole state) supersedes the replaceable message still waiting, which is dropped,
so a socket that falls behind receives the newest snapshot once rather than every stale one. The outbox is
bounded: a socket that lets ``limit`` messages pile up cannot keep up, and ``put`` says so (the hub closes it
and the console reconnects and re-reads its state) instead of holding ever more memory for it."""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class Outbox(Generic[T]):
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("an outbox holds at least one message")
        self._limit = limit
        self._waiting: deque[tuple[T, bool]] = deque()
        self._replaceable = 0  # how many replaceable messages are waiting: 0 or 1

    def put(self, message: T, *, replaceable: bool = False) -> bool:
        """Queues ``message``; False (and nothing queued) when the socket is ``limit`` messages behind."""
        if replaceable and self._replaceable:
            self._drop_replaceable()
        if len(self._waiting) >= self._limit:
            return False
        self._waiting.append((message, replaceable))
        self._replaceable += replaceable
        return True

    def take(self) -> T | None:
        """The next message to write, or None when nothing is waiting."""
        if not self._waiting:
            return None
        message, replaceable = self._waiting.popleft()
        self._replaceable -= replaceable
        return message

    def __len__(self) -> int:
        return len(self._waiting)

    def _drop_replaceable(self) -> None:
        for index, (_, replaceable) in enumerate(self._waiting):
            if replaceable:
                del self._waiting[index]
                self._replaceable -= 1
                return
