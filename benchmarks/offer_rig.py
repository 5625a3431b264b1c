"""The test rig of the offer-latency benchmark: one hotline (real Asterisk + the Qingquan app), one baresip
seat phone shared by both systems, two baresip caller phones, the benchmark's own AMI session, the agent's
console feed (websocket) and a keep-alive HTTP socket for the agent's state requests.

app_queue is set up at run time on the hotline's own Asterisk, without touching the repo's ``asterisk/``
templates: a ``qq-bench`` queue appended to the rendered queues.conf in the run directory (the seat as its
one dynamic member), and three trunk extensions added with the CLI: 96198 parks the caller in Qingquan's
holding context and 96199 puts the caller in ``Queue(qq-bench)``, both skipping the IVR; 96197 runs Qingquan's
IVR like the hotline number (qq-agi), then puts a caller it transfers in ``Queue(qq-bench)``. One system
owns the seat at a time: the app_queue member is paused while Qingquan's agent may be offered calls, and the
agent is not-ready while app_queue may ring the seat."""

from __future__ import annotations

import json
import queue
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from tests.support.ami_client import AmiClient, Message
from tests.support.baresip import BaresipPhone, free_port, free_sip_port
from tests.support.hotline import RunningHotline, start_hotline, wait_for

QINGQUAN, APP_QUEUE = "Qingquan", "app_queue"
SEAT, MEMBER, BENCH_QUEUE = "seat1001", "PJSIP/seat1001", "qq-bench"
EXTENSION = {QINGQUAN: "96198", APP_QUEUE: "96199"}
IVR_EXTENSION = {QINGQUAN: "96106", APP_QUEUE: "96197"}  # through Qingquan's IVR, then its ACD / app_queue
WRAPUP_SECONDS = 1  # both systems; app_queue's wrapuptime is whole seconds
AMI_EVENTS = ["UserEvent", "QueueCallerJoin", "DialBegin", "AgentComplete", "AGIExecStart"]

BENCH_QUEUE_CONF = f"""
[{BENCH_QUEUE}]
strategy = leastrecent
timeout = 15
retry = 1
wrapuptime = {WRAPUP_SECONDS}
ringinuse = no
joinempty = yes
leavewhenempty = no
announce-frequency = 0
periodic-announce-frequency = 0
announce-position = no
musicclass = default
"""

BENCH_DIALPLAN = [
    f"{EXTENSION[QINGQUAN]},1,Answer()",
    f"{EXTENSION[QINGQUAN]},2,Set(QQ_QUEUE=general)",
    f"{EXTENSION[QINGQUAN]},3,Set(QQ_PATH=bench)",
    f"{EXTENSION[QINGQUAN]},4,Set(QQ_PRIORITY=0)",
    f"{EXTENSION[QINGQUAN]},5,Goto(acd-hold,s,1)",
    f"{EXTENSION[APP_QUEUE]},1,Answer()",
    f"{EXTENSION[APP_QUEUE]},2,Queue({BENCH_QUEUE},t,,,600)",
    f"{EXTENSION[APP_QUEUE]},3,Hangup()",
    f"{IVR_EXTENSION[APP_QUEUE]},1,Answer()",
    f"{IVR_EXTENSION[APP_QUEUE]},2,Set(CHANNEL(language)=zh)",
    f"{IVR_EXTENSION[APP_QUEUE]},3,Gosub(qq-agi,agi,1(ivr,{IVR_EXTENSION[APP_QUEUE]}))",
    f"{IVR_EXTENSION[APP_QUEUE]},4,GotoIf(${{QQ_NEXT}}?6)",  # the IVR sets QQ_NEXT=queue on transfer, else nothing
    f"{IVR_EXTENSION[APP_QUEUE]},5,Hangup()",
    f"{IVR_EXTENSION[APP_QUEUE]},6,Queue({BENCH_QUEUE},t,,,600)",
    f"{IVR_EXTENSION[APP_QUEUE]},7,Hangup()",
]


class KeepAliveHttp:
    """One HTTP/1.1 keep-alive connection with prebuilt requests, so a timestamp taken just before
    ``sendall`` is the moment the request leaves (no client library work after it)."""

    IDLE_REOPEN_SECONDS = 4.0  # below uvicorn's 5 s keep-alive timeout: never race the server's close

    def __init__(self, port: int, token: str) -> None:
        self._port, self._token = port, token
        self._sock = self._connect()
        self._used = time.monotonic()

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self._port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def _reopen_if_closed(self) -> None:
        """The server closes an idle keep-alive connection (uvicorn: after 5 s); reopen it before sending, and
        before the server would close it (a close racing the request resets it)."""
        readable, _, _ = select.select([self._sock], [], [], 0)
        idle = time.monotonic() - self._used > self.IDLE_REOPEN_SECONDS
        if idle or (readable and not self._sock.recv(1, socket.MSG_PEEK)):
            self._sock.close()
            self._sock = self._connect()

    def request(self, method: str, path: str, body: dict[str, Any]) -> bytes:
        data = json.dumps(body).encode()
        return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self._port}\r\n"
                f"Authorization: Bearer {self._token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\n\r\n").encode() + data

    def send(self, request: bytes) -> float:
        self._reopen_if_closed()
        sent_at = time.time()
        self._sock.sendall(request)
        return sent_at

    def read_response(self) -> tuple[int, bytes, float]:
        """Status, body, and when the whole response had arrived."""
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            buffer += self._recv()
        head, _, body = buffer.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        length = next(int(v) for k, _, v in (x.partition(":") for x in lines[1:]) if k.lower() == "content-length")
        while len(body) < length:
            body += self._recv()
        self._used = time.monotonic()
        return int(lines[0].split()[1]), body, time.time()

    def _recv(self) -> bytes:
        chunk = self._sock.recv(65536)
        if not chunk:
            raise ConnectionError("HTTP server closed the connection")
        return chunk

    def close(self) -> None:
        self._sock.close()


@dataclass
class AgentFeed:
    """The agent's console websocket: agent.state_changed messages, read by a thread into a queue."""

    url: str
    messages: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    _conn: ClientConnection | None = None

    def start(self) -> None:
        self._conn = connect(self.url)
        threading.Thread(target=self._read, name="agent-feed", daemon=True).start()

    def _read(self) -> None:
        assert self._conn is not None
        try:
            for raw in self._conn:
                message = json.loads(raw)
                if message.get("type") == "agent.state_changed":
                    self.messages.put(message)
        except Exception:  # closed at the end of the run
            return

    def next_change(self, to_state: str, timeout: float = 10.0) -> float:
        """Waits for the agent's next change into ``to_state``; returns the ACD's own time of it."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            if message["to_state"] == to_state:
                return datetime.fromisoformat(message["at"]).timestamp()

    def drain(self) -> None:
        while not self.messages.empty():
            self.messages.get_nowait()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


@dataclass
class Rig:
    root: Path
    hotline: RunningHotline
    ami: AmiClient
    seat: BaresipPhone
    callers: list[BaresipPhone]
    agent: httpx.Client
    http: KeepAliveHttp
    feed: AgentFeed
    owner: tuple[str, bool] | None = None

    # Who owns the seat -----------------------------------------------------------------------------

    def own(self, system: str, free: bool) -> None:
        """Gives the seat to one system, free (ready / unpaused) or not; the other cannot offer to it."""
        if self.owner == (system, free):
            return
        if system == QINGQUAN:
            self.pause_member(True)
            self.set_agent_state("ready" if free else "not_ready")
        else:
            self.set_agent_state("not_ready")
            self.pause_member(not free)
        self.owner = (system, free)

    def pause_member(self, paused: bool) -> None:
        response = self.ami.action(self.pause_action(paused))
        if response.get("Response") != "Success":
            raise RuntimeError(f"QueuePause failed: {response}")

    @staticmethod
    def pause_action(paused: bool) -> Message:
        return {"Action": "QueuePause", "Queue": BENCH_QUEUE, "Interface": MEMBER, "Paused": str(paused).lower()}

    def state_request(self, state: str) -> bytes:
        return self.http.request("PUT", "/api/agent/state", {"state": state, "reason": "training"})

    def set_agent_state(self, state: str) -> None:
        self.http.send(self.state_request(state))
        status, body, _ = self.http.read_response()
        if status != 200:
            raise RuntimeError(f"agent state {state} refused: {status} {body!r}")

    def wait_agent(self, state: str) -> None:
        wait_for(lambda: self.agent.get("/api/agent").json()["state"] == state, interval=0.02,
                 what=f"agent {state}")

    # Calls -----------------------------------------------------------------------------------------

    def dial(self, caller: BaresipPhone, system: str) -> Message:
        """Calls the system's bench extension; returns the AMI event of the caller entering the queue."""
        caller.dial(f"sip:{EXTENSION[system]}@127.0.0.1:{self.hotline.sip_port}")
        if system == QINGQUAN:
            return self.ami.wait_event(lambda e: e.get("UserEvent") == "QingquanQueued"
                                       and e.get("CallerIDNum") == caller.user)
        return self.ami.wait_event(lambda e: e.get("Event") == "QueueCallerJoin"
                                   and e.get("CallerIDNum") == caller.user)

    def through_ivr(self, caller: BaresipPhone, system: str) -> tuple[Message, Message]:
        """Calls the system's IVR number and keys 0 (an agent) over the welcome prompt; returns the AMI
        AGIExecStart of the IVR's first transfer command (SET VARIABLE QQ_QUEUE) and of the command after which
        the two systems differ (SET VARIABLE QQ_OWNER: Qingquan's IVR asks its ACD for a free agent as it
        sends it)."""
        caller.dial(f"sip:{IVR_EXTENSION[system]}@127.0.0.1:{self.hotline.sip_port}")

        def agi(command: str) -> Message:
            return self.ami.wait_event(lambda e: e.get("Event") == "AGIExecStart"
                                       and e.get("CallerIDNum") == caller.user
                                       and e.get("Command", "").startswith(command))
        agi("STREAM FILE")
        time.sleep(0.3)
        caller.send_dtmf("0", gap=0)
        return agi("SET VARIABLE QQ_QUEUE"), agi("SET VARIABLE QQ_OWNER")

    def queued(self, caller: BaresipPhone, system: str) -> Message:
        if system == QINGQUAN:
            return self.ami.wait_event(lambda e: e.get("UserEvent") == "QingquanQueued"
                                       and e.get("CallerIDNum") == caller.user)
        return self.ami.wait_event(lambda e: e.get("Event") == "QueueCallerJoin"
                                   and e.get("CallerIDNum") == caller.user)

    def dial_begin(self) -> Message:
        return self.ami.wait_event(lambda e: e.get("Event") == "DialBegin"
                                   and e.get("DestChannel", "").startswith(MEMBER + "-"))

    def answer_at_seat(self) -> None:
        response = self.seat.command("accept")
        if not response.get("ok"):
            raise RuntimeError(f"seat could not answer: {response}")
        self.seat.wait_event("CALL_ESTABLISHED")

    def hang_up(self, caller: BaresipPhone, seat_rang: bool = True) -> None:
        caller.hangup()
        caller.wait_event("CALL_CLOSED")
        if seat_rang:
            self.seat.wait_event("CALL_CLOSED")

    def quiet(self) -> None:
        """Forgets events of earlier samples."""
        self.ami.drain()
        self.feed.drain()
        for phone in (self.seat, *self.callers):
            while not phone.events.empty():
                phone.events.get_nowait()

    def stop(self) -> None:
        for phone in (self.seat, *self.callers):
            phone.stop()
        self.feed.close()
        self.http.close()
        self.agent.close()
        self.ami.close()
        self.hotline.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _phone(root: Path, user: str, hotline: RunningHotline | None = None) -> BaresipPhone:
    phone = BaresipPhone(workdir=root / user, sip_port=free_sip_port(), ctrl_port=free_port(), user=user,
                         registrar_port=hotline.sip_port if hotline else None,
                         password=hotline.seats[user] if hotline else None, auto_answer=False)
    phone.start()
    return phone


def _asterisk_cli(hotline: RunningHotline, command: str) -> str:
    assert hotline.asterisk_dir is not None
    conf = hotline.asterisk_dir / "etc" / "asterisk.conf"
    result = subprocess.run(["asterisk", "-C", str(conf), "-rx", command], capture_output=True, text=True,
                            timeout=10, check=True)
    return result.stdout


def _add_app_queue(hotline: RunningHotline, ami: AmiClient) -> None:
    assert hotline.asterisk_dir is not None
    with (hotline.asterisk_dir / "etc" / "queues.conf").open("a") as conf:
        conf.write(BENCH_QUEUE_CONF)
    _asterisk_cli(hotline, "queue reload all")
    for line in BENCH_DIALPLAN:
        _asterisk_cli(hotline, f"dialplan add extension {line} into from-trunk")
    response = ami.action({"Action": "QueueAdd", "Queue": BENCH_QUEUE, "Interface": MEMBER, "Paused": "true"})
    if response.get("Response") != "Success":
        raise RuntimeError(f"QueueAdd failed: {response}")


def start_rig(**app_env: str) -> Rig:
    """``app_env``: extra environment for the hotline's app process."""
    root = Path(tempfile.mkdtemp(prefix="qq-bench-"))
    env = {"QINGQUAN_ACD__WRAPUP_SECONDS": str(float(WRAPUP_SECONDS)), **app_env}
    hotline = start_hotline(root / "hotline", env=env)
    try:
        ami = AmiClient("127.0.0.1", hotline.ami_port, "qingquan", "test-ami-secret")
        ami.connect()
        ami.only_events(AMI_EVENTS)
        _add_app_queue(hotline, ami)
        seat = _phone(root, SEAT, hotline)
        callers = [_phone(root, f"1380000000{n}") for n in (1, 2)]
        token = hotline.login("agent1")
        agent = hotline.client(token)
        wait_for(lambda: next(s for s in agent.get("/api/seats").json() if s["seat"] == SEAT)["registered"])
        agent.put("/api/agent/seat", json={"seat": SEAT}).raise_for_status()
        feed = AgentFeed(f"ws://127.0.0.1:{hotline.http_port}/ws?token={token}")
        feed.start()
        return Rig(root=root, hotline=hotline, ami=ami, seat=seat, callers=callers, agent=agent,
                   http=KeepAliveHttp(hotline.http_port, token), feed=feed)
    except BaseException:
        hotline.stop()
        raise
