"""The append-only log of agent state changes (occupancy and state reports read it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kernel.database import Base, UtcDateTime


class AgentStateChange(Base):
    __tablename__ = "agent_state_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(Integer, index=True)
    from_state: Mapped[str] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(String(40), default="")
    linkedid: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)

    __table_args__ = (Index("ix_agent_state_change_agent_id_at", "agent_id", "at"),)  # segments per agent (0010)


class AcdAudit(Base):
    """Append-only: every supervisor switch of the ACD (emergency mode on/off) with who, when and what it
    changed."""

    __tablename__ = "acd_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AgentStateHour(Base):
    """Seconds each agent spent in each state per settled UTC hour (:mod:`reports.report_tallies`),
    pre-aggregated from ``agent_state_change``; the hour is filled when ``trunk_hour`` has its row."""

    __tablename__ = "agent_state_hour"

    hour_start: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    agent_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(24), primary_key=True)
    seconds: Mapped[float] = mapped_column(Float)
