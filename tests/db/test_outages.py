"""Outages in SQL and over /api/outages: register, list, cancel, validation, roles, and the lookup from a caller's
number (account.phone -> supply_zone -> outage)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from agent_console.auth import Principal
from agent_console.users import create_user
from billing.models import Account
from kernel.database import transaction
from kernel.errors import QingquanError
from outages.api import outage_router
from outages.store import OutageNotices, outage_for_number, register_outage

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def users(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with transaction(session_factory) as session:
        made = {role: create_user(session, username=role, password="long-enough-1", role=role,
                                  display_name=role, now=T0).id for role in ("agent", "supervisor", "manager")}
        session.add(Account(account_number="10001234", name="张伟", phone="13800000001", supply_zone="north",
                            amount_due=Decimal("1.00"), updated_at=T0))
    return made


@pytest.fixture
def api(session_factory: sessionmaker[Session], users: dict[str, int]) -> Iterator[TestClient]:
    app = FastAPI()

    def session() -> Iterator[Session]:
        with session_factory() as s, s.begin():
            yield s

    def principal(x_role: str = Header()) -> Principal:  # the tests' stand-in for the bearer token
        return Principal(user_id=users[x_role], username=x_role, role=x_role)

    @app.exception_handler(QingquanError)
    async def _error(_request: Request, exc: QingquanError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.http_status)

    app.include_router(outage_router(principal, session, FixedClock(T0), SHANGHAI))
    with TestClient(app) as client:
        yield client


def body(**changes: object) -> dict[str, object]:
    return {"supply_zone": "north", "kind": "planned", "starts_at": "2026-11-23T08:00:00+08:00",
            "ends_at": "2026-11-23T14:00:00+08:00", "note": "主管更换", **changes}


def test_supervisor_registers_anyone_reads_and_supervisor_cancels(api: TestClient, users: dict[str, int]) -> None:
    created = api.post("/api/outages", json=body(), headers={"x-role": "supervisor"})
    assert created.status_code == 201, created.text
    outage = created.json()
    assert (outage["supply_zone"], outage["kind"], outage["created_by"]) == ("north", "planned", users["supervisor"])
    assert outage["ends_at"] == "2026-11-23T06:00:00+00:00" and outage["cancelled_at"] is None
    listed = api.get("/api/outages", headers={"x-role": "agent"}).json()
    assert [o["id"] for o in listed] == [outage["id"]]
    assert api.get(f"/api/outages/{outage['id']}", headers={"x-role": "agent"}).json() == outage

    assert api.delete(f"/api/outages/{outage['id']}", headers={"x-role": "agent"}).status_code == 403
    cancelled = api.delete(f"/api/outages/{outage['id']}", headers={"x-role": "manager"})
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_at"] == T0.isoformat()
    assert api.get("/api/outages", headers={"x-role": "agent"}).json() == []
    assert len(api.get("/api/outages?include_cancelled=true", headers={"x-role": "agent"}).json()) == 1
    assert api.delete("/api/outages/999", headers={"x-role": "manager"}).status_code == 404


def test_agents_cannot_register(api: TestClient) -> None:
    response = api.post("/api/outages", json=body(), headers={"x-role": "agent"})
    assert response.status_code == 403 and response.json()["error"] == "forbidden"


@pytest.mark.parametrize(("changes", "message"), [
    ({"ends_at": "2026-11-23T08:00:00+08:00"}, "ends_at must be after starts_at"),
    ({"ends_at": "2026-11-23T07:00:00+08:00"}, "ends_at must be after starts_at"),
    ({"supply_zone": "   "}, "supply_zone must not be empty"),
])
def test_bad_windows_and_zones_are_clear_422s(api: TestClient, changes: dict[str, object], message: str) -> None:
    response = api.post("/api/outages", json=body(**changes), headers={"x-role": "supervisor"})
    assert response.status_code == 422
    assert response.json() == {"error": "invalid_input", "message": message}


@pytest.mark.parametrize("changes", [{"supply_zone": ""}, {"kind": "maybe"}, {"starts_at": "soon"}])
def test_malformed_fields_are_422s(api: TestClient, changes: dict[str, object]) -> None:
    response = api.post("/api/outages", json=body(**changes), headers={"x-role": "supervisor"})
    assert response.status_code == 422 and response.json()["detail"]


def test_times_without_offset_are_the_hotlines_local_time(api: TestClient) -> None:
    created = api.post("/api/outages", json=body(starts_at="2026-11-23T08:00:00", ends_at="2026-11-23T14:00:00"),
                       headers={"x-role": "supervisor"}).json()
    assert (created["starts_at"], created["ends_at"]) == ("2026-11-23T00:00:00+00:00", "2026-11-23T06:00:00+00:00")


def test_a_callers_number_finds_their_zones_outage(session_factory: sessionmaker[Session],
                                                   users: dict[str, int]) -> None:
    with transaction(session_factory) as session:
        register_outage(session, supply_zone="north", kind="emergency", starts_at=T0, ends_at=T0 + timedelta(hours=5),
                        note="", created_by=users["supervisor"], now=T0)
        register_outage(session, supply_zone="west", kind="planned", starts_at=T0, ends_at=T0 + timedelta(hours=9),
                        note="", created_by=None, now=T0)
    with transaction(session_factory) as session:
        found = outage_for_number(session, "13800000001", T0)
        assert found is not None and (found.supply_zone, found.kind) == ("north", "emergency")
        assert outage_for_number(session, "+8613800000001", T0) == found
        assert outage_for_number(session, "13900000000", T0) is None
        assert outage_for_number(session, "13800000001", T0 + timedelta(hours=5)) is None
        assert outage_for_number(session, "", T0) is None


async def test_notices_for_a_number(session_factory: sessionmaker[Session], users: dict[str, int]) -> None:
    with transaction(session_factory) as session:
        register_outage(session, supply_zone="north", kind="planned", starts_at=T0, ends_at=T0 + timedelta(hours=5),
                        note="", created_by=None, now=T0)
    notices = OutageNotices(session_factory, FixedClock(T0 + timedelta(minutes=1)), SHANGHAI)
    prompts = await notices.prompts_for("13800000001")
    assert prompts[:3] == ("outage-notice", "outage-planned", "outage-restore") and prompts[-1] == "outage-choice"
    assert await notices.prompts_for("13700000000") == ()
