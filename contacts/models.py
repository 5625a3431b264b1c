"""One contact record per call, and the append-only event log it can be rebuilt from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kernel.database import Base, UtcDateTime


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    linkedid: Mapped[str] = mapped_column(String(64), unique=True)
    caller_number: Mapped[str | None] = mapped_column(String(40))
    dialed_number: Mapped[str | None] = mapped_column(String(40))
    account_number: Mapped[str | None] = mapped_column(String(32), index=True)
    queue: Mapped[str | None] = mapped_column(String(40))
    agent_id: Mapped[int | None] = mapped_column(Integer, index=True)
    seat: Mapped[str | None] = mapped_column(String(40))
    ivr_path: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(24))
    arrived_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ivr_left_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    offered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    offer_count: Mapped[int] = mapped_column(Integer, default=0)
    reconstructed: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_contact_arrived_at", "arrived_at"),)


class ContactEvent(Base):
    __tablename__ = "contact_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    linkedid: Mapped[str] = mapped_column(String(64), index=True)
    type: Mapped[str] = mapped_column(String(48))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
