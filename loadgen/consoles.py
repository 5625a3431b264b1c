"""Supervisors' consoles watching a load run: ``count`` websockets of one supervisor, each receiving every
agent's state change (and the wallboard), as a room of wallboards would. For every ``agent.state_changed``
message each console receives, the push latency is its arrival (this host's clock) less the change's own time
(the ACD's clock, the same host's): what a supervisor's screen lags the ACD by.

The consoles run in a process of their own (``python -m loadgen.consoles``), as each supervisor's browser is
its own process: read by the process that also drives the agents and SIPp, their latency would include that
process's own queueing (one interpreter lock, one loop for 200 sockets). Within it, one asyncio loop reads all
the sockets; only the messages that are state changes are parsed (a browser parses the wallboard too, but on
its own core). The parent gets the figures back when it stops them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import threading
import time
from datetime import datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

STATE_CHANGED = '"agent.state_changed"'  # present in that message only (a wallboard carries states, not types)


class ConsoleWatchers:
    def __init__(self, ws_url: str, count: int) -> None:
        self._url, self._count = ws_url, count
        self.latencies: list[float] = []  # seconds, one per agent.state_changed per console
        self.messages = 0
        self.errors: list[str] = []
        self._process: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 30.0) -> None:
        """Opens every console; returns once all are connected (raises if they could not be)."""
        process = self._process = subprocess.Popen([sys.executable, "-m", "loadgen.consoles"], text=True,
                                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps({"url": self._url, "count": self._count}) + "\n")
        process.stdin.flush()
        line: list[str] = []
        stdout = process.stdout
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not line or json.loads(line[0] or "{}").get("ready") is not True:
            self._kill()
            raise RuntimeError(f"the {self._count} consoles did not connect within {timeout:.0f} s: {line}")

    def stop(self) -> None:
        """Closes the consoles and takes their figures."""
        process, self._process = self._process, None
        if process is None or process.stdin is None:
            return
        try:
            out, _ = process.communicate("stop\n", timeout=60)
            result = json.loads(out.splitlines()[-1])
            self.latencies, self.messages = result["latencies"], result["messages"]
            self.errors.extend(result["errors"])
        except Exception as exc:
            self.errors.append(f"console watchers: {exc}")
            process.kill()
            process.wait()

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None


class _Room:
    """The child process's side: the sockets and what they received."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.messages = 0
        self.errors: list[str] = []

    async def watch(self, url: str, count: int) -> None:
        sockets: list[ClientConnection] = []
        readers: list[asyncio.Task[None]] = []
        for _ in range(count):  # one after another: a burst of 200 handshakes is not what is measured
            socket = await connect(url, open_timeout=10, max_size=None)
            sockets.append(socket)
            readers.append(asyncio.create_task(self._read(socket)))
        print(json.dumps({"ready": True}), flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # "stop", or the parent gone
        for reader in readers:
            reader.cancel()
        for socket in sockets:
            with contextlib.suppress(Exception):
                await socket.close()

    async def _read(self, socket: ClientConnection) -> None:
        try:
            async for raw in socket:
                arrived = time.time()
                self.messages += 1
                if isinstance(raw, str) and STATE_CHANGED in raw:
                    message = json.loads(raw)
                    if message.get("type") == "agent.state_changed" and message.get("at"):
                        self.latencies.append(arrived - datetime.fromisoformat(message["at"]).timestamp())
        except Exception as exc:  # closed at the end of the run; anything else is reported
            self.errors.append(f"console websocket: {exc}")

    def figures(self) -> dict[str, Any]:
        return {"latencies": self.latencies, "messages": self.messages, "errors": self.errors}


def main() -> None:
    request = json.loads(sys.stdin.readline())
    room = _Room()
    try:
        asyncio.run(room.watch(request["url"], int(request["count"])))
    except Exception as exc:
        room.errors.append(f"console watchers: {exc}")
    print(json.dumps(room.figures()), flush=True)


if __name__ == "__main__":
    main()
