"""What the caller's number tells about them before they key anything: the accounts with that phone."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from billing.models import Account


def number_variants(number: str) -> list[str]:
    """The caller id as received, and without a +86/0086/86 country prefix."""
    digits = number.strip()
    variants = [digits]
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 7:
            variants.append(digits[len(prefix):])
            break
    return variants


def company_for_number(session: Session, number: str) -> str:
    """The water company of the accounts with this phone; "" when none, or when they belong to several."""
    if not number:
        return ""
    companies = set(session.scalars(select(Account.company).where(Account.phone.in_(number_variants(number)))))
    return companies.pop() if len(companies) == 1 else ""


class CallerCompanies:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    async def company_of(self, number: str) -> str:
        def query() -> str:
            with self._factory() as session:
                return company_for_number(session, number)
        return await asyncio.to_thread(query)
