"""Users (agents, supervisors, managers, admins) and work orders (工单) with their history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kernel.database import Base, UtcDateTime

ROLES = ("agent", "supervisor", "manager", "admin")
CATEGORIES = ("repair", "leak", "consultation", "complaint", "query", "suggestion")
PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("new", "in_progress", "dispatched", "awaiting_callback", "closed")


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


class WorkOrder(Base):
    __tablename__ = "work_order"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    account_number: Mapped[str | None] = mapped_column(String(32), index=True)
    category: Mapped[str] = mapped_column(String(24))
    priority: Mapped[str] = mapped_column(String(12), default="normal")
    status: Mapped[str] = mapped_column(String(24), default="new")
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(255), default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)  # the caller's post-call survey score, 1-5


class WorkOrderHistory(Base):
    __tablename__ = "work_order_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
