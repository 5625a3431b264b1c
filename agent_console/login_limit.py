"""Failed log-ins, counted per username and per client address: after ``max_failures`` within
``window_seconds`` either one is refused (429 with Retry-After) until its oldest failure leaves the window.
Pure: the time comes in as an argument (the app's clock), nothing is stored outside this object.

Counts are kept in this node's memory: with several app nodes behind a balancer an attacker gets that many
tries per node and window, and a restart forgets them. A success clears the username's failures, never the
address's (one valid account must not reset an address guessing others' passwords)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from datetime import datetime, timedelta

MAX_TRACKED = 10_000  # keys kept at most; beyond that the stale ones, then the oldest, are forgotten


class LoginLimiter:
    def __init__(self, max_failures: int = 5, window_seconds: float = 60.0, max_tracked: int = MAX_TRACKED) -> None:
        self.max_failures = max_failures
        self.max_tracked = max_tracked
        self.window = timedelta(seconds=window_seconds)
        self._failures: dict[str, deque[datetime]] = {}

    @staticmethod
    def keys(username: str, address: str) -> tuple[str, str]:
        return f"user:{username.strip().casefold()}", f"addr:{address}"

    def retry_after(self, keys: Iterable[str], now: datetime) -> int | None:
        """Whole seconds until a log-in may be tried again with these keys; None: it may be tried now."""
        wait = 0.0
        for key in keys:
            times = self._recent(key, now)
            if len(times) >= self.max_failures:
                wait = max(wait, (times[-self.max_failures] + self.window - now).total_seconds())
        return max(1, math.ceil(wait)) if wait > 0 else None

    def failed(self, keys: Iterable[str], now: datetime) -> None:
        for key in keys:
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times
        if len(self._failures) > self.max_tracked:
            self._forget(now)

    def succeeded(self, username_key: str) -> None:
        self._failures.pop(username_key, None)

    def tracked(self) -> int:
        """How many usernames and addresses have failures remembered."""
        return len(self._failures)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        while len(times) > self.max_failures:  # only the last max_failures matter
            times.popleft()
        return times

    def _forget(self, now: datetime) -> None:
        for key in [k for k, times in self._failures.items() if not times or times[-1] <= now - self.window]:
            del self._failures[key]
        by_age = sorted(self._failures, key=lambda k: self._failures[k][-1])
        for key in by_age[: max(0, len(self._failures) - self.max_tracked)]:
            del self._failures[key]
