"""The ACD commands a console or the hold AGI may send from a node that does not route, as versioned JSON
(``{"type": "set_ready", "v": 1, "agent_id": 7}``) and back. Pure. Telephony facts are never relayed: the
routing node reads them from its own AMI link."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from acd.commands import (
    Command,
    DialOut,
    ExtendWrapUp,
    LogIn,
    LogOut,
    RequestCallback,
    SetEmergency,
    SetNotReady,
    SetReady,
    StartSpy,
    Transfer,
)
from kernel.errors import InvalidInput, QingquanError

RELAYED: tuple[type[Any], ...] = (LogIn, LogOut, SetReady, SetNotReady, ExtendWrapUp, SetEmergency, RequestCallback,
                                  DialOut, Transfer, StartSpy)
VERSION = 1


def _wire_name(kind: type[Any]) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower()


_BY_NAME = {_wire_name(kind): kind for kind in RELAYED}


def encode(command: Command) -> dict[str, Any]:
    if not isinstance(command, RELAYED):
        raise InvalidInput(f"{type(command).__name__} is not relayed between nodes")
    payload: dict[str, Any] = {"type": _wire_name(type(command)), "v": VERSION}
    for field in dataclasses.fields(command):
        value = getattr(command, field.name)
        payload[field.name] = sorted(value) if isinstance(value, frozenset) else (
            dict(value) if isinstance(value, Mapping) else value)
    return payload


def decode(payload: Mapping[str, Any]) -> Command:
    kind = _BY_NAME.get(str(payload.get("type")))
    if kind is None or payload.get("v") != VERSION:
        raise InvalidInput(f"unknown relayed command {payload.get('type')!r} v{payload.get('v')!r}")
    values = {}
    for field in dataclasses.fields(kind):
        if field.name in payload:
            value = payload[field.name]
            values[field.name] = frozenset(value) if field.name == "queues" else value
    try:
        command: Command = kind(**values)
    except TypeError as exc:
        raise InvalidInput(f"malformed relayed command: {exc}") from exc
    return command


class RelayedError(QingquanError):
    """An error the routing node raised for a relayed command, with its code and HTTP status kept."""

    def __init__(self, code: str, message: str, http_status: int) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status


def error_reply(exc: QingquanError) -> dict[str, Any]:
    return {"ok": False, "error": {"code": exc.code, "message": exc.message, "status": exc.http_status}}


def raise_for_reply(reply: Mapping[str, Any]) -> None:
    if reply.get("ok"):
        return
    error = reply.get("error") or {}
    raise RelayedError(str(error.get("code", "error")), str(error.get("message", "relayed command failed")),
                       int(error.get("status", 500)))
