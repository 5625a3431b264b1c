"""The local billing gateway reads the complete bill an import stored, on a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from billing.gateway import Bill, BillingUnavailable, PaymentStatus
from billing.importer import import_accounts
from billing.local_gateway import LocalBillingGateway
from billing.models import Account
from config.demo import seed_demo
from kernel.database import transaction

NOW = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
CSV = ("户号,户名,电话,地址,供水区域,应缴金额,缴费截止日期,上次抄表读数,抄表日期,用水量,缴费状态,所属公司\n"
       "10020031,张伟,13800138000,西湖区文三路1号,城西,128.50,2026-12-15,3021.50,2026-11-20,18.5,逾期,滇池水务\n"
       "10020032,李娜,,,,0,,,,,已缴,\n")


@pytest.fixture
def gateway(session_factory: sessionmaker[Session], tmp_path: Path) -> LocalBillingGateway:
    path = tmp_path / "accounts.csv"
    path.write_text(CSV, encoding="utf-8")
    assert import_accounts(session_factory, path, now=NOW).errors == []
    return LocalBillingGateway(session_factory)


async def test_the_complete_bill(gateway: LocalBillingGateway) -> None:
    assert await gateway.bill_for("10020031") == Bill(
        account_number="10020031", name="张伟", address="西湖区文三路1号", supply_zone="城西",
        amount_due=Decimal("128.50"), due_date=date(2026, 12, 15), last_reading=Decimal("3021.50"),
        phone="13800138000", last_reading_date=date(2026, 11, 20), usage=Decimal("18.50"),
        payment_status=PaymentStatus.OVERDUE, company="滇池水务")
    assert await gateway.bill_for("10020032") == Bill(
        account_number="10020032", name="李娜", address="", supply_zone="", amount_due=Decimal("0.00"),
        due_date=None, last_reading=None, payment_status=PaymentStatus.PAID)


async def test_unknown_account_is_none(gateway: LocalBillingGateway) -> None:
    assert await gateway.bill_for("99999999") is None


async def test_a_stored_status_that_is_not_known_makes_billing_unavailable(
        gateway: LocalBillingGateway, session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        session.execute(update(Account).where(Account.account_number == "10020031").values(payment_status="欠费"))
    with pytest.raises(BillingUnavailable, match="unknown payment status"):
        await gateway.bill_for("10020031")
    await gateway.aclose()


async def test_demo_accounts_have_complete_bills(session_factory: sessionmaker[Session]) -> None:
    seed_demo(session_factory, NOW)
    seed_demo(session_factory, NOW)  # seeding again keeps what is there
    bills = {number: await LocalBillingGateway(session_factory).bill_for(number)
             for number in ("10001234", "10005678", "10009999")}
    assert {number: bill.payment_status for number, bill in bills.items() if bill} == {
        "10001234": PaymentStatus.UNPAID, "10005678": PaymentStatus.OVERDUE, "10009999": PaymentStatus.PAID}
    assert all(bill and bill.usage and bill.last_reading and bill.last_reading_date for bill in bills.values())
