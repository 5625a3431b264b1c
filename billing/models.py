"""Billing data as the hotline sees it: accounts (户号) with their current bill, fed by import-accounts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from kernel.database import Base, UtcDateTime


class Account(Base):
    __tablename__ = "account"

    account_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    supply_zone: Mapped[str] = mapped_column(String(64), default="")
    amount_due: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    due_date: Mapped[date | None] = mapped_column(Date)
    last_reading: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    last_reading_date: Mapped[date | None] = mapped_column(Date)
    usage: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # cubic metres billed in the current bill
    payment_status: Mapped[str] = mapped_column(String(16), default="unpaid", server_default="unpaid")
    company: Mapped[str] = mapped_column(String(32), default="", server_default="")  # 同城同号: "" = the default
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
