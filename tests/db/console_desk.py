"""A console API on a real database for the work-order, callback and account tests: the real routers, real
signed tokens (the app's own JWT code), the app's error handler, and a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from agent_console.account_history import AccountLookup
from agent_console.auth import Principal, hash_password, issue_token, read_token
from agent_console.models import User
from agent_console.routes_accounts import account_router
from billing.gateway import BillingGateway
from billing.local_gateway import LocalBillingGateway
from billing.models import Account
from contacts.recorder import ContactRecorder
from kernel.call_events import CallAnswered, CallArrived, CallEnded, CallQueued, OfferAnswered
from kernel.database import transaction
from kernel.errors import QingquanError, Unauthorized
from work_orders.api import work_order_router
from work_orders.callback_api import callback_router
from work_orders.rules import DEFAULT_LIMITS
from work_orders.store import record_satisfaction

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
SECRET = "test-secret-key-that-is-long-enough-000"
SHANGHAI = ZoneInfo("Asia/Shanghai")
PEOPLE = (("agent1", "agent"), ("agent2", "agent"), ("super1", "supervisor"), ("manager1", "manager"),
          ("admin1", "admin"))
ACCOUNT = "10001234"
BEARER = HTTPBearer(auto_error=False)


@dataclass
class FixedClock:
    at: datetime = T0

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class Desk:
    client: TestClient
    clock: FixedClock
    factory: sessionmaker[Session]
    users: dict[str, int]
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, name: str) -> dict[str, str]:
        if name not in self.tokens:
            role = dict(PEOPLE).get(name, name)
            who = Principal(user_id=self.users.get(name, 999), username=name, role=role)
            self.tokens[name] = issue_token(who, SECRET, 60, datetime.now(UTC))
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def get(self, path: str, who: str, **params: Any) -> Any:
        return self.client.get(path, headers=self.auth(who), params=params)

    def post(self, path: str, who: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(path, headers=self.auth(who), json=body or {})

    def ok(self, response: Any, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json()

    def order(self, who: str = "agent1", **body: Any) -> dict[str, Any]:
        fields = {"category": "leak", "priority": "high", "description": "水表前阀门漏水", "account_number": ACCOUNT,
                  **body}
        return self.ok(self.post("/api/work-orders", who, fields), 201)  # type: ignore[no-any-return]

    def call(self, linkedid: str, agent: str, *, caller: str = "13800000001", account: str | None = ACCOUNT,
             ended: bool = True) -> None:
        """A call answered by ``agent``, written by the real contact recorder."""
        recorder = ContactRecorder(self.factory, copy_score=record_satisfaction)
        at = self.clock.now()
        events = [CallArrived(at=at, linkedid=linkedid, channel="PJSIP/trunk-1", caller_number=caller,
                              dialed_number="96106"),
                  CallQueued(at=at, linkedid=linkedid, channel="PJSIP/trunk-1", queue="general",
                             account_number=account, priority=0, ivr_path="main>bill>agent>queue",
                             caller_number=caller),
                  OfferAnswered(at=at + timedelta(seconds=5), linkedid=linkedid, seat="seat1001"),
                  CallAnswered(at=at + timedelta(seconds=5), linkedid=linkedid, agent_id=self.users[agent],
                               seat="seat1001", queue="general", waited_seconds=5.0)]
        if ended:
            events.append(CallEnded(at=at + timedelta(seconds=60), linkedid=linkedid, channel="PJSIP/trunk-1",
                                    cause="Normal Clearing"))
        for event in events:
            recorder.record(event)


@cache
def password_hash() -> str:
    return hash_password("long-enough-1")  # argon2 is slow on purpose: once per test session, not per user


def seed(factory: sessionmaker[Session]) -> dict[str, int]:
    """The console's users (tokens stand for their logins) and two accounts."""
    with transaction(factory) as session:
        rows = [User(username=name, display_name=f"{name}名", password_hash=password_hash(), role=role, active=True,
                     created_at=T0, skills={}, queues=[]) for name, role in PEOPLE]
        session.add_all(rows)
        session.flush()
        users = {row.username: row.id for row in rows}
        session.add(Account(account_number=ACCOUNT, name="张伟", phone="13800000001", address="盘龙区北京路100号",
                            supply_zone="north", amount_due=Decimal("123.45"), due_date=T0.date(),
                            payment_status="overdue", updated_at=T0))
        session.add(Account(account_number="10009999", name="王芳", phone=None, address="官渡区春城路21号",
                            supply_zone="south", amount_due=Decimal("0.00"), payment_status="paid", updated_at=T0))
    return users


@contextmanager
def open_desk(factory: sessionmaker[Session], billing: BillingGateway | None = None) -> Iterator[Desk]:
    users = seed(factory)
    clock = FixedClock()
    def principal(creds: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]) -> Principal:
        if creds is None:
            raise Unauthorized("log in first")
        return read_token(creds.credentials, SECRET)

    def session() -> Iterator[Session]:
        with factory() as s, s.begin():
            yield s

    app = FastAPI()

    @app.exception_handler(QingquanError)
    async def _error(_request: Request, exc: QingquanError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.http_status)

    accounts = AccountLookup(billing or LocalBillingGateway(factory), factory, clock)
    app.include_router(work_order_router(principal, session, clock, DEFAULT_LIMITS, timedelta(hours=24)))
    app.include_router(callback_router(principal, session, clock, SHANGHAI, timedelta(hours=240)))
    app.include_router(account_router(principal, accounts))
    with TestClient(app) as client:
        yield Desk(client=client, clock=clock, factory=factory, users=users)
