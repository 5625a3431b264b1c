"""The playback API on a real database and real WAV files, through the console app itself (create_app) with
real bearer tokens: whole files, byte ranges (206), unsatisfiable ranges (416); who hears what, and that
everyone else gets exactly the answer an unknown id gets (404, never 403); the audit log of listens."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from agent_console.app import ConsoleContext, create_app
from agent_console.auth import Principal, issue_token
from config.settings import Settings
from kernel.database import transaction
from recordings.models import RecordingAccess
from tests.db.recording_fixtures import PEOPLE, T0, FixedClock, add_recording, make_people, write_wav

SECRET = "recording-test-secret-that-is-long-enough"


@pytest.fixture
def people(session_factory: sessionmaker[Session]) -> dict[str, int]:
    return make_people(session_factory)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "recordings"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def api(session_factory: sessionmaker[Session], store: Path, clock: FixedClock) -> Iterator[TestClient]:
    settings = Settings.model_validate({"recordings": {"directory": str(store)}, "auth": {"secret_key": SECRET}})
    ctx = ConsoleContext(settings=settings, factory=session_factory, acd=None, hub=None,  # type: ignore[arg-type]
                         clock=clock, health=dict)
    with TestClient(create_app(ctx)) as client:
        yield client


@pytest.fixture
def as_user(people: dict[str, int]) -> Any:
    def headers(name: str, **extra: str) -> dict[str, str]:
        who = Principal(user_id=people[name], username=name, role=PEOPLE[name][0])
        return {"Authorization": f"Bearer {issue_token(who, SECRET, 60, datetime.now(UTC))}", **extra}
    return headers


@pytest.fixture
def call(session_factory: sessionmaker[Session], store: Path, people: dict[str, int]) -> tuple[str, bytes]:
    """agent_a's recording of call 1700.1: its public id and the file's bytes."""
    path = store / "2026/11/27/1700.1-1700.2-0123456789abcdef01234567.wav"
    data = write_wav(path, seconds=1.5)
    return add_recording(session_factory, path, agent_id=people["agent_a"]), data


def listens(factory: sessionmaker[Session]) -> list[RecordingAccess]:
    with transaction(factory) as session:
        return list(session.scalars(select(RecordingAccess).order_by(RecordingAccess.id)))


def test_the_agent_plays_the_whole_file(api: TestClient, as_user: Any, call: tuple[str, bytes]) -> None:
    public_id, data = call
    response = api.get(f"/api/recordings/{public_id}/audio", headers=as_user("agent_a"))
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "audio/wav"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-length"] == str(len(data))
    assert "content-range" not in response.headers
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("header", "start", "end"), [("bytes=0-99", 0, 99), ("bytes=1000-", 1000, None),
                                                      ("bytes=-500", -500, None), ("bytes=44-10000000", 44, None)])
def test_a_range_request_gets_206_with_exactly_those_bytes(api: TestClient, as_user: Any, call: tuple[str, bytes],
                                                           header: str, start: int, end: int | None) -> None:
    public_id, data = call
    response = api.get(f"/api/recordings/{public_id}/audio", headers=as_user("agent_a", Range=header))
    assert response.status_code == 206, response.text
    expected = data[start:end + 1 if end is not None else None]
    assert response.content == expected
    first = start if start >= 0 else len(data) + start
    assert response.headers["content-range"] == f"bytes {first}-{first + len(expected) - 1}/{len(data)}"
    assert response.headers["content-length"] == str(len(expected))
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-type"] == "audio/wav"


def test_an_unsatisfiable_range_is_416_with_the_size(api: TestClient, as_user: Any, call: tuple[str, bytes],
                                                      session_factory: sessionmaker[Session]) -> None:
    public_id, data = call
    response = api.get(f"/api/recordings/{public_id}/audio", headers=as_user("agent_a", Range=f"bytes={len(data)}-"))
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(data)}"
    assert response.json()["error"] == "range_not_satisfiable"
    assert listens(session_factory) == []  # no data, no listen


def test_several_ranges_get_the_whole_file(api: TestClient, as_user: Any, call: tuple[str, bytes]) -> None:
    public_id, data = call
    response = api.get(f"/api/recordings/{public_id}/audio", headers=as_user("agent_a", Range="bytes=0-9,20-29"))
    assert (response.status_code, response.content) == (200, data)


ALLOWED = ["agent_a", "super_a", "super_all", "manager", "admin"]
DENIED = ["agent_a2", "agent_b", "super_b"]  # a teammate, another team's agent, another team's supervisor


@pytest.mark.parametrize("name", ALLOWED)
def test_who_hears_agent_as_recording(api: TestClient, as_user: Any, call: tuple[str, bytes], name: str) -> None:
    public_id, data = call
    assert api.get(f"/api/recordings/{public_id}/audio", headers=as_user(name)).content == data
    meta = api.get(f"/api/recordings/{public_id}", headers=as_user(name)).json()
    assert meta["id"] == public_id
    assert [r["id"] for r in api.get("/api/recordings?linkedid=1700.1", headers=as_user(name)).json()] == [public_id]


@pytest.mark.parametrize("name", DENIED)
def test_everyone_else_gets_exactly_what_an_unknown_id_gets(api: TestClient, as_user: Any, call: tuple[str, bytes],
                                                            name: str, session_factory: sessionmaker[Session]) -> None:
    public_id, _ = call
    unknown = api.get("/api/recordings/AAAAAAAAAAAAAAAAAAAAAA/audio", headers=as_user(name))
    assert unknown.status_code == 404
    for url in (f"/api/recordings/{public_id}/audio", f"/api/recordings/{public_id}"):
        denied = api.get(url, headers=as_user(name, Range="bytes=0-99"))
        assert (denied.status_code, denied.json()) == (404, unknown.json())
        assert denied.headers.get("content-length") == unknown.headers.get("content-length")
    assert api.get("/api/recordings?linkedid=1700.1", headers=as_user(name)).json() == []
    assert api.get("/api/recordings", headers=as_user(name)).json() == []
    assert listens(session_factory) == []


@pytest.mark.parametrize("guess", ["1", "2", "0", "-1", "1700.1", "%2E%2E", "AAAAAAAAAAAAAAAAAAAAAA"])
def test_guessing_an_id_gets_nothing(api: TestClient, as_user: Any, call: tuple[str, bytes], guess: str) -> None:
    unknown = api.get("/api/recordings/AAAAAAAAAAAAAAAAAAAAAA/audio", headers=as_user("manager"))
    for url in (f"/api/recordings/{guess}/audio", f"/api/recordings/{guess}"):
        response = api.get(url, headers=as_user("manager"))  # even someone who may hear every recording
        assert (response.status_code, response.json()) == (404, unknown.json()), url


def test_the_metadata_never_shows_the_path(api: TestClient, as_user: Any, call: tuple[str, bytes],
                                           store: Path) -> None:
    public_id, _ = call
    meta = api.get(f"/api/recordings/{public_id}", headers=as_user("agent_a"))
    assert str(store) not in meta.text and ".wav" not in meta.text and "1700.2" not in meta.text
    body = meta.json()
    assert body["audio_url"] == f"/api/recordings/{public_id}/audio"
    assert (body["linkedid"], body["seat"], body["duration_seconds"]) == ("1700.1", "seat1001", 30.0)
    assert "path" not in body


def test_logging_in_is_required(api: TestClient, call: tuple[str, bytes]) -> None:
    public_id, _ = call
    assert api.get(f"/api/recordings/{public_id}/audio").status_code == 401
    assert api.get("/api/recordings").status_code == 401


def test_a_token_whose_role_is_no_longer_the_users_hears_nothing(api: TestClient, people: dict[str, int],
                                                                  call: tuple[str, bytes]) -> None:
    public_id, _ = call
    forged = Principal(user_id=people["agent_b"], username="agent_b", role="manager")  # demoted since, say
    token = issue_token(forged, SECRET, 60, datetime.now(UTC))
    assert api.get(f"/api/recordings/{public_id}", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_each_playback_is_one_audit_row_written_before_the_data(api: TestClient, as_user: Any,
                                                                call: tuple[str, bytes], clock: FixedClock,
                                                                people: dict[str, int],
                                                                session_factory: sessionmaker[Session]) -> None:
    public_id, data = call
    url = f"/api/recordings/{public_id}/audio"
    assert api.get(url, headers=as_user("agent_a", Range="bytes=0-")).status_code == 206
    clock.advance(20)
    assert api.get(url, headers=as_user("agent_a", Range="bytes=5000-")).status_code == 206  # a seek
    rows = listens(session_factory)
    assert len(rows) == 1
    row = rows[0]
    assert (row.user_id, row.at, row.client_ip) == (people["agent_a"], T0, "testclient")
    assert (row.range_start, row.range_end, row.file_bytes) == (0, len(data) - 1, len(data))

    clock.advance(30)  # another user's listen is theirs
    assert api.get(url, headers=as_user("super_a", Range="bytes=100-199")).status_code == 206
    clock.advance(60)  # more than a minute after agent_a's row: a new playback
    assert api.get(url, headers=as_user("agent_a")).status_code == 200
    rows = listens(session_factory)
    assert [(r.user_id, r.range_start, r.range_end) for r in rows] == [
        (people["agent_a"], 0, len(data) - 1), (people["super_a"], 100, 199), (people["agent_a"], 0, len(data) - 1)]
    assert [r.at for r in rows] == [T0, T0 + timedelta(seconds=50), T0 + timedelta(seconds=110)]


def test_the_audit_log_is_append_only(api: TestClient, as_user: Any, call: tuple[str, bytes],
                                      session_factory: sessionmaker[Session]) -> None:
    public_id, _ = call
    api.get(f"/api/recordings/{public_id}/audio", headers=as_user("agent_a"))
    for statement in (update(RecordingAccess).values(client_ip="elsewhere"), delete(RecordingAccess)):
        with pytest.raises(DatabaseError, match="append-only"), transaction(session_factory) as session:
            session.execute(statement)
    assert len(listens(session_factory)) == 1


def test_a_recording_in_progress_deleted_or_out_of_place_is_not_played(
        api: TestClient, as_user: Any, session_factory: sessionmaker[Session], store: Path, tmp_path: Path,
        people: dict[str, int]) -> None:
    agent = people["agent_a"]
    growing = add_recording(session_factory, store / "x/live.wav", agent_id=agent, ended=False)
    write_wav(store / "x/live.wav", 0.5)
    gone = add_recording(session_factory, store / "x/old.wav", agent_id=agent, deleted_at=T0)
    write_wav(tmp_path / "elsewhere.wav", 0.5)
    outside = add_recording(session_factory, tmp_path / "elsewhere.wav", agent_id=agent)
    missing = add_recording(session_factory, store / "x/missing.wav", agent_id=agent)
    expected = {growing: (409, "recording_in_progress"), gone: (410, "recording_deleted"),
                outside: (503, "recording_file_unavailable"), missing: (503, "recording_file_unavailable")}
    for public_id, (status, code) in expected.items():
        response = api.get(f"/api/recordings/{public_id}/audio", headers=as_user("agent_a"))
        assert (response.status_code, response.json()["error"]) == (status, code)
    assert api.get(f"/api/recordings/{gone}", headers=as_user("agent_a")).json()["audio_url"] is None
    assert api.get(f"/api/recordings/{growing}", headers=as_user("agent_a")).json()["audio_url"] is None
    assert listens(session_factory) == []


def test_the_list_is_newest_first_and_limited(api: TestClient, as_user: Any, session_factory: sessionmaker[Session],
                                              store: Path, people: dict[str, int]) -> None:
    ids = [add_recording(session_factory, store / f"r{n}.wav", agent_id=people["agent_b"], linkedid=f"17.{n}",
                         started_at=T0 + timedelta(minutes=n)) for n in range(5)]
    add_recording(session_factory, store / "other.wav", agent_id=people["agent_a"], linkedid="17.9")
    listed = api.get("/api/recordings?limit=3", headers=as_user("agent_b")).json()
    assert [r["id"] for r in listed] == ids[::-1][:3]
    assert api.get("/api/recordings?limit=0", headers=as_user("agent_b")).status_code == 422
    assert len(api.get("/api/recordings", headers=as_user("super_b")).json()) == 5  # team b only
    assert len(api.get("/api/recordings", headers=as_user("manager")).json()) == 6


def test_a_recording_without_a_known_agent_is_heard_by_those_who_hear_all(
        api: TestClient, as_user: Any, session_factory: sessionmaker[Session], store: Path) -> None:
    public_id = add_recording(session_factory, store / "fallback.wav", agent_id=None)
    visible = {name: api.get(f"/api/recordings/{public_id}", headers=as_user(name)).status_code for name in PEOPLE}
    assert visible == {"agent_a": 404, "agent_a2": 404, "agent_b": 404, "super_a": 404, "super_b": 404,
                       "super_all": 200, "manager": 200, "admin": 200}


def test_a_deactivated_user_hears_nothing(api: TestClient, as_user: Any, call: tuple[str, bytes],
                                          session_factory: sessionmaker[Session]) -> None:
    public_id, _ = call
    with transaction(session_factory) as session:
        session.execute(text("UPDATE app_user SET active = :no WHERE username = 'agent_a'"), {"no": False})
    assert api.get(f"/api/recordings/{public_id}/audio", headers=as_user("agent_a")).status_code == 401  # log in
