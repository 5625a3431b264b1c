"""Passwords (argon2) and access tokens (signed JWT) for the console's users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kernel.errors import Forbidden, Unauthorized

_hasher = PasswordHasher()
ROLE_RANK = {"agent": 0, "supervisor": 1, "manager": 2, "admin": 3}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    role: str

    def require(self, role: str) -> None:
        """Raises Forbidden unless this user has at least the given role."""
        if ROLE_RANK.get(self.role, -1) < ROLE_RANK[role]:
            raise Forbidden(f"this needs the {role} role")


def issue_token(principal: Principal, secret: str, minutes: int, now: datetime) -> str:
    claims = {"sub": str(principal.user_id), "name": principal.username, "role": principal.role,
              "iat": int(now.timestamp()), "exp": int((now + timedelta(minutes=minutes)).timestamp())}
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(token: str, secret: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"])
        return Principal(user_id=int(claims["sub"]), username=str(claims["name"]), role=str(claims["role"]))
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise Unauthorized("invalid or expired token") from exc
