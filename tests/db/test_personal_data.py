"""Personal data (callers' numbers, accounts) reaches only those allowed: an agent's call log holds their own
calls, a screen pop (the caller's account) goes to the offered agent's consoles only, and a user deactivated or
demoted since their token was issued is refused on every route at once (recordings: tests/db/test_recording_api).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from agent_console.hub import ConsoleHub
from agent_console.users import set_active
from contacts.recorder import ContactRecorder
from kernel.call_events import (
    AgentRinging,
    CallAnswered,
    CallArrived,
    CallEnded,
    CallOffered,
    CallQueued,
    OfferAnswered,
)
from kernel.database import transaction
from tests.db.console_desk import T0
from tests.db.test_auth_roles import PUBLIC, ROLES, concrete, token
from tests.db.test_auth_roles import app as app
from tests.unit.test_hub_agent_calls import Pops, Socket

App = tuple[FastAPI, Any, dict[str, int]]


def answered(factory: sessionmaker[Session], linkedid: str, caller: str, agent_id: int) -> None:
    recorder = ContactRecorder(factory)
    at = T0 - timedelta(hours=1)
    for event in (CallArrived(at=at, linkedid=linkedid, channel="PJSIP/trunk-1", caller_number=caller,
                              dialed_number="96106"),
                  CallQueued(at=at, linkedid=linkedid, channel="PJSIP/trunk-1", queue="general",
                             account_number=None, priority=0, ivr_path="main>agent", caller_number=caller),
                  OfferAnswered(at=at + timedelta(seconds=5), linkedid=linkedid, seat="seat1001"),
                  CallAnswered(at=at + timedelta(seconds=5), linkedid=linkedid, agent_id=agent_id, seat="seat1001",
                               queue="general", waited_seconds=5.0),
                  CallEnded(at=at + timedelta(seconds=60), linkedid=linkedid, channel="PJSIP/trunk-1",
                            cause="Normal Clearing")):
        recorder.record(event)


@pytest.fixture
def calls(app: App, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    _, _, users = app
    answered(session_factory, "c-agent1", "13800000001", users["agent1"])
    answered(session_factory, "c-agent2", "13900000002", users["agent2"])
    with TestClient(app[0]) as client:
        yield client


def numbers(client: TestClient, who: dict[str, str]) -> set[str]:
    response = client.get("/api/calls", params={"from": "2026-11-25", "to": "2026-11-26"}, headers=who)
    assert response.status_code == 200, response.text
    return {entry["caller_number"] for entry in response.json()}


def test_an_agents_call_log_holds_only_their_own_callers(app: App, calls: TestClient) -> None:
    users = app[2]
    assert numbers(calls, token(users["agent1"], "agent")) == {"13800000001"}
    assert numbers(calls, token(users["agent2"], "agent")) == {"13900000002"}
    assert numbers(calls, token(users["super1"], "supervisor")) == {"13800000001", "13900000002"}
    assert calls.get("/api/calls").status_code == 401


def test_accounts_are_read_by_logged_in_users_only(app: App) -> None:
    users = app[2]
    with TestClient(app[0]) as client:
        assert client.get("/api/accounts/10001234").status_code == 401
        assert client.get("/api/accounts/10001234/history").status_code == 401
        read = client.get("/api/accounts/10001234", headers=token(users["agent2"], "agent"))
        assert read.status_code == 200 and read.json()["account"]["phone"] == "13800000001"


def test_a_deactivated_or_demoted_user_is_refused_everywhere_at_once(app: App,
                                                                     session_factory: sessionmaker[Session]) -> None:
    api, _, users = app
    issued = {"agent2": token(users["agent2"], "agent"), "demoted": token(users["manager1"], "admin")}
    with transaction(session_factory) as session:
        set_active(session, "agent2", False)
    with TestClient(api) as client:
        for (method, path), (role, body) in ROLES.items():
            if role == PUBLIC or method == "WS":
                continue
            for name, headers in issued.items():
                response = client.request(method, concrete(path), json=body or {}, headers=headers)
                assert response.status_code == 401, (method, path, name, response.text)
        assert client.get("/api/agent", headers=token(users["agent1"], "agent")).status_code == 200


async def test_a_screen_pop_reaches_the_offered_agents_consoles_only() -> None:
    hub = ConsoleHub(Pops())
    sockets = {n: Socket() for n in (1, 2, 3)}
    for agent_id, socket in sockets.items():
        hub.connect(agent_id, socket, supervisor=agent_id == 3)
    now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    await hub.on_event(CallOffered(at=now, linkedid="c1", agent_id=1, seat="seat1001", channel="PJSIP/trunk-1",
                                   queue="general", account_number="10001234", caller_number="13800000001",
                                   ivr_path="main>agent"))
    await hub.on_event(AgentRinging(at=now, linkedid="c1", seat="seat1001", agent_channel="PJSIP/seat1001-1"))
    await hub.settle()
    assert [m["caller_number"] for m in sockets[1].sent] == ["13800000001"]
    assert sockets[2].sent == [] and sockets[3].sent == []  # not another agent, not a supervisor's wallboard
