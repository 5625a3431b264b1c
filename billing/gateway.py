"""The billing-gateway port: what the IVR and the console ask of a utility's billing data.

Adapters: the local database fed by ``import-accounts`` (billing.local_gateway); an HTTP adapter for a
utility's billing system comes later. A slow or failing billing system raises BillingUnavailable so the
caller hears an apology and reaches an agent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from kernel.errors import Unavailable


class BillingUnavailable(Unavailable):
    code = "billing_unavailable"


@dataclass(frozen=True)
class Bill:
    account_number: str
    name: str
    address: str
    supply_zone: str
    amount_due: Decimal
    due_date: date | None
    last_reading: Decimal | None
    phone: str | None = None
    company: str = ""  # the water company the account belongs to ("" = the default one)


class BillingGateway(Protocol):
    async def bill_for(self, account_number: str) -> Bill | None:
        """The account's current bill, None for an unknown account; raises BillingUnavailable."""
        ...
