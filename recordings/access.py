"""Who may hear which recording, as one SQL condition, so that a recording someone may not hear is exactly
as absent as one that does not exist:

- an agent hears the recordings where they were the agent;
- a supervisor hears their own and those of the agents of their team (``app_user.team``); a supervisor
  without a team oversees every team and hears all;
- managers and admins hear all.

Anyone else (an unknown role, a user no longer active) hears nothing."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from agent_console.auth import Principal
from agent_console.models import User
from recordings.models import Recording
from recordings.public_id import is_public_id

EVERY_RECORDING_ROLES = frozenset({"manager", "admin"})


def audible_to(session: Session, who: Principal) -> ColumnElement[bool]:
    """The condition on ``Recording`` rows that ``who`` may hear (their team as the database has it now)."""
    user = session.get(User, who.user_id)
    if user is None or not user.active or user.role != who.role:
        return false()
    if who.role in EVERY_RECORDING_ROLES:
        return true()
    if who.role == "supervisor":
        if user.team is None:
            return true()
        team = select(User.id).where(User.team == user.team)
        return or_(Recording.agent_id == who.user_id, Recording.agent_id.in_(team))
    if who.role == "agent":
        return Recording.agent_id == who.user_id
    return false()


def audible_recording(session: Session, who: Principal, public_id: str) -> Recording | None:
    """The recording with this public id if ``who`` may hear it; None whether it does not exist or is not
    theirs to hear (the caller answers both alike)."""
    if not is_public_id(public_id):
        return None
    return session.scalars(
        select(Recording).where(Recording.public_id == public_id, audible_to(session, who))).one_or_none()


def audible_recordings(session: Session, who: Principal, *, linkedid: str | None = None,
                       limit: int = 50) -> Sequence[Recording]:
    """The recordings ``who`` may hear, newest first: of one call (``linkedid``), or the latest ``limit``."""
    query = select(Recording).where(audible_to(session, who))
    if linkedid is not None:
        query = query.where(Recording.linkedid == linkedid)
    return session.scalars(query.order_by(Recording.started_at.desc(), Recording.id.desc()).limit(limit)).all()
