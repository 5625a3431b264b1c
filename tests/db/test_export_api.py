"""Exports over HTTP on a real database: the call-detail export (CSV and XLSX, a period, who sees which calls,
bad input refused before anything streams) and the reports' format=csv|xlsx."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from agent_console.app import ConsoleContext, create_app
from agent_console.auth import Principal, issue_token
from agent_console.hub import ConsoleHub
from agent_console.users import create_user
from config.settings import Settings
from contacts.models import Contact
from kernel.database import transaction
from reports.call_export import CALL_COLUMNS, call_rows
from reports.export import xlsx_chunks
from tests.support.exports import read_csv, read_xlsx

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, 2026-11-26
SECRET = "test-secret-key-that-is-long-enough-000"


class Clock:
    def now(self) -> datetime:
        return T0


@pytest.fixture
def users(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with transaction(session_factory) as session:
        return {name: create_user(session, username=name, password="long-enough-1", role=role,
                                  display_name=f"{name}名", now=T0).id
                for name, role in (("agent", "agent"), ("other", "agent"), ("super", "supervisor"))}


@pytest.fixture
def calls(session_factory: sessionmaker[Session], users: dict[str, int]) -> None:
    """Two calls today (one per agent, one a formula-like caller number), one abandoned yesterday, one tomorrow."""
    def call(linkedid: str, arrived: datetime, agent: str | None, caller: str = "13800000001") -> Contact:
        answered = agent is not None
        return Contact(linkedid=linkedid, caller_number=caller, dialed_number="96106", arrived_at=arrived,
                       queued_at=arrived + timedelta(seconds=10),
                       answered_at=arrived + timedelta(seconds=25) if answered else None,
                       ended_at=arrived + timedelta(seconds=85), agent_id=users[agent] if agent else None,
                       queue="general", outcome="answered" if answered else "abandoned", ivr_path="main>agent",
                       offer_count=1, account_number="10001234", company="昆明自来水")

    with transaction(session_factory) as session:
        session.add_all([call("today-1", T0, "agent"), call("today-2", T0 + timedelta(hours=1), "other", "=1+1"),
                         call("yesterday", T0 - timedelta(days=1), None), call("tomorrow", T0 + timedelta(days=1),
                                                                              "agent")])


@pytest.fixture
def api(session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    settings = Settings(auth={"secret_key": SECRET})  # type: ignore[arg-type]
    ctx = ConsoleContext(settings=settings, factory=session_factory, acd=None, hub=ConsoleHub(None),  # type: ignore
                         clock=Clock(), health=dict)
    with TestClient(create_app(ctx)) as client:
        yield client


def auth(users: dict[str, int], name: str) -> dict[str, str]:
    role = {"agent": "agent", "other": "agent", "super": "supervisor"}[name]
    return {"Authorization": f"Bearer {issue_token(Principal(users[name], name, role), SECRET, 60, datetime.now(UTC))}"}


def test_a_supervisor_exports_every_call_of_the_period_as_csv(api: TestClient, users: dict[str, int],
                                                               calls: None) -> None:
    response = api.get("/api/calls/export", params={"from": "2026-11-25", "to": "2026-11-26"},
                       headers=auth(users, "super"))
    rows = read_csv(response)
    assert [r["通话编号 linkedid"] for r in rows] == ["yesterday", "today-1", "today-2"]  # oldest first
    first = rows[1]
    assert first["来电时间 arrived_at"] == "2026-11-26T09:00:00+08:00"  # the hotline's local time
    assert first["等待时长(秒) wait_seconds"] == "15.0" and first["通话时长(秒) talk_seconds"] == "60.0"
    assert first["坐席 agent_name"] == "agent名" and first["水司 company"] == "昆明自来水"
    assert rows[2]["主叫号码 caller_number"] == "'=1+1"  # never run as a formula
    assert rows[0]["坐席编号 agent_id"] == "" and rows[0]["结果 outcome"] == "abandoned"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="calls_2026-11-25_2026-11-26.csv"')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "通话明细 calls_2026-11-25_2026-11-26.csv"


def test_the_call_export_as_xlsx_has_real_dates(api: TestClient, users: dict[str, int], calls: None) -> None:
    rows = read_xlsx(api.get("/api/calls/export", params={"format": "xlsx"}, headers=auth(users, "super")))
    header = [c.title for c in CALL_COLUMNS]
    assert rows[0] == header
    today = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert [r["通话编号 linkedid"] for r in today] == ["today-1", "today-2"]  # today by default
    assert today[0]["来电时间 arrived_at"] == datetime(2026, 11, 26, 9, 0)
    assert today[0]["通话时长(秒) talk_seconds"] == 60.0 and today[0]["短时放弃 short_abandon"] is False
    assert today[1]["主叫号码 caller_number"] == "=1+1"  # text in a cell, never a formula


def test_an_agent_exports_only_their_own_calls(api: TestClient, users: dict[str, int], calls: None) -> None:
    rows = read_csv(api.get("/api/calls/export", params={"from": "2026-11-25", "to": "2026-11-27"},
                            headers=auth(users, "agent")))
    assert [r["通话编号 linkedid"] for r in rows] == ["today-1", "tomorrow"]


@pytest.mark.parametrize("params", [{"format": "pdf"}, {"format": "json"}, {"from": "2026-13-01"},
                                    {"from": "2026-11-26", "to": "2026-11-01"}])
def test_bad_input_is_refused_before_anything_streams(api: TestClient, users: dict[str, int],
                                                       params: dict[str, str]) -> None:
    assert api.get("/api/calls/export", params=params, headers=auth(users, "super")).status_code == 422


def test_the_export_needs_a_login(api: TestClient) -> None:
    assert api.get("/api/calls/export").status_code == 401


def test_the_console_can_see_the_export_and_its_formats_in_the_api_schema(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    formats = {p["name"]: p["schema"].get("enum") for p in paths["/api/calls/export"]["get"]["parameters"]}
    assert formats["format"] == ["csv", "xlsx"]
    summary = {p["name"]: p["schema"].get("enum") for p in paths["/api/reports/summary"]["get"]["parameters"]}
    assert summary["format"] == ["json", "csv", "xlsx"]


def test_rows_are_read_in_batches_in_their_own_session(session_factory: sessionmaker[Session],
                                                       users: dict[str, int]) -> None:
    with transaction(session_factory) as session:
        session.add_all([Contact(linkedid=f"c{i}", arrived_at=T0 + timedelta(minutes=i), ivr_path="main",
                                 offer_count=0) for i in range(11)])
    rows = call_rows(session_factory, T0, T0 + timedelta(hours=1), batch_size=3)
    assert [r["linkedid"] for r in rows] == [f"c{i}" for i in range(11)]


def test_a_download_stopped_halfway_gives_its_connection_back(session_factory: sessionmaker[Session],
                                                              engine: Engine) -> None:
    with transaction(session_factory) as session:
        session.add_all([Contact(linkedid=f"c{i}", arrived_at=T0 + timedelta(minutes=i), ivr_path="main",
                                 offer_count=0) for i in range(10)])
    before = engine.pool.checkedout()  # type: ignore[attr-defined]
    chunks = xlsx_chunks(CALL_COLUMNS, call_rows(session_factory, T0, T0 + timedelta(hours=1), batch_size=3))
    next(chunks)
    assert engine.pool.checkedout() == before + 1  # type: ignore[attr-defined]
    chunks.close()  # what the server does when the client goes away
    assert engine.pool.checkedout() == before  # type: ignore[attr-defined]


def test_the_summary_report_as_csv_and_xlsx(api: TestClient, users: dict[str, int], calls: None) -> None:
    response = api.get("/api/reports/summary", params={"format": "csv"}, headers=auth(users, "super"))
    figures = {r["指标 figure"]: r for r in read_csv(response)}
    assert figures["来电总数 calls"]["数值 value"] == "2"
    assert figures["人工接通率 answer_rate"]["数值 value"] == "1.0"
    assert figures["人工接通率 answer_rate"]["定义 definition"].startswith("answered / (offered")
    assert 'filename="summary_2026-11-26.csv"' in response.headers["content-disposition"]
    rows = read_xlsx(api.get("/api/reports/summary", params={"format": "xlsx"}, headers=auth(users, "super")))
    assert rows[0] == ["指标 figure", "数值 value", "定义 definition"]
    assert rows[1][:2] == ["来电总数 calls", 2]
    assert api.get("/api/reports/summary", headers=auth(users, "super")).json()["figures"]["calls"] == 2  # JSON


def test_the_ivr_and_staffing_reports_as_csv(api: TestClient, users: dict[str, int], calls: None) -> None:
    ivr = read_csv(api.get("/api/reports/ivr", params={"format": "csv"}, headers=auth(users, "super")))
    assert {"figure": "来电总数 calls", "value": "2"}.items() <= {
        "figure": ivr[0]["指标 figure"], "value": ivr[0]["数值 value"]}.items()
    staffing = read_csv(api.get("/api/reports/staffing", params={"format": "csv", "interval": 60},
                                headers=auth(users, "super")))
    assert len(staffing) == 24 and staffing[9]["时段开始 start"] == "09:00:00"
    assert float(staffing[9]["来电量 calls"]) == 1.0


def test_report_formats_and_roles_are_checked(api: TestClient, users: dict[str, int]) -> None:
    assert api.get("/api/reports/summary", params={"format": "pdf"}, headers=auth(users, "super")).status_code == 422
    assert api.get("/api/reports/summary", params={"format": "csv"}, headers=auth(users, "agent")).status_code == 403
