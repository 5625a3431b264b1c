"""A small blocking AMI client for tests and benchmarks: one raw TCP socket, one reader thread.

Every event is stamped with the wall-clock time (``time.time()``) at which its bytes were read, before any
parsing, so a benchmark can measure from the moment Asterisk's event reached this process on the same clock
as the SIP phones' events. Asterisk's own ``Timestamp`` header is taken when the event is formatted and lags
under load, so it is not used."""

from __future__ import annotations

import contextlib
import itertools
import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Message = dict[str, str]


@dataclass
class AmiClient:
    host: str
    port: int
    username: str
    secret: str
    events: queue.Queue[Message] = field(default_factory=queue.Queue)
    _sock: socket.socket | None = None
    _reader: threading.Thread | None = None
    _responses: dict[str, queue.Queue[Message]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def connect(self, timeout: float = 10.0) -> None:
        self._sock = socket.create_connection((self.host, self.port), timeout=timeout)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        banner = b""
        while not banner.endswith(b"\r\n"):
            banner += self._sock.recv(1)
        self._sock.settimeout(None)
        self._reader = threading.Thread(target=self._read_loop, name="ami-reader", daemon=True)
        self._reader.start()
        response = self.action({"Action": "Login", "Username": self.username, "Secret": self.secret})
        if response.get("Response") != "Success":
            raise RuntimeError(f"AMI login failed: {response}")

    def only_events(self, names: list[str]) -> None:
        """Asks Asterisk to send this session only these events (AMI ``Filter``, one whitelist line each)."""
        for name in names:
            response = self.action({"Action": "Filter", "Operation": "Add", "Filter": f"Event: {name}"})
            if response.get("Response") != "Success":
                raise RuntimeError(f"AMI filter {name} refused: {response}")

    def action(self, fields: Message, timeout: float = 5.0) -> Message:
        """Sends an action and waits for its response (the first message carrying its ActionID)."""
        action_id, inbox = self.send(fields)
        try:
            return inbox.get(timeout=timeout)
        finally:
            self._responses.pop(action_id, None)

    def send(self, fields: Message) -> tuple[str, queue.Queue[Message]]:
        """Writes an action without waiting; returns its ActionID and the queue its response will arrive on."""
        assert self._sock is not None, "not connected"
        action_id = f"qqb-{next(self._ids)}"
        inbox: queue.Queue[Message] = queue.Queue()
        self._responses[action_id] = inbox
        text = "".join(f"{k}: {v}\r\n" for k, v in {**fields, "ActionID": action_id}.items()) + "\r\n"
        with self._lock:
            self._sock.sendall(text.encode())
        return action_id, inbox

    def wait_event(self, match: Callable[[Message], bool], timeout: float = 10.0) -> Message:
        """The next event that ``match`` accepts (others are dropped)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no matching AMI event")
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if match(event):
                return event

    def drain(self) -> None:
        """Drops every event received so far."""
        while True:
            try:
                self.events.get_nowait()
            except queue.Empty:
                return

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self.send({"Action": "Logoff"})
            self._sock.close()

    def _read_loop(self) -> None:
        assert self._sock is not None
        buffer = b""
        while True:
            try:
                chunk = self._sock.recv(65536)
            except OSError:
                return
            received_at = time.time()
            if not chunk:
                return
            buffer += chunk
            while b"\r\n\r\n" in buffer:
                block, buffer = buffer.split(b"\r\n\r\n", 1)
                self._dispatch(_parse(block), received_at)

    def _dispatch(self, message: Message, received_at: float) -> None:
        message["received_at"] = repr(received_at)
        inbox = self._responses.get(message.get("ActionID", ""))
        if "Response" in message and inbox is not None:
            inbox.put(message)
        elif "Event" in message:
            self.events.put(message)


def _parse(block: bytes) -> Message:
    """AMI headers, first value wins (a UserEvent may repeat a channel header)."""
    message: Message = {}
    for line in block.decode(errors="replace").split("\r\n"):
        key, sep, value = line.partition(":")
        if sep and key not in message:
            message[key] = value.strip()
    return message


def received_at(event: Message) -> float:
    return float(event["received_at"])
