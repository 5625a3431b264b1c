"""A real SIP phone for tests: one baresip process driven over its ctrl_tcp module (netstring JSON).

Each phone plays a WAV as its microphone (``ausrc aufile``) and dumps both audio directions to WAV files
(``sndfile``), so a test can prove that audio flowed both ways."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BARESIP = shutil.which("baresip") or "/usr/bin/baresip"


@dataclass
class BaresipPhone:
    """``user`` registers to ``registrar`` with ``password`` when given; otherwise the phone only calls."""

    workdir: Path
    sip_port: int
    ctrl_port: int
    user: str
    domain: str = "127.0.0.1"
    registrar_port: int | None = None
    password: str | None = None
    auto_answer: bool = False
    source_wav: Path | None = None
    events: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    _proc: subprocess.Popen[bytes] | None = None
    _sock: socket.socket | None = None
    _reader: threading.Thread | None = None
    _responses: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    _token: int = 0

    def start(self, timeout: float = 10.0, attempts: int = 3) -> None:
        """Starts the phone; if its ports were taken meanwhile, tries again on fresh ones."""
        for attempt in range(attempts):
            try:
                self._start_once(timeout)
                return
            except RuntimeError:
                log = (self.workdir / "baresip.log").read_text(errors="replace")
                if "Address already in use" not in log or attempt == attempts - 1:
                    raise
                self.sip_port, self.ctrl_port = free_sip_port(), free_port()

    def _start_once(self, timeout: float) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "dumps").mkdir(exist_ok=True)
        source = self.source_wav or self.workdir / "silence.wav"
        if self.source_wav is None:
            subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(source), "trim", "0", "120"],
                           check=True)
        (self.workdir / "config").write_text(
            "module_path /usr/lib/baresip/modules\n"
            f"sip_listen 127.0.0.1:{self.sip_port}\n"
            f"audio_source aufile,{source}\n"
            "audio_player aufile,/dev/null\n"
            f"snd_path {self.workdir / 'dumps'}\n"
            "rtp_ports 40000-49999\n"
            "module g711.so\nmodule aufile.so\nmodule sndfile.so\nmodule menu.so\n"
            "module account.so\nmodule ctrl_tcp.so\n"
            f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}\n"
        )
        params = ";audio_codecs=PCMU"
        if self.auto_answer:
            params += ";answermode=auto"
        if self.password is not None and self.registrar_port is not None:
            aor = f"<sip:{self.user}@{self.domain}:{self.registrar_port}>;auth_pass={self.password};regint=60"
        else:
            aor = f"<sip:{self.user}@{self.domain}>;regint=0"
        (self.workdir / "accounts").write_text(aor + params + "\n")
        log = (self.workdir / "baresip.log").open("wb")
        self._proc = subprocess.Popen([BARESIP, "-f", str(self.workdir)], stdin=subprocess.DEVNULL,
                                      stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._sock = socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=0.5)
                break
            except OSError:
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"baresip did not start; see {self.workdir / 'baresip.log'}") from None
                time.sleep(0.05)
        self._sock.settimeout(None)
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    def _read_loop(self) -> None:
        assert self._sock is not None
        buffer = b""
        while True:
            try:
                chunk = self._sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b":" in buffer:
                length_text, _, rest = buffer.partition(b":")
                length = int(length_text)
                if len(rest) < length + 1:
                    break
                message = json.loads(rest[:length])
                message["received_at"] = time.time()  # wall clock, for latency figures
                buffer = rest[length + 1:]
                if message.get("response"):
                    self._responses.put(message)
                else:
                    self.events.put(message)

    def command(self, name: str, params: str = "", timeout: float = 5.0) -> dict[str, Any]:
        assert self._sock is not None, "phone not started"
        self._token += 1
        body = json.dumps({"command": name, "params": params, "token": str(self._token)}).encode()
        self._sock.sendall(str(len(body)).encode() + b":" + body + b",")
        while True:
            response = self._responses.get(timeout=timeout)
            if response.get("token") == str(self._token):
                return response

    def wait_event(self, event_type: str, timeout: float = 10.0) -> dict[str, Any]:
        """Waits for the next event of this type (e.g. CALL_ESTABLISHED, CALL_CLOSED, REGISTER_OK)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.user}: no {event_type} within {timeout} s")
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if event.get("type") == event_type:
                return event

    def pending(self, event_type: str) -> list[dict[str, Any]]:
        """Events of this type received and not yet consumed by ``wait_event`` (nothing is consumed). An
        auto-answering phone never reports CALL_INCOMING: look for CALL_ESTABLISHED there."""
        with self.events.mutex:
            return [event for event in self.events.queue if event.get("type") == event_type]

    def dial(self, uri: str) -> None:
        response = self.command("dial", uri)
        if not response.get("ok"):
            raise RuntimeError(f"dial failed: {response}")

    def send_dtmf(self, digits: str, gap: float = 0.25) -> None:
        for digit in digits:
            self.command("sndcode", digit)
            time.sleep(gap)

    def answer(self) -> None:
        """Answers the ringing call (a phone without auto-answer; baresip 1.0 reports CALL_INCOMING only for
        such a phone, never for one that answers by itself)."""
        response = self.command("accept")
        if not response.get("ok"):
            raise RuntimeError(f"accept failed: {response}")

    def hangup(self) -> None:
        self.command("hangup")

    def dumps(self) -> list[Path]:
        return sorted((self.workdir / "dumps").glob("*.wav"))

    def stop(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(Exception):
                self.command("quit", timeout=1.0)
            self._sock.close()
        if self._proc is not None:
            try:
                self._proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


def free_sip_port() -> int:
    """A port p with p and p+1 free on UDP and TCP (baresip binds SIP on p and SIP/TLS on p+1), taken outside
    the kernel's ephemeral range so that free_port() never hands it to somebody else meanwhile."""
    while True:
        port = random.randrange(20000, 29998, 2)
        if all(_bindable(p, kind) for p in (port, port + 1) for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM)):
            return port


def _bindable(port: int, kind: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")
