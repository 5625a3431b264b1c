"""The console websocket of the real app under hostile clients: binary frames, invalid and deeply nested JSON,
wrong field types, huge messages. The bad socket gets an error or a policy close; the hub keeps serving every
other console (agents and supervisors, each only what their role may see)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from starlette.websockets import WebSocketDisconnect

from agent_console.app import ConsoleContext, create_app
from agent_console.auth import Principal, issue_token
from agent_console.client_messages import MAX_MESSAGE_CHARS, MESSAGE_TOO_BIG, UNSUPPORTED_DATA
from agent_console.hub import ConsoleHub
from agent_console.users import set_active
from config.settings import Settings
from kernel.call_events import AgentStateChanged, EmergencyModeChanged
from kernel.database import transaction
from tests.db.console_desk import SECRET, FixedClock, seed
from tests.db.test_calls_api import Acd

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
NASTY = ["{oops", "[" * 4_000, '{"a":' * 800, "null", "42", '"ping"', '{"type": 1}', '{"type": ["ping"]}',
         '{"type": {"x": 1}}', '{"type": "call.offered", "v": "x"}', '{"type": "agent.set_state", "state": []}',
         "\u0000\ud7ff", json.dumps({"type": "x" * 3_000})]


@pytest.fixture
def setup(session_factory: sessionmaker[Session]) -> Iterator[tuple[TestClient, ConsoleHub]]:
    assert seed(session_factory) == {"agent1": 1, "agent2": 2, "super1": 3, "manager1": 4, "admin1": 5}
    hub = ConsoleHub(None)  # type: ignore[arg-type]
    ctx = ConsoleContext(settings=Settings(auth={"secret_key": SECRET}),  # type: ignore[arg-type]
                         factory=session_factory, acd=Acd(), hub=hub, clock=FixedClock(), health=dict)  # type: ignore
    with TestClient(create_app(ctx)) as client:
        yield client, hub


def url(user_id: int, role: str) -> str:
    return f"/ws?token={issue_token(Principal(user_id, f'u{user_id}', role), SECRET, 60, datetime.now(UTC))}"


def state_changed(agent_id: int) -> AgentStateChanged:
    return AgentStateChanged(at=T0, agent_id=agent_id, from_state="ready", to_state="not_ready", reason="break")


def test_bad_messages_get_errors_and_other_consoles_keep_working(setup: tuple[TestClient, ConsoleHub]) -> None:
    client, hub = setup
    with client.websocket_connect(url(1, "agent")) as bad, client.websocket_connect(url(2, "agent")) as good:
        assert bad.receive_json()["type"] == "hello" and good.receive_json()["type"] == "hello"
        for text in NASTY:
            bad.send_text(text)
            reply = bad.receive_json()
            assert reply["type"] == "error" and reply["error"] in ("invalid_json", "unknown_message"), text
        bad.send_text('{"type": "ping", "v": 1}')
        assert bad.receive_json() == {"type": "pong", "v": 1}  # still open, still answering
        bad.send_bytes(b"\x00\xff binary")
        with pytest.raises(WebSocketDisconnect) as closed:
            bad.receive_json()
        assert closed.value.code == UNSUPPORTED_DATA
        assert client.portal is not None
        client.portal.call(hub.on_event, state_changed(2))
        assert good.receive_json()["type"] == "agent.state_changed"


def test_a_huge_message_closes_that_socket_only(setup: tuple[TestClient, ConsoleHub]) -> None:
    client, hub = setup
    with client.websocket_connect(url(1, "agent")) as bad, client.websocket_connect(url(3, "supervisor")) as sup:
        bad.receive_json()
        sup.receive_json()
        bad.send_text(json.dumps({"type": "ping", "pad": "x" * MAX_MESSAGE_CHARS}))
        with pytest.raises(WebSocketDisconnect) as closed:
            bad.receive_json()
        assert closed.value.code == MESSAGE_TOO_BIG
        assert client.portal is not None
        client.portal.call(hub.on_event, state_changed(1))  # the closed socket is gone from the hub
        assert sup.receive_json()["agent_id"] == 1
        sup.send_text('{"type": "ping", "v": 1}')
        assert sup.receive_json()["type"] == "pong"


def test_a_socket_needs_a_valid_token_of_a_current_user(setup: tuple[TestClient, ConsoleHub],
                                                        session_factory: sessionmaker[Session]) -> None:
    client, _ = setup
    with transaction(session_factory) as session:
        set_active(session, "agent2", False)
    for path in ("/ws", "/ws?token=", "/ws?token=not-a-jwt", url(1, "admin"), url(2, "agent"), url(99, "agent"),
                 f"/ws?token={issue_token(Principal(1, 'x', 'agent'), 'another-secret-' * 3, 60, T0)}"):
        with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(path) as socket:
            socket.receive_json()
        assert refused.value.code == 4401, path


def test_an_agent_gets_no_supervisor_messages(setup: tuple[TestClient, ConsoleHub]) -> None:
    client, hub = setup
    with client.websocket_connect(url(1, "agent")) as agent, client.websocket_connect(url(3, "supervisor")) as sup:
        agent.receive_json()
        sup.receive_json()
        emergency = EmergencyModeChanged(at=T0, on=True, actor_id=3, note="寒潮", emergency_seats=(), overflow=())
        assert client.portal is not None
        client.portal.call(hub.on_event, emergency)
        client.portal.call(hub.on_event, state_changed(2))  # another agent's state: supervisors only
        assert sup.receive_json()["type"] == "acd.emergency_changed"
        assert sup.receive_json()["type"] == "agent.state_changed"
        client.portal.call(hub.on_event, state_changed(1))  # their own state: the agent's first message
        assert agent.receive_json() == {**state_changed(1).to_wire()}
