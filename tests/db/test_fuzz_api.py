"""Every REST route fuzzed from the app's own OpenAPI (schemathesis), on a real database: as an admin and
without a token. No input gives a 5xx, and where a response is declared it conforms to its schema. Bounded:
a few derandomized examples per route and caller."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy.orm import Session, sessionmaker

from agent_console.account_history import AccountLookup
from agent_console.app import ConsoleContext, create_app
from agent_console.auth import Principal, issue_token
from agent_console.hub import ConsoleHub
from billing.local_gateway import LocalBillingGateway
from config.settings import Settings
from tests.db.console_desk import SECRET, FixedClock, seed
from tests.db.test_calls_api import Acd

EXAMPLES = 12
# 5xx found by this fuzzing in code another branch owns (reports), fixed there; each is checked to still fail
# below, so the entry is removed when the fix lands.
KNOWN_OPEN: dict[str, str] = {}  # "METHOD /path": why it still answers 5xx (none known)


@pytest.fixture
def app(session_factory: sessionmaker[Session], tmp_path: Any) -> Iterator[tuple[FastAPI, dict[str, int]]]:
    users = seed(session_factory)
    clock = FixedClock()
    s = Settings(auth={"secret_key": SECRET}, recordings={"directory": tmp_path})  # type: ignore[arg-type]
    ctx = ConsoleContext(settings=s, factory=session_factory, acd=Acd(), hub=ConsoleHub(None),  # type: ignore
                         clock=clock, health=dict, accounts=AccountLookup(LocalBillingGateway(session_factory),
                                                                          session_factory, clock))
    yield create_app(ctx), users


def fuzz(app: FastAPI, headers: dict[str, str], checks: list[Any], only: set[str] | None = None) -> list[str]:
    """Runs every operation (but the known open ones), or ``only`` those; returns the failures as
    'METHOD path: what' lines. No shrinking: the failure's curl line is enough, and shrinking takes minutes."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if (label not in only) if only is not None else (label in KNOWN_OPEN):
            continue

        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=checks)

        try:
            run()
        except Exception as exc:  # collected, reported all at once below
            failures.append(f"{label}: {''.join(traceback.format_exception(exc))[-2000:]}")
    return failures


def test_no_route_fails_for_an_admin(app: tuple[FastAPI, dict[str, int]]) -> None:
    api, users = app
    token = issue_token(Principal(users["admin1"], "admin1", "admin"), SECRET, 60, datetime.now(UTC))
    failures = fuzz(api, {"Authorization": f"Bearer {token}"}, [not_a_server_error, response_schema_conformance])
    assert not failures, "\n".join(failures)


def test_no_route_fails_without_a_token(app: tuple[FastAPI, dict[str, int]]) -> None:
    failures = fuzz(app[0], {}, [not_a_server_error])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/work-orders/9223372036854775808/close", {"reason": "duplicate"}),
    ("GET", "/api/work-orders/2147483648", None),
    ("POST", "/api/callbacks/2147483648/cancel", {}),
    ("DELETE", "/api/outages/2147483648", None),
    ("PUT", "/api/agents/2147483648/state", {"state": "ready"}),
    ("POST", "/api/agent/dial", {"number": "13900000001", "work_order_id": 2**31}),
    ("GET", "/api/reports/summary?from=0001-01-01", None),  # year 1 in UTC+8 is before datetime.min in UTC
    ("GET", "/api/calls?from=9999-12-31", None),
    ("GET", "/api/reports/staffing?interval=17", None),  # an interval must divide the day
])
def test_numbers_and_dates_out_of_range_are_bad_input(app: tuple[FastAPI, dict[str, int]], method: str, path: str,
                                                      body: dict[str, Any] | None) -> None:
    """Regressions found by the fuzzing: an id past the INTEGER column (the driver's OverflowError, a 500) and a
    date whose UTC bounds overflow."""
    api, users = app
    token = issue_token(Principal(users["admin1"], "admin1", "admin"), SECRET, 60, datetime.now(UTC))
    with TestClient(api) as client:
        response = client.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/work-orders", {"category": "leak", "priority": "high", "description": "水\x00表",
                                  "account_number": "10001234"}),
    ("POST", "/api/auth/login", {"username": "agent1\x00", "password": "x"}),
    ("GET", "/api/outages?zone=%00", None),
    ("GET", "/api/recordings?linkedid=%00", None),
    ("PUT", "/api/acd/emergency", {"on": False, "note": "\x00"}),
])
def test_a_nul_character_is_bad_input_not_a_500(app: tuple[FastAPI, dict[str, int]], method: str, path: str,
                                                 body: dict[str, Any] | None) -> None:
    """Regression: PostgreSQL refuses NUL in text (psycopg DataError, a 500); SQLite stores it."""
    api, users = app
    token = issue_token(Principal(users["admin1"], "admin1", "admin"), SECRET, 60, datetime.now(UTC))
    with TestClient(api) as client:
        response = client.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, response.text
