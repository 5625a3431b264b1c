"""The agent report routes over HTTP on the real app and a real database: who may read them, their shapes,
and bad input refused with a 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from agent_console.app import ConsoleContext, create_app
from agent_console.auth import Principal, issue_token
from agent_console.hub import ConsoleHub
from config.settings import Settings
from tests.db.agent_report_rows import END, IDS, START, build_day, t
from tests.support.exports import read_csv, read_xlsx

SECRET = "test-secret-key-that-is-long-enough-000"
NOW = t("20:00")  # the local day 2026-11-23 is "today"


class Clock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture
def api(session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    build_day(session_factory)
    settings = Settings(auth={"secret_key": SECRET})  # type: ignore[arg-type]
    ctx = ConsoleContext(settings=settings, factory=session_factory, acd=None, hub=ConsoleHub(None),  # type: ignore
                         clock=Clock(), health=dict)
    with TestClient(create_app(ctx)) as client:
        yield client


def get(api: TestClient, path: str, who: str = "S", **params: Any) -> Any:
    role = {"A": "agent", "S": "supervisor", "M": "manager"}[who]
    token = issue_token(Principal(IDS[who], who, role), SECRET, 60, datetime.now(UTC))
    return api.get(path, params=params, headers={"Authorization": f"Bearer {token}"})


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


PATHS = ("/api/reports/agents", "/api/reports/agent-timeline", "/api/reports/abandon-curve")


def test_supervisors_and_managers_only(api: TestClient) -> None:
    for path in PATHS:
        assert api.get(path).status_code == 401
        assert get(api, path, "A").status_code == 403
        ok(get(api, path, "M"))


def test_agents_today_by_default(api: TestClient) -> None:
    body = ok(get(api, "/api/reports/agents"))
    assert (body["from"], body["to"]) == (START.isoformat(), END.isoformat())
    assert [row["agent_id"] for row in body["rows"]] == [IDS["A"], IDS["B"], IDS["C"], IDS["S"]]
    a = body["rows"][0]
    assert (a["name"], a["handled"], a["aht_seconds"], a["seconds_by_state"]["wrap_up"]) == ("坐席A", 2, 277.5, 150.0)
    assert set(body["definitions"]) <= set(a) | {"seconds_by_state"}
    assert ok(get(api, "/api/reports/agents", **{"from": "2026-11-24"}))["rows"][0]["handled"] == 0


def test_timeline_of_a_day_and_of_one_agent(api: TestClient) -> None:
    body = ok(get(api, "/api/reports/agent-timeline", day="2026-11-23"))
    a = body["agents"][0]
    assert (a["agent_id"], a["name"]) == (IDS["A"], "坐席A")
    first = a["segments"][0]
    assert (first["state"], first["from"], first["to"]) == ("ready", START.isoformat(), t("16:10").isoformat())
    assert all(x["to"] == y["from"] for x, y in pairwise(a["segments"]))
    one = ok(get(api, "/api/reports/agent-timeline", day="2026-11-23", agent_id=IDS["B"]))["agents"]
    assert [x["agent_id"] for x in one] == [IDS["B"]]
    assert get(api, "/api/reports/agent-timeline", agent_id=999).status_code == 404


def test_abandon_curve(api: TestClient) -> None:
    body = ok(get(api, "/api/reports/abandon-curve", bucket_seconds=60, queue="general"))
    assert body["bucket_seconds"] == 60 and len(body["buckets"]) == 11
    assert body["buckets"][0] == {"wait_from": 0, "wait_to": 60, "abandoned": 1, "short_abandoned": 1,
                                  "answered": 2, "callbacks": 1, "waiting_at_start": 6}
    assert body["buckets"][-1]["wait_to"] is None and "waiting_at_start" in body["definitions"]


@pytest.mark.parametrize(("path", "params"), [
    ("/api/reports/agents", {"from": "2026-13-01"}),
    ("/api/reports/agents", {"from": "2026-11-24", "to": "2026-11-23"}),
    ("/api/reports/agent-timeline", {"day": "yesterday"}),
    ("/api/reports/agent-timeline", {"agent_id": "x"}),
    ("/api/reports/abandon-curve", {"bucket_seconds": 0}),
    ("/api/reports/abandon-curve", {"bucket_seconds": 601}),
    ("/api/reports/abandon-curve", {"bucket_seconds": "ten"}),
])
def test_bad_input_is_a_422(api: TestClient, path: str, params: dict[str, Any]) -> None:
    assert get(api, path, **params).status_code == 422


def test_agents_and_the_abandon_curve_exported(api: TestClient) -> None:
    agents = read_csv(get(api, "/api/reports/agents", format="csv"))
    a = {title.split()[-1]: value for title, value in agents[0].items()}  # "处理量 handled" -> "handled"
    assert (a["agent_id"], a["name"], a["handled"], a["aht_seconds"], a["seconds_wrap_up"]) == (
        str(IDS["A"]), "坐席A", "2", "277.5", "150.0")
    assert "seconds_by_state" not in a
    sheet = read_xlsx(get(api, "/api/reports/abandon-curve", format="xlsx", bucket_seconds=60, queue="general"))
    header = sheet[0]
    first = dict(zip(header, sheet[1], strict=True))
    assert len(sheet) == 12 and first[next(h for h in header if h.endswith("waiting_at_start"))] == 6
