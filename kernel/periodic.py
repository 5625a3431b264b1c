"""A best-effort job run in a worker thread every so often by the app (recording retention, report tallies):
a failure is logged and the next round tries again; ``stop`` cancels it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable


class PeriodicJob:
    def __init__(self, name: str, work: Callable[[], object], every_seconds: float, log: logging.Logger) -> None:
        self._name = name
        self._work = work
        self._every_seconds = every_seconds
        self._log = log
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self._work)
            except Exception:  # best effort: the next round tries again
                self._log.exception("%s failed", self._name)
            await asyncio.sleep(self._every_seconds)
