"""The billing-gateway port: what the IVR and the console ask of a utility's billing data.

Adapters: the local database fed by ``import-accounts`` (billing.local_gateway) and a utility's billing system
over HTTP (billing.http_gateway). A slow or failing billing system raises BillingUnavailable so the caller
hears an apology and reaches an agent."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from kernel.errors import Unavailable


class BillingUnavailable(Unavailable):
    code = "billing_unavailable"


class PaymentStatus(StrEnum):
    """Whether the current bill is settled; the values are the words stored and exchanged."""

    PAID = "paid"
    UNPAID = "unpaid"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Bill:
    """An account's current bill. The fields after ``phone`` are keyword-only; their defaults are the
    database's (no reading date or usage known, not yet paid, the default water company)."""

    account_number: str
    name: str
    address: str
    supply_zone: str
    amount_due: Decimal
    due_date: date | None
    last_reading: Decimal | None
    phone: str | None = None
    _: KW_ONLY
    last_reading_date: date | None = None
    usage: Decimal | None = None  # cubic metres billed in the current bill
    payment_status: PaymentStatus = PaymentStatus.UNPAID
    company: str = ""  # the water company the account belongs to (同城同号); "" = the default one


class BillingGateway(Protocol):
    async def bill_for(self, account_number: str) -> Bill | None:
        """The account's current bill, None for an unknown account; raises BillingUnavailable."""
        ...
