"""The only name a client ever sees for a recording: a random 128-bit token, URL-safe. It says nothing about
the call, the agent, the order of recording or the file, so one id never leads to another."""

from __future__ import annotations

import re
import secrets

PUBLIC_ID_BYTES = 16  # 128 bits from the operating system's CSPRNG
_PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{22}")  # base64url of 16 bytes, unpadded


def new_public_id() -> str:
    return secrets.token_urlsafe(PUBLIC_ID_BYTES)


def is_public_id(text: str) -> bool:
    """True for text shaped like a public id (a numeric guess or a path never is)."""
    return _PUBLIC_ID.fullmatch(text) is not None
