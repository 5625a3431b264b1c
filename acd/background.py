"""What the live-state background tasks share: capped exponential backoff, one warning per outage of the
shared store (not one per retry) with a note when it ends, and a stop that really stops."""

from __future__ import annotations

import asyncio
import logging
import time


class Backoff:
    """Delays of ``first``, doubling up to ``cap`` seconds; :meth:`reset` after a success."""

    def __init__(self, first: float = 0.05, cap: float = 2.0) -> None:
        self._first = first
        self._cap = cap
        self._next = first

    def reset(self) -> None:
        self._next = self._first

    async def wait(self) -> None:
        delay = self._next
        self._next = min(self._cap, self._next * 2)
        await asyncio.sleep(delay)


class OutageLog:
    """Logs the first failure of an outage as a warning, later ones at debug, and the recovery once."""

    def __init__(self, log: logging.Logger, what: str) -> None:
        self._log = log
        self._what = what
        self._since: float | None = None

    @property
    def in_outage(self) -> bool:
        return self._since is not None

    def failed(self, exc: BaseException) -> None:
        if self._since is None:
            self._since = time.monotonic()
            self._log.warning("%s: shared store unreachable (%s); retrying with backoff", self._what, exc)
        else:
            self._log.debug("%s: still unreachable (%s)", self._what, exc)

    def recovered(self) -> None:
        if self._since is not None:
            self._log.warning("%s: shared store reachable again after %.1f s", self._what,
                              time.monotonic() - self._since)
            self._since = None


async def stop_task(task: asyncio.Task[None] | None) -> None:
    """Cancels ``task`` and waits for it to end, cancelling again if a cancellation was swallowed on the way
    (Python 3.11's wait_for and some client libraries can lose one that races with a completion)."""
    while task is not None and not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=1.0)
