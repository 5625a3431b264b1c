"""Demo data for ``qingquan run --demo``: agents, a supervisor and a few accounts, plus how to use them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from agent_console.models import User
from agent_console.users import create_user
from billing.models import Account
from config.settings import Settings
from kernel.database import transaction

DEMO_PASSWORD = "qingquan-demo"
DEMO_USERS = (("agent1", "话务员一", "agent"), ("agent2", "话务员二", "agent"), ("super1", "班长", "supervisor"),
              ("manager1", "经理", "manager"))


def demo_accounts(now: datetime) -> list[Account]:
    """New rows for the demo accounts: one unpaid, one overdue, one paid up, all of the default water company."""
    return [
        Account(account_number="10001234", name="张伟", phone="13800000001", address="盘龙区北京路100号",
                supply_zone="north", amount_due=Decimal("123.45"), due_date=date(2026, 12, 15),
                last_reading=Decimal("1024.50"), last_reading_date=date(2026, 11, 10), usage=Decimal("35.80"),
                payment_status="unpaid", company="", updated_at=now),
        Account(account_number="10005678", name="李娜", phone="13800000002", address="五华区人民中路8号",
                supply_zone="west", amount_due=Decimal("56.00"), due_date=date(2026, 11, 15),
                last_reading=Decimal("587.00"), last_reading_date=date(2026, 10, 12), usage=Decimal("16.20"),
                payment_status="overdue", company="", updated_at=now),
        Account(account_number="10009999", name="王芳", phone="13800000003", address="官渡区春城路21号",
                supply_zone="south", amount_due=Decimal("0.00"), due_date=None,
                last_reading=Decimal("2310.40"), last_reading_date=date(2026, 11, 8), usage=Decimal("21.50"),
                payment_status="paid", company="", updated_at=now),
    ]


def seed_demo(factory: sessionmaker[Session], now: datetime) -> None:
    with transaction(factory) as session:
        for username, display_name, role in DEMO_USERS:
            if session.scalars(select(User).where(User.username == username)).one_or_none() is None:
                create_user(session, username=username, password=DEMO_PASSWORD, role=role,
                            display_name=display_name, now=now)
        for account in demo_accounts(now):
            if session.get(Account, account.account_number) is None:
                session.add(account)


def demo_instructions(settings: Settings) -> str:
    ast = settings.asterisk
    seat = ast.seats[0]
    number = ast.hotline_numbers[0]
    return "\n".join([
        "Qingquan demo is running.",
        f"  Console:   http://{settings.http.host}:{settings.http.port}/   "
        f"(users agent1, agent2, super1, manager1; password {DEMO_PASSWORD})",
        f"  API docs:  http://{settings.http.host}:{settings.http.port}/docs",
        f"  Agent phone: register a SIP phone as {seat.name} / {seat.password} at {ast.sip_host}:{ast.sip_port}"
        " (UDP), then in the console pick that seat and press Ready.",
        f"  Test call: from {', '.join(ast.trunk_match)} dial sip:{number}@{ast.sip_host}:{ast.sip_port}, e.g.",
        f"    baresip with an account line  <sip:13800000001@{ast.sip_host}>;regint=0  then  /dial "
        f"sip:{number}@{ast.sip_host}:{ast.sip_port}",
        "  Menu: 1 bill (demo accounts 10001234, 10005678, 10009999, then #), 2 repair, 3 complaint, 0 agent."
        if settings.ivr.menu_file is None else f"  Menu: as in {settings.ivr.menu_file}.",
    ])
