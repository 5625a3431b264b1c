"""Creating console users (agents, supervisors, managers, admins)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_console.auth import Principal, hash_password
from agent_console.models import ROLES, User
from kernel.errors import Conflict, InvalidInput


def parse_skills(text: str) -> dict[str, int]:
    """``billing=4,repair=2`` -> ``{"billing": 4, "repair": 2}``; levels are 1 to 5."""
    skills: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, level = item.partition("=")
        if not name.strip() or not level.strip().isdigit() or not 1 <= int(level) <= 5:
            raise InvalidInput(f"skill {item!r}: write name=level with a level from 1 to 5")
        skills[name.strip()] = int(level)
    return skills


def parse_queues(text: str) -> list[str]:
    return [q.strip() for q in text.split(",") if q.strip()]


def create_user(session: Session, *, username: str, password: str, role: str, display_name: str,
                now: datetime, skills: dict[str, int] | None = None, queues: list[str] | None = None,
                team: str | None = None) -> User:
    """``team``: the agent's team, or the team a supervisor oversees (None: a supervisor oversees all)."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    team = (team or "").strip() or None
    if team is not None and len(team) > 40:
        raise InvalidInput("a team name has at most 40 characters")
    if len(password) < 8:
        raise InvalidInput("password must have at least 8 characters")
    if session.scalars(select(User).where(User.username == username)).one_or_none() is not None:
        raise Conflict(f"user {username} exists")
    user = User(username=username, display_name=display_name, password_hash=hash_password(password), role=role,
                active=True, created_at=now, skills=skills or {}, queues=queues or [], team=team)
    session.add(user)
    session.flush()
    return user


def set_active(session: Session, username: str, active: bool) -> User:
    """Deactivates a user who left (they can no longer log in; their open work orders show as unowned to
    supervisors, for reassignment), or reactivates one."""
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise InvalidInput(f"no user {username}")
    user.active = active
    return user


def token_still_valid(session: Session, who: Principal) -> bool:
    """A token names its user and role when it was issued; it stands only while that user is active with that
    role (a user deactivated or demoted since must log in again, within the token's lifetime)."""
    user = session.get(User, who.user_id)
    return user is not None and user.active and user.role == who.role
