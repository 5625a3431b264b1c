"""The console's call routes over HTTP (click-to-call, transfer, supervision) on a real database and the real
ACD core: who may call them, what input they take, and the ACD's refusals as HTTP errors. The telephony itself
is in tests/integration (test_click_to_call, test_transfer, test_chanspy)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from acd.commands import Command, DialOut, Enqueue, LogIn, MarkAnswered, RegisterSeat, SetReady
from acd.core import AcdState, decide
from agent_console.app import ConsoleContext, create_app
from agent_console.auth import Principal, issue_token
from agent_console.hub import ConsoleHub
from agent_console.users import create_user
from config.settings import Settings
from kernel.database import transaction
from work_orders.callback_store import schedule_callback
from work_orders.models import Callback
from work_orders.store import create_work_order

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
SECRET = "test-secret-key-that-is-long-enough-000"


class Clock:
    def now(self) -> datetime:
        return T0


class Acd:
    """The ACD node's face to the console, on the real core (no routing node, no telephony)."""

    def __init__(self) -> None:
        self.state = AcdState()
        self.commands: list[Command] = []

    async def execute(self, command: Command) -> AcdState:
        self.state, _ = decide(self.state, command, T0)
        self.commands.append(command)
        return self.state


@pytest.fixture
def users(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with transaction(session_factory) as session:
        made = {name: create_user(session, username=name, password="long-enough-1", role=role, display_name=name,
                                  now=T0).id
                for name, role in (("agent", "agent"), ("other", "agent"), ("super", "supervisor"),
                                   ("manager", "manager"))}
        for owner, account in (("agent", "10001234"), ("other", "10005678")):
            who = Principal(made[owner], owner, "agent")
            order = create_work_order(session, who, linkedid=None, category="repair", priority="normal",
                                      description="水表漏水", address="", account_number=account, now=T0)
            schedule_callback(session, who, work_order_id=order.id, number="13900000001", due_at=T0,
                              kind="closing", note="", now=T0)  # callback 1 on order 1, callback 2 on order 2
    return made


@pytest.fixture
def acd() -> Acd:
    return Acd()


@pytest.fixture
def api(session_factory: sessionmaker[Session], acd: Acd) -> Iterator[TestClient]:
    settings = Settings(auth={"secret_key": SECRET})  # type: ignore[arg-type]
    ctx = ConsoleContext(settings=settings, factory=session_factory, acd=acd, hub=ConsoleHub(None),  # type: ignore
                         clock=Clock(), health=dict)
    with TestClient(create_app(ctx)) as client:
        yield client


def as_user(users: dict[str, int], name: str) -> dict[str, str]:
    role = {"agent": "agent", "other": "agent", "super": "supervisor", "manager": "manager"}[name]
    token = issue_token(Principal(users[name], name, role), SECRET, 60, datetime.now(UTC))
    return {"Authorization": f"Bearer {token}"}


def on_seat(acd: Acd, user_id: int, seat: str, *, ready: bool = False) -> None:
    acd.state, _ = decide(acd.state, RegisterSeat(seat, True), T0)
    acd.state, _ = decide(acd.state, LogIn(user_id, seat), T0)
    if ready:
        acd.state, _ = decide(acd.state, SetReady(user_id), T0)


def post(api: TestClient, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return api.post(path, json=body, headers=headers or {})


def test_every_call_route_needs_a_login(api: TestClient) -> None:
    for path, body in (("/api/agent/dial", {"number": "13900000001"}), ("/api/agent/transfer", {"queue": "general"}),
                       ("/api/supervision/spy", {"agent_id": 1, "mode": "listen"})):
        assert post(api, path, body).status_code == 401


@pytest.mark.parametrize("number", ["", "12", "1390000000a", "++8613900000001", "139-0000-0001", "1" * 21,
                                    " 13900000001", "13900000001\n"])
def test_a_number_to_dial_is_digits_with_a_plus_in_front(api: TestClient, users: dict[str, int], acd: Acd,
                                                         number: str) -> None:
    on_seat(acd, users["agent"], "seat1001")
    assert post(api, "/api/agent/dial", {"number": number}, as_user(users, "agent")).status_code == 422
    assert acd.commands == []


def test_click_to_call_returns_the_calls_linkedid_at_once(api: TestClient, users: dict[str, int], acd: Acd) -> None:
    headers = as_user(users, "agent")
    assert post(api, "/api/agent/dial", {"number": "13900000001"}, headers).json()["error"] == "agent_not_logged_in"
    on_seat(acd, users["agent"], "seat1001")
    placed = post(api, "/api/agent/dial", {"number": "+8613900000001", "work_order_id": 1}, headers)
    assert placed.status_code == 202, placed.text
    linkedid = placed.json()["linkedid"]
    assert linkedid.startswith("qqo-")
    assert acd.commands == [DialOut(users["agent"], linkedid, "+8613900000001", 1, None, "10001234")]
    assert acd.state.agents[users["agent"]].state.value == "dialing"
    again = post(api, "/api/agent/dial", {"number": "13900000001"}, headers)
    assert (again.status_code, again.json()["error"]) == (409, "illegal_agent_transition")


def test_a_callback_placed_from_the_console_is_marked_placed_with_the_call(
        api: TestClient, users: dict[str, int], acd: Acd, session_factory: sessionmaker[Session]) -> None:
    def callback(callback_id: int) -> tuple[str, str | None]:
        with session_factory() as session:
            row = session.get(Callback, callback_id)
            assert row is not None
            return row.status, row.placed_linkedid

    headers = as_user(users, "agent")
    assert post(api, "/api/agent/dial", {"number": "13900000001", "callback_id": 1}, headers).status_code == 409
    assert callback(1) == ("scheduled", None)  # not on a seat: the ACD refused, the callback stays as it was
    assert post(api, "/api/agent/dial", {"number": "13900000001", "callback_id": 2}, headers).status_code == 404
    on_seat(acd, users["agent"], "seat1001")
    placed = post(api, "/api/agent/dial", {"number": "13900000001", "callback_id": 1}, headers)
    assert placed.status_code == 202, placed.text
    assert callback(1) == ("placed", placed.json()["linkedid"])
    assert acd.commands[-1] == DialOut(users["agent"], placed.json()["linkedid"], "13900000001", 1, 1, "10001234")


def test_an_agent_calls_about_their_own_work_orders_only(api: TestClient, users: dict[str, int], acd: Acd) -> None:
    on_seat(acd, users["agent"], "seat1001")
    assert post(api, "/api/agent/dial", {"number": "13900000001", "work_order_id": 2},
                as_user(users, "agent")).status_code == 404  # the other agent's order: not even its existence
    assert post(api, "/api/agent/dial", {"number": "13900000001", "work_order_id": 0},
                as_user(users, "agent")).status_code == 422
    on_seat(acd, users["super"], "seat1003")
    assert post(api, "/api/agent/dial", {"number": "13900000001", "work_order_id": 2},
                as_user(users, "super")).status_code == 202


def test_transfer_input_and_refusals(api: TestClient, users: dict[str, int], acd: Acd) -> None:
    headers = as_user(users, "agent")
    for body in ({}, {"queue": "general", "to_agent_id": 2}, {"queue": "bad queue"}, {"to_agent_id": 0}):
        assert post(api, "/api/agent/transfer", body, headers).status_code == 422, body
    on_seat(acd, users["agent"], "seat1001", ready=True)
    refused = post(api, "/api/agent/transfer", {"queue": "general"}, headers)
    assert (refused.status_code, refused.json()["error"]) == (409, "agent_not_on_call")
    acd.state, _ = decide(acd.state, Enqueue("c1", "PJSIP/trunk-1", "general"), T0)
    acd.state, _ = decide(acd.state, MarkAnswered("c1"), T0)
    assert post(api, "/api/agent/transfer", {"queue": "nowhere"}, headers).status_code == 404
    refused = post(api, "/api/agent/transfer", {"to_agent_id": users["other"]}, headers)
    assert (refused.status_code, refused.json()["error"]) == (409, "transfer_target_not_ready")
    moved = post(api, "/api/agent/transfer", {"queue": "general"}, headers)
    assert moved.json() == {"linkedid": "c1", "to_agent_id": None, "queue": "general"}
    assert acd.state.agents[users["agent"]].state.value == "wrap_up" and "c1" in acd.state.waiting


def test_supervision_is_for_supervisors_on_a_call_in_progress(api: TestClient, users: dict[str, int],
                                                              acd: Acd) -> None:
    body = {"agent_id": users["agent"], "mode": "whisper"}
    assert post(api, "/api/supervision/spy", body, as_user(users, "other")).status_code == 403
    assert post(api, "/api/supervision/spy", {**body, "mode": "shout"}, as_user(users, "super")).status_code == 422
    on_seat(acd, users["agent"], "seat1001", ready=True)
    refused = post(api, "/api/supervision/spy", body, as_user(users, "super"))
    assert (refused.status_code, refused.json()["error"]) == (409, "agent_not_on_call")
    acd.state, _ = decide(acd.state, Enqueue("c1", "PJSIP/trunk-1", "general"), T0)
    acd.state, _ = decide(acd.state, MarkAnswered("c1"), T0)
    refused = post(api, "/api/supervision/spy", body, as_user(users, "super"))
    assert (refused.status_code, refused.json()["error"]) == (409, "agent_not_logged_in")  # no seat of their own
    on_seat(acd, users["manager"], "seat1003")
    started = post(api, "/api/supervision/spy", body, as_user(users, "manager"))
    assert started.status_code == 202, started.text
    assert started.json()["linkedid"] == "c1" and started.json()["session"].startswith("qqs-")
    assert acd.state.agents[users["manager"]].state.value == "supervising"
