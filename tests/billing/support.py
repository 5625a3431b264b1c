"""A small, real billing system for tests: an HTTP server on a free port of 127.0.0.1, in a thread, that
answers ``GET /accounts/<number>`` with what the test scripted for that number."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote


@dataclass(frozen=True)
class Answer:
    """What the server does for one account: ``status`` and ``body``; ``delay`` waits before answering
    (until the server stops, if that comes first); ``trickle`` sends the body a byte at a time, this many
    seconds apart, after the headers."""

    status: int = 200
    body: bytes = b""
    delay: float = 0.0
    trickle: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Request:
    path: str  # as sent, still quoted
    account: str  # unquoted
    authorization: str | None


@dataclass
class BillingSystem:
    answers: dict[str, Answer] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url_template(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}/accounts/{{account}}"

    def start(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="billing-system", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()  # releases handlers still delaying an answer
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _handler(system: BillingSystem) -> Callable[..., BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            prefix = "/accounts/"
            account = unquote(self.path.removeprefix(prefix)) if self.path.startswith(prefix) else ""
            system.requests.append(Request(self.path, account, self.headers.get("Authorization")))
            answer = system.answers.get(account, Answer(404, b'{"error": "no such account"}'))
            if answer.delay and system.stopping.wait(answer.delay):
                return
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers:
                self.send_header(name, value)
            self.end_headers()
            if not answer.trickle:
                self.wfile.write(answer.body)
                return
            for index in range(len(answer.body)):
                if system.stopping.wait(answer.trickle):
                    return
                self.wfile.write(answer.body[index:index + 1])
                self.wfile.flush()

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: pytest shows failures, not every request

    return Handler
