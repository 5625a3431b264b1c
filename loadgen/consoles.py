"""Supervisors' consoles watching a load run: ``count`` websockets of one supervisor, each receiving every
agent's state change (and the wallboard), as a room of wallboards would. For every ``agent.state_changed``
message each console receives, the push latency is its arrival (this host's clock) less the change's own time
(the ACD's clock, the same host's): what a supervisor's screen lags the ACD by. All sockets are read by one
asyncio loop on one thread, so 200 consoles cost one thread."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from datetime import datetime

from websockets.asyncio.client import ClientConnection, connect


class ConsoleWatchers:
    def __init__(self, ws_url: str, count: int) -> None:
        self._url, self._count = ws_url, count
        self.latencies: list[float] = []  # seconds, one per agent.state_changed per console
        self.messages = 0
        self.errors: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="console-watchers", daemon=True)
        self._sockets: list[ClientConnection] = []
        self._readers: list[asyncio.Task[None]] = []

    def start(self, timeout: float = 30.0) -> None:
        """Opens every console; returns once all are connected (raises if they could not be)."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._open(), self._loop).result(timeout)

    async def _open(self) -> None:
        for _ in range(self._count):  # one after another: a burst of 200 handshakes is not what is measured
            socket = await connect(self._url, open_timeout=10, max_size=None)
            self._sockets.append(socket)
            self._readers.append(asyncio.create_task(self._read(socket)))

    async def _read(self, socket: ClientConnection) -> None:
        try:
            async for raw in socket:
                arrived = time.time()
                message = json.loads(raw)
                self.messages += 1
                if message.get("type") == "agent.state_changed" and message.get("at"):
                    self.latencies.append(arrived - datetime.fromisoformat(message["at"]).timestamp())
        except Exception as exc:  # closed at the end of the run; anything else is reported
            self.errors.append(f"console websocket: {exc}")

    def stop(self) -> None:
        async def close() -> None:
            for reader in self._readers:
                reader.cancel()
            for socket in self._sockets:
                with contextlib.suppress(Exception):
                    await socket.close()
        if self._thread.is_alive():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(close(), self._loop).result(15)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
