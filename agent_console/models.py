"""Users: agents, supervisors, managers, admins. (Work orders are in ``work_orders.models``.)"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kernel.database import Base, UtcDateTime

ROLES = ("agent", "supervisor", "manager", "admin")


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    skills: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # skill -> level 1-5 (skills routing)
    queues: Mapped[list[str]] = mapped_column(JSON, default=list)  # queues served; empty: every queue
    # A supervisor hears the recordings of the agents of their own team (none: every team's).
    team: Mapped[str | None] = mapped_column(String(40))

