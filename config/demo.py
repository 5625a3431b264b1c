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
DEMO_ACCOUNTS = (
    ("10001234", "张伟", "13800000001", "盘龙区北京路100号", "north", Decimal("123.45"), date(2026, 12, 15)),
    ("10005678", "李娜", "13800000002", "五华区人民中路8号", "west", Decimal("56.00"), date(2026, 12, 15)),
    ("10009999", "王芳", "13800000003", "官渡区春城路21号", "south", Decimal("0.00"), None),
)


def seed_demo(factory: sessionmaker[Session], now: datetime) -> None:
    with transaction(factory) as session:
        for username, display_name, role in DEMO_USERS:
            if session.scalars(select(User).where(User.username == username)).one_or_none() is None:
                create_user(session, username=username, password=DEMO_PASSWORD, role=role,
                            display_name=display_name, now=now)
        for number, name, phone, address, zone, due, due_date in DEMO_ACCOUNTS:
            if session.get(Account, number) is None:
                session.add(Account(account_number=number, name=name, phone=phone, address=address,
                                    supply_zone=zone, amount_due=due, due_date=due_date,
                                    last_reading=Decimal("1024.50"), updated_at=now))


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
        "  Menu: 1 bill (demo accounts 10001234, 10005678, 10009999, then #), 2 repair, 3 complaint, 0 agent.",
    ])
