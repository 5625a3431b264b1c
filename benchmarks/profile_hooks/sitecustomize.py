"""Profiling hooks for the offer-latency benchmark, loaded into the hotline's app process only (the profile
run puts this directory on its PYTHONPATH). They wrap a few functions of the running app to write
``<time.time()> <stage> <detail>`` lines to $QQ_TRACE_FILE; the app's code is not changed.

$QQ_SWITCH_INTERVAL, when set, is passed to sys.setswitchinterval (the GIL hand-over interval) to test
whether threads holding the GIL delay the event loop."""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from typing import Any

_TRACE = os.environ.get("QQ_TRACE_FILE")


def _install() -> None:
    assert _TRACE is not None
    out = open(_TRACE, "a", buffering=1)  # noqa: SIM115 - open for the process's life

    def mark(stage: str, detail: str = "") -> None:
        out.write(f"{time.time():.6f} {stage} {detail}\n")

    def wrap(owner: Any, name: str, stage: str, detail: Callable[..., str] = lambda *a, **k: "") -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            mark(stage, detail(*args, **kwargs))
            return original(*args, **kwargs)

        setattr(owner, name, wrapper)

    import panoramisk.ami_protocol
    import uvicorn.protocols.http.h11_impl
    import uvicorn.protocols.http.httptools_impl

    import acd.service
    import agent_console.app
    import telephony.ami

    wrap(panoramisk.ami_protocol.AMIProtocol, "data_received", "app_ami_bytes",
         lambda self, data: "QingquanQueued" if b"QingquanQueued" in data else "")
    wrap(telephony.ami.AmiBridge, "_on_message", "app_ami_event", lambda self, m, msg: msg.get("Event", ""))
    wrap(uvicorn.protocols.http.httptools_impl.HttpToolsProtocol, "data_received", "app_http_bytes")
    wrap(uvicorn.protocols.http.h11_impl.H11Protocol, "data_received", "app_http_bytes")
    wrap(agent_console.app, "read_token", "app_auth_dependency")
    wrap(acd.service.AcdService, "execute", "acd_execute", lambda self, c: type(c).__name__)
    wrap(acd.service.AcdService, "submit", "acd_submit", lambda self, c: type(c).__name__)
    wrap(acd.service.AcdService, "_handle", "acd_handle", lambda self, p: type(p.command).__name__)
    wrap(telephony.ami.AmiBridge, "offer", "ami_offer_called")
    wrap(panoramisk.ami_protocol.AMIProtocol, "send", "ami_action_written", lambda self, a, **k: a.get("Action", ""))


if _TRACE:
    _install()
if os.environ.get("QQ_SWITCH_INTERVAL"):
    sys.setswitchinterval(float(os.environ["QQ_SWITCH_INTERVAL"]))
