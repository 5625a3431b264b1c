"""GET /api/reports/metrics over HTTP on a real database: the contract's shape, who may read it, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from agent_console.app import ConsoleContext, create_app
from agent_console.auth import Principal, issue_token
from agent_console.hub import ConsoleHub
from agent_console.users import create_user
from config.settings import Settings
from contacts.models import Contact
from reports.metrics import DEFINITIONS, Figures
from tests.support.exports import read_csv, read_xlsx

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
SECRET = "test-secret-key-that-is-long-enough-000"
ROLE_IDS = {"agent": 1, "supervisor": 2, "manager": 3}


class Clock:
    def now(self) -> datetime:
        return T0


@pytest.fixture
def api(session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with session_factory() as session, session.begin():
        session.add_all([
            Contact(linkedid="a", arrived_at=T0, queued_at=T0, answered_at=T0, ended_at=T0, agent_id=7,
                    queue="general", outcome="answered", ivr_path=""),
            Contact(linkedid="b", arrived_at=datetime(2026, 11, 25, 2, tzinfo=UTC), ivr_path="",
                    outcome="self_service")])
        for role, user_id in ROLE_IDS.items():  # a token is honoured only for a current user of that role
            assert create_user(session, username=role, password="password-1", role=role, display_name=role,
                               now=T0).id == user_id
    settings = Settings(auth={"secret_key": SECRET})  # type: ignore[arg-type]
    ctx = ConsoleContext(settings=settings, factory=session_factory, acd=None, hub=ConsoleHub(None),  # type: ignore
                         clock=Clock(), health=dict)
    with TestClient(create_app(ctx)) as client:
        yield client


def get(api: TestClient, role: str, path: str = "/api/reports/metrics", **params: Any) -> Any:
    token = issue_token(Principal(ROLE_IDS[role], role, role), SECRET, 60, datetime.now(UTC))
    return api.get(path, params=params, headers={"Authorization": f"Bearer {token}"})


def test_rows_per_day_and_agent_as_the_contract_says(api: TestClient) -> None:
    response = get(api, "supervisor", **{"from": "2026-11-25", "to": "2026-11-26", "by": "day", "group": "agent"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"]) == ("2026-11-24T16:00:00+00:00", "2026-11-26T16:00:00+00:00")
    assert (body["by"], body["group"], body["target_seconds"]) == ("day", "agent", 20)
    assert [(r["period"], r["key"], r["figures"]["calls"]) for r in body["rows"]] == [
        ("2026-11-25", None, 1), ("2026-11-26", "7", 1)]
    row = body["rows"][1]
    assert (row["period_start"], row["period_end"]) == ("2026-11-25T16:00:00+00:00", "2026-11-26T16:00:00+00:00")
    assert set(row["figures"]) == set(Figures.__dataclass_fields__)
    assert set(DEFINITIONS) <= set(body["definitions"])


def test_today_by_default_for_managers_too(api: TestClient) -> None:
    body = get(api, "manager").json()
    assert [(r["period"], r["figures"]["answered"]) for r in body["rows"]] == [("total", 1)]


@pytest.mark.parametrize("params", [{"by": "fortnight"}, {"group": "team"}, {"target_seconds": "-1"},
                                    {"from": "2026-01-01", "to": "2026-11-26", "by": "hour"},
                                    {"from": "2026-11-26", "to": "2026-11-01"}, {"agent_id": "seven"}])
def test_bad_input_is_422(api: TestClient, params: dict[str, str]) -> None:
    response = get(api, "supervisor", **params)
    assert response.status_code == 422, response.text


def test_agents_may_not_read_it(api: TestClient) -> None:
    assert get(api, "agent").status_code == 403
    assert api.get("/api/reports/metrics").status_code == 401


def test_exported_as_csv_and_xlsx_with_the_same_numbers(api: TestClient) -> None:
    params = {"from": "2026-11-25", "to": "2026-11-26", "by": "day", "group": "agent"}
    table = read_csv(get(api, "supervisor", format="csv", **params))
    assert [(r["时段 period"], r["分组 key"], r["来电总数 calls"]) for r in table] == [
        ("2026-11-25", "", "1"), ("2026-11-26", "7", "1")]
    assert table[1]["人工接通率 answer_rate"] == "1.0"
    response = get(api, "supervisor", format="xlsx", **params)
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = read_xlsx(response)
    header = sheet[0]
    assert [row[header.index("来电总数 calls")] for row in sheet[1:]] == [1, 1]
    assert get(api, "supervisor", format="pdf").status_code == 422


def test_the_dashboard_holds_the_total_hours_and_days_of_the_metrics(api: TestClient) -> None:
    period = {"from": "2026-11-25", "to": "2026-11-26", "target_seconds": "30"}
    body = get(api, "supervisor", "/api/reports/dashboard", **period).json()
    rows = {by: get(api, "supervisor", by=by, **period).json()["rows"] for by in ("total", "hour", "day")}
    assert body["total"] == rows["total"][0]
    assert (body["hours"], body["rates_by"], body["rates"]) == (rows["hour"], "day", rows["day"])
    assert (body["from"], body["target_seconds"]) == ("2026-11-24T16:00:00+00:00", 30)
    assert set(DEFINITIONS) <= set(body["definitions"])
    months = get(api, "supervisor", "/api/reports/dashboard", rates_by="month", hours="false", **period).json()
    assert (months["hours"], [r["period"] for r in months["rates"]]) == (None, ["2026-11"])


@pytest.mark.parametrize("params", [{"rates_by": "hour"}, {"hours": "maybe"}, {"target_seconds": "4000"},
                                    {"from": "2026-01-01", "to": "2026-11-26"}])
def test_the_dashboards_bad_input_is_422(api: TestClient, params: dict[str, str]) -> None:
    response = get(api, "supervisor", "/api/reports/dashboard", **params)
    assert response.status_code == 422, response.text
    assert get(api, "agent", "/api/reports/dashboard").status_code == 403


def test_an_empty_period_has_no_total(api: TestClient) -> None:
    body = get(api, "supervisor", "/api/reports/dashboard", **{"from": "2026-01-05", "to": "2026-01-05"}).json()
    assert (body["total"], body["hours"], body["rates"]) == (None, [], [])
