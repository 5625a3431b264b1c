"""Billing gateway adapter over the local database (accounts loaded by ``qingquan import-accounts``)."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from billing.gateway import Bill, BillingUnavailable, PaymentStatus
from billing.models import Account


class LocalBillingGateway:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    async def bill_for(self, account_number: str) -> Bill | None:
        return await asyncio.to_thread(self.bill_for_sync, account_number)

    def bill_for_sync(self, account_number: str) -> Bill | None:
        try:
            with self._factory() as session:
                account = session.get(Account, account_number)
        except SQLAlchemyError as exc:
            raise BillingUnavailable(f"billing database error: {exc.__class__.__name__}") from exc
        if account is None:
            return None
        return bill_of(account)

    async def aclose(self) -> None:
        """Nothing to release: the session factory belongs to the composition root."""


def bill_of(account: Account) -> Bill:
    """The bill an account row holds; BillingUnavailable if the row's payment status is not a known one."""
    try:
        status = PaymentStatus(account.payment_status)
    except ValueError:
        raise BillingUnavailable(f"account {account.account_number} has an unknown payment status "
                                 f"{account.payment_status!r}") from None
    return Bill(account_number=account.account_number, name=account.name, address=account.address,
                supply_zone=account.supply_zone, amount_due=account.amount_due, due_date=account.due_date,
                last_reading=account.last_reading, phone=account.phone,
                last_reading_date=account.last_reading_date, usage=account.usage, payment_status=status,
                company=account.company)
