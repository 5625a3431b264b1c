"""What the console's websocket answers to a client's frame. Pure: a received ASGI frame in, a reply (or a
close code) out.

The client may send ``{"type": "ping", "v": 1}`` (answered ``pong``). A JSON object of another type, or with a
``type`` that is not a string, gets ``{"type": "error", "error": "unknown_message"}``; text that is not JSON (or
is nested too deep to read) gets ``invalid_json``; both keep the socket open. A binary frame closes it with
1003 (unsupported data), a text frame over ``MAX_MESSAGE_CHARS`` with 1009 (message too big): the console never
sends either, so the peer is not the console."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_MESSAGE_CHARS = 4_096
UNSUPPORTED_DATA = 1003
MESSAGE_TOO_BIG = 1009


@dataclass(frozen=True)
class Reply:
    """Send ``payload``, or close the socket with ``close_code`` and ``reason``."""

    payload: dict[str, Any] | None = None
    close_code: int | None = None
    reason: str = ""


def error(code: str) -> Reply:
    return Reply({"type": "error", "v": 1, "error": code})


def answer(frame: Mapping[str, Any]) -> Reply:
    text = frame.get("text")
    if not isinstance(text, str):
        return Reply(close_code=UNSUPPORTED_DATA, reason="binary frames are not accepted")
    if len(text) > MAX_MESSAGE_CHARS:
        return Reply(close_code=MESSAGE_TOO_BIG, reason=f"messages are at most {MAX_MESSAGE_CHARS} characters")
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." deeper than the parser's stack
        return error("invalid_json")
    if isinstance(message, dict) and message.get("type") == "ping":
        return Reply({"type": "pong", "v": 1})
    return error("unknown_message")
