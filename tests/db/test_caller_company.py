"""同城同号: the caller's number tells the water company when its accounts all belong to one."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from billing.caller import CallerCompanies, company_for_number
from billing.models import Account
from kernel.database import transaction

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def account(number: str, phone: str, company: str) -> Account:
    return Account(account_number=number, name="户主", phone=phone, address="", supply_zone="north",
                   amount_due=Decimal("1.00"), due_date=None, last_reading=None, updated_at=NOW, company=company)


def test_the_number_tells_the_company_unless_it_is_ambiguous(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        session.add_all([account("1001", "13800000001", "east"), account("1002", "13800000001", "east"),
                         account("2001", "13900000002", "east"), account("2002", "13900000002", "west"),
                         account("3001", "13700000003", "")])
    with session_factory() as session:
        assert company_for_number(session, "13800000001") == "east"
        assert company_for_number(session, "+8613800000001") == "east"
        assert company_for_number(session, "13900000002") == ""  # two companies: the account will tell
        assert company_for_number(session, "13700000003") == ""
        assert company_for_number(session, "10086") == ""
        assert company_for_number(session, "") == ""
    assert asyncio.run(CallerCompanies(session_factory).company_of("13800000001")) == "east"
