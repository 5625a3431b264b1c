"""Creating console users (agents, supervisors, managers, admins)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_console.auth import hash_password
from agent_console.models import ROLES, User
from kernel.errors import Conflict, InvalidInput


def create_user(session: Session, *, username: str, password: str, role: str, display_name: str,
                now: datetime) -> User:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise InvalidInput("password must have at least 8 characters")
    if session.scalars(select(User).where(User.username == username)).one_or_none() is not None:
        raise Conflict(f"user {username} exists")
    user = User(username=username, display_name=display_name, password_hash=hash_password(password), role=role,
                active=True, created_at=now)
    session.add(user)
    session.flush()
    return user
