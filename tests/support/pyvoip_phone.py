"""An agent seat phone in code with pyVoIP: registers with digest auth and answers every call it is offered.

pyVoIP 1.6.8 derives Call-IDs from a per-phone counter, so two pyVoIP phones in one test would collide;
use one per test (baresip covers the rest)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from pyVoIP.VoIP import VoIPPhone

from tests.support.baresip import free_port


@dataclass
class PyVoipSeat:
    sip_port: int
    seat: str
    password: str
    answered: threading.Event = field(default_factory=threading.Event)
    calls: list[Any] = field(default_factory=list)
    _phone: Any = None

    def start(self) -> None:
        self._phone = VoIPPhone("127.0.0.1", self.sip_port, self.seat, self.password, myIP="127.0.0.1",
                                callCallback=self._on_call, sipPort=free_port(), rtpPortLow=32000,
                                rtpPortHigh=32999)
        self._phone.start()

    def _on_call(self, call: Any) -> None:
        self.calls.append(call)
        call.answer()
        self.answered.set()

    def stop(self) -> None:
        if self._phone is not None:
            self._phone.stop()
