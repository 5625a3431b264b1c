"""Work orders (工单) with their append-only history, and callbacks (回访 and promised call-backs)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kernel.database import Base, UtcDateTime


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
    # The agent who took the call (首问负责制): kept through handovers so reports keep them accountable.
    first_owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)  # created_at + the category's time limit
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # "callback" (closed after its closing callback) or the reason none was possible (rules.NO_CALLBACK_REASONS)
    closing_reason: Mapped[str | None] = mapped_column(String(32))
    crew: Mapped[str] = mapped_column(String(100), default="", server_default="")  # the field crew dispatched
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)  # the caller's post-call survey score, 1-5
    callback_satisfaction: Mapped[int | None] = mapped_column(SmallInteger)  # from the closing callback, 1-5
    # The console's Idempotency-Key (a UUID) for the request that created it: a retry returns this order (0013)
    client_key: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (
        Index("ix_work_order_status_due_at", "status", "due_at"),
        Index("ix_work_order_closed_at", "closed_at"),  # orders closed in a period (the agent report; 0012)
        Index("ix_work_order_client_key", "client_key", unique=True),
    )


class WorkOrderHistory(Base):
    __tablename__ = "work_order_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    from_owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    to_owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class Callback(Base):
    """A call the hotline owes a customer: a work order's closing callback (回访) or one an agent promised."""

    __tablename__ = "callback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    account_number: Mapped[str | None] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(12))  # closing | promised | queue
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")  # scheduled|placed|done|failed|cancelled
    outcome: Mapped[str | None] = mapped_column(String(16))  # reached|no_answer|busy|wrong_number|declined
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str] = mapped_column(Text, default="")  # as typed when scheduled
    outcome_note: Mapped[str] = mapped_column(Text, default="", server_default="")  # with the outcome or cancel
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    placed_linkedid: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_callback_owner_id_status_due_at", "owner_id", "status", "due_at"),
        Index("ix_callback_status_due_at", "status", "due_at"),
        Index("ix_callback_done_at", "done_at"),  # closing callbacks completed in a period (0010)
        CheckConstraint("satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)",
                        name="satisfaction_1_to_5"),
    )
