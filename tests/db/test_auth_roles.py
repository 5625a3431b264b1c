"""Authentication and roles on every route: the routes are enumerated from the app itself, and each must have a
decision in ROLES below (public, any logged-in user, or a minimum role), so a new route without one fails here.
Without a token every non-public route answers 401; with a lower role a role-restricted one answers 403.
Also: the login's rate limit (per username and per client address, 429 with Retry-After)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import BaseRoute, Mount, Route

from agent_console.account_history import AccountLookup
from agent_console.app import ConsoleContext, create_app
from agent_console.auth import ROLE_RANK, Principal, issue_token
from agent_console.hub import ConsoleHub
from billing.local_gateway import LocalBillingGateway
from config.settings import Settings
from tests.db.console_desk import SECRET, FixedClock, seed
from tests.db.test_calls_api import Acd

PUBLIC, ANY = "public", "agent"  # "agent": any logged-in user (every role ranks at least as an agent)
# (method, path) -> who may call it, and for role-restricted routes a valid body (so the 403 is the role's).
ROLES: dict[tuple[str, str], tuple[str, dict[str, Any] | None]] = {
    ("GET", "/openapi.json"): (PUBLIC, None),  # the console reads it to hide features a server lacks
    ("GET", "/docs"): (PUBLIC, None),
    ("GET", "/docs/oauth2-redirect"): (PUBLIC, None),
    ("GET", "/redoc"): (PUBLIC, None),
    ("GET", "/"): (PUBLIC, None),  # the console page
    ("MOUNT", "/static"): (PUBLIC, None),
    ("GET", "/api/health"): (PUBLIC, None),
    ("POST", "/api/auth/login"): (PUBLIC, None),
    ("WS", "/ws"): (ANY, None),  # the token in the URL; 4401 without (tests/db/test_fuzz_websocket.py)
    ("GET", "/api/agent"): (ANY, None),
    ("GET", "/api/agent/reasons"): (ANY, None),
    ("PUT", "/api/agent/seat"): (ANY, None),
    ("PUT", "/api/agent/state"): (ANY, None),
    ("POST", "/api/agent/wrapup/extend"): (ANY, None),
    ("GET", "/api/users"): (ANY, None),
    ("GET", "/api/seats"): (ANY, None),
    ("GET", "/api/agents"): ("supervisor", None),
    ("PUT", "/api/agents/{agent_id}/state"): ("supervisor", {"state": "ready"}),
    ("GET", "/api/queues"): (ANY, None),
    ("GET", "/api/queues/calls/{linkedid}"): (ANY, None),
    ("GET", "/api/acd/emergency"): (ANY, None),
    ("PUT", "/api/acd/emergency"): ("supervisor", {"on": False, "note": "test"}),
    ("GET", "/api/calls"): (ANY, None),  # an agent sees only their own calls (test_personal_data.py)
    ("GET", "/api/reports/summary"): ("supervisor", None),
    ("GET", "/api/reports/ivr"): ("supervisor", None),
    ("GET", "/api/reports/staffing"): ("supervisor", None),
    ("GET", "/api/reports/metrics"): ("supervisor", None),
    ("GET", "/api/reports/dashboard"): ("supervisor", None),
    ("GET", "/api/reports/agents"): ("supervisor", None),
    ("GET", "/api/reports/agent-timeline"): ("supervisor", None),
    ("GET", "/api/reports/abandon-curve"): ("supervisor", None),
    ("GET", "/api/calls/export"): (ANY, None),  # an agent exports only their own calls (test_export_api.py)
    ("POST", "/api/work-orders"): (ANY, None),  # header Idempotency-Key (test_work_order_idempotency.py)
    ("GET", "/api/work-orders"): (ANY, None),  # an agent: their own orders only
    ("GET", "/api/work-orders/{order_id}"): (ANY, None),
    ("POST", "/api/work-orders/{order_id}/status"): (ANY, None),
    ("POST", "/api/work-orders/{order_id}/handover"): (ANY, None),
    ("POST", "/api/work-orders/{order_id}/reassign"): ("supervisor", {"to_agent_id": 1, "reason": "test"}),
    ("POST", "/api/work-orders/{order_id}/close"): (ANY, None),
    ("GET", "/api/callbacks"): (ANY, None),
    ("POST", "/api/callbacks"): (ANY, None),
    ("POST", "/api/callbacks/{callback_id}/outcome"): (ANY, None),
    ("POST", "/api/callbacks/{callback_id}/cancel"): (ANY, None),
    ("POST", "/api/outages"): ("supervisor", {"supply_zone": "north", "kind": "planned",
                                              "starts_at": "2026-11-26T08:00:00+08:00",
                                              "ends_at": "2026-11-26T18:00:00+08:00"}),
    ("GET", "/api/outages"): (ANY, None),
    ("GET", "/api/outages/{outage_id}"): (ANY, None),
    ("DELETE", "/api/outages/{outage_id}"): ("supervisor", None),
    ("GET", "/api/recordings"): (ANY, None),  # each sees what their role and team may hear (recordings/access)
    ("GET", "/api/recordings/{public_id}"): (ANY, None),
    ("GET", "/api/recordings/{public_id}/audio"): (ANY, None),
    ("POST", "/api/agent/dial"): (ANY, None),
    ("POST", "/api/agent/transfer"): (ANY, None),
    ("POST", "/api/supervision/spy"): ("supervisor", {"agent_id": 1, "mode": "listen"}),
    ("GET", "/api/accounts/{account_number}"): (ANY, None),
    ("GET", "/api/accounts/{account_number}/history"): (ANY, None),
}


def flat_routes(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    """The app's routes, those of included routers included (FastAPI keeps an included router as one entry)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from flat_routes(inner.routes)
        else:
            yield route


def enumerate_routes(app: FastAPI) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in flat_routes(app.routes):
        if isinstance(route, APIWebSocketRoute):
            found.add(("WS", route.path))
        elif isinstance(route, Mount):
            found.add(("MOUNT", route.path))
        elif isinstance(route, APIRoute | Route):
            found |= {(method, route.path) for method in route.methods or () if method != "HEAD"}
        else:
            raise AssertionError(f"a route of an unknown kind: {route!r}")
    return found


def console_app(session_factory: sessionmaker[Session]) -> tuple[FastAPI, FixedClock, dict[str, int]]:
    """The whole console API (create_app) on the database, with the desk's users; no telephony."""
    users = seed(session_factory)
    clock = FixedClock()
    ctx = ConsoleContext(settings=Settings(auth={"secret_key": SECRET}),  # type: ignore[arg-type]
                         factory=session_factory, acd=Acd(), hub=ConsoleHub(None), clock=clock,  # type: ignore
                         health=dict, accounts=AccountLookup(LocalBillingGateway(session_factory), session_factory,
                                                             clock))
    return create_app(ctx), clock, users


@pytest.fixture
def app(session_factory: sessionmaker[Session]) -> Iterator[tuple[FastAPI, FixedClock, dict[str, int]]]:
    yield console_app(session_factory)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def token(user_id: int, role: str, secret: str = SECRET, minutes: int = 60,
          now: datetime | None = None) -> dict[str, str]:
    who = Principal(user_id, f"user{user_id}", role)
    return {"Authorization": f"Bearer {issue_token(who, secret, minutes, now or datetime.now(UTC))}"}


def test_every_route_has_a_decision(app: tuple[FastAPI, FixedClock, dict[str, int]]) -> None:
    found = enumerate_routes(app[0])
    assert found - set(ROLES) == set(), "routes without an access decision in ROLES"
    assert set(ROLES) - found == set(), "ROLES names routes the app no longer has"


def test_without_a_valid_token_every_non_public_route_is_401(app: tuple[FastAPI, FixedClock, dict[str, int]]) -> None:
    api = app[0]
    expired = token(1, "admin", now=datetime.now(UTC) - timedelta(days=2))
    forged = token(1, "admin", secret="not-the-server-secret-but-long-enough")
    with TestClient(api) as client:
        for (method, path), (role, body) in ROLES.items():
            if role == PUBLIC or method == "WS":
                continue
            for headers in ({}, expired, forged, {"Authorization": "Bearer x"}, {"Authorization": "Basic YTpi"}):
                response = client.request(method, concrete(path), json=body or {}, headers=headers)
                assert response.status_code == 401, (method, path, headers, response.text)


def test_a_lower_role_gets_403_on_role_restricted_routes(app: tuple[FastAPI, FixedClock, dict[str, int]]) -> None:
    api, _, users = app
    with TestClient(api) as client:
        for (method, path), (role, body) in ROLES.items():
            if role in (PUBLIC, ANY):
                continue
            for lower, rank in ROLE_RANK.items():
                if rank >= ROLE_RANK[role]:
                    continue
                response = client.request(method, concrete(path), json=body or {},
                                          headers=token(users["agent1"], lower))
                assert response.status_code == 403, (method, path, lower, response.text)
            allowed = client.request(method, concrete(path), json=body or {}, headers=token(users["admin1"], "admin"))
            assert allowed.status_code not in (401, 403), (method, path, allowed.text)


def test_public_routes_answer_without_a_token(app: tuple[FastAPI, FixedClock, dict[str, int]]) -> None:
    with TestClient(app[0]) as client:
        for path in ("/", "/api/health", "/openapi.json", "/docs", "/static/js/i18n.js"):
            assert client.get(path).status_code == 200, path


def login(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/auth/login", json={"username": username, "password": password})


def test_login_is_limited_per_username(app: tuple[FastAPI, FixedClock, dict[str, int]]) -> None:
    api, clock, _ = app
    with TestClient(api) as client:
        assert login(client, "agent1", "long-enough-1").status_code == 200
        for _ in range(5):
            assert login(client, "agent1", "wrong").status_code == 401
        limited = login(client, "agent1", "long-enough-1")  # even the right password, until the window passes
        assert limited.status_code == 429 and limited.json()["error"] == "too_many_attempts"
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        other = TestClient(api, client=("192.0.2.7", 40000))
        assert login(other, "AGENT1 ", "wrong").status_code == 429  # the username's count, from any address
        assert login(other, "agent2", "long-enough-1").status_code == 200
        clock.advance(seconds=61)
        assert login(client, "agent1", "long-enough-1").status_code == 200


def test_login_is_limited_per_client_address(app: tuple[FastAPI, FixedClock, dict[str, int]]) -> None:
    api, clock, _ = app
    with TestClient(api, client=("198.51.100.9", 40000)) as guesser, TestClient(api) as colleague:
        for name in ("agent1", "agent2", "super1", "manager1", "nobody"):
            assert login(guesser, name, "guess").status_code == 401
        assert login(guesser, "admin1", "long-enough-1").status_code == 429  # this address guessed enough
        assert login(colleague, "admin1", "long-enough-1").status_code == 200  # others are not locked out
        clock.advance(seconds=30)
        assert int(login(guesser, "admin1", "x").headers["Retry-After"]) == 30
        clock.advance(seconds=31)
        assert login(guesser, "admin1", "long-enough-1").status_code == 200
