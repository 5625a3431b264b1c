"""Writes the router's live-state snapshots behind the ACD loop.

The ACD's one writer calls :meth:`SnapshotWriter.submit` after each change and never waits on the store:
one background task writes the newest snapshot (a burst of changes becomes one write), retries with
backoff while the store is away, and calls ``on_fenced`` when a newer router has taken over, so this node
stops routing at once rather than at its next lease renewal."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from acd.background import Backoff, OutageLog, stop_task
from acd.live_state import FencedOut, LiveStateStore, LiveStateUnavailable, StaleVersion

log = logging.getLogger(__name__)


class SnapshotWriter:
    def __init__(self, store: LiveStateStore, fencing_token: int, *,
                 on_fenced: Callable[[], Awaitable[None]]) -> None:
        self._store = store
        self._token = fencing_token
        self._on_fenced = on_fenced
        self._latest: tuple[Mapping[str, Any], int] | None = None
        self._wake = asyncio.Event()
        self._settled = asyncio.Event()
        self._settled.set()
        self._task: asyncio.Task[None] | None = None
        self._fenced = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="snapshot-writer")

    def submit(self, snapshot: Mapping[str, Any], version: int) -> None:
        """Queues ``snapshot`` (a fresh JSON-able mapping, not mutated afterwards); replaces an unwritten one."""
        if self._fenced:
            return
        self._latest = (snapshot, version)
        self._settled.clear()
        self._wake.set()

    async def flush(self, timeout: float) -> bool:
        """Waits until the newest submitted snapshot is stored; False if that took longer than ``timeout`` or
        the store refused it because another node routes now."""
        try:
            async with asyncio.timeout(timeout):
                await self._settled.wait()
        except TimeoutError:
            return False
        return not self._fenced

    async def stop(self) -> None:
        await stop_task(self._task)
        self._task = None

    async def _run(self) -> None:
        outage = OutageLog(log, "live-state snapshots")
        backoff = Backoff()
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._latest is None:
                continue
            snapshot, version = self._latest
            try:
                await self._store.save(snapshot, version, self._token)
            except LiveStateUnavailable as exc:
                outage.failed(exc)
                self._wake.set()  # try again: the newest snapshot by then
                await backoff.wait()
                continue
            except StaleVersion as exc:
                log.warning("snapshot v%s not written: %s", version, exc)
            except FencedOut as exc:
                log.warning("snapshot v%s refused, another node routes now: %s", version, exc)
                self._fenced = True
                self._latest = None
                self._settled.set()
                await self._call_fenced()
                return
            except Exception:
                log.exception("snapshot v%s could not be written", version)
            outage.recovered()
            backoff.reset()
            if self._latest is not None and self._latest[1] == version:
                self._latest = None
                self._settled.set()

    async def _call_fenced(self) -> None:
        try:
            await self._on_fenced()
        except Exception:
            log.exception("stopping routing after a refused snapshot failed")
