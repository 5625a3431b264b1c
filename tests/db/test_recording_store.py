"""Recording rows from call events, the retention period on real files, the migration, and users' teams.

The recorder is fed the events the AMI bridge and the ACD publish, in the orders they really come in: the
recording event precedes the ACD's CallAnswered for a queue call (qq-record runs before Dial reports the
answer) and follows it for a callback (the agent answered the Originate before the customer answered)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from agent_console.models import User
from agent_console.users import create_user
from config.cli import main as cli_main
from config.schema import Base
from contacts.models import Contact, ContactEvent
from kernel.call_events import (
    AgentLegEnded,
    CallAnswered,
    CallbackDialEnded,
    ChannelsResynced,
    OfferAnswered,
    RecordingStarted,
)
from kernel.database import MIGRATIONS_DIR, make_engine, make_session_factory, transaction
from recordings.models import Recording
from recordings.recorder import MISSED_EVENT, RecordingRecorder
from recordings.retention import RetentionSweeper
from tests.db.recording_fixtures import T0, FixedClock, add_recording, make_people, write_wav

CALL = "1795651504.0"


def rows(factory: sessionmaker[Session]) -> list[Recording]:
    with transaction(factory) as session:
        return list(session.scalars(select(Recording).order_by(Recording.id)))


@pytest.fixture
def people(session_factory: sessionmaker[Session]) -> dict[str, int]:
    return make_people(session_factory)


@pytest.fixture
def contact_id(session_factory: sessionmaker[Session]) -> int:
    with transaction(session_factory) as session:
        contact = Contact(linkedid=CALL, arrived_at=T0, ivr_path="main>agent>queue", offer_count=1,
                          reconstructed=False)
        session.add(contact)
        session.flush()
        return contact.id


def started(file: Path, seconds: float = 10, seat: str = "seat1001", linkedid: str = CALL) -> RecordingStarted:
    return RecordingStarted(at=T0 + timedelta(seconds=seconds), linkedid=linkedid, seat=seat, file=str(file))


async def test_a_queue_call_gets_one_row_with_its_agent_end_size_and_length(
        session_factory: sessionmaker[Session], tmp_path: Path, people: dict[str, int], contact_id: int) -> None:
    recorder = RecordingRecorder(session_factory)
    file = tmp_path / "2026/11/27" / f"{CALL}-1795651510.1-abc.wav"
    await recorder.on_event(started(file))
    await recorder.on_event(CallAnswered(at=T0 + timedelta(seconds=10), linkedid=CALL, agent_id=people["agent_a"],
                                         seat="seat1001", queue="general", waited_seconds=4.0))
    [row] = rows(session_factory)
    assert (row.linkedid, row.seat, row.agent_id, row.contact_id) == (CALL, "seat1001", people["agent_a"], contact_id)
    assert (row.path, row.started_at, row.ended_at) == (str(file), T0 + timedelta(seconds=10), None)
    assert len(row.public_id) == 22

    data = write_wav(file, seconds=2.5)  # as MixMonitor leaves it once the leg hung up
    await recorder.on_event(AgentLegEnded(at=T0 + timedelta(seconds=13), linkedid=CALL, seat="seat1001"))
    [row] = rows(session_factory)
    assert row.ended_at == T0 + timedelta(seconds=13)  # at once: the file is measured beside the event stream
    await recorder.close()
    [row] = rows(session_factory)
    assert (row.bytes, row.duration_seconds) == (len(data), 2.5)


async def test_the_acd_taker_wins_over_who_was_at_the_seat(session_factory: sessionmaker[Session], tmp_path: Path,
                                                           people: dict[str, int]) -> None:
    recorder = RecordingRecorder(session_factory, agent_at_seat=lambda seat: people["agent_b"])
    await recorder.on_event(started(tmp_path / "a.wav"))
    assert rows(session_factory)[0].agent_id == people["agent_b"]
    await recorder.on_event(CallAnswered(at=T0, linkedid=CALL, agent_id=people["agent_a"], seat="seat1001",
                                         queue="general", waited_seconds=1.0))
    assert rows(session_factory)[0].agent_id == people["agent_a"]


async def test_a_callback_is_answered_before_its_recording_starts(session_factory: sessionmaker[Session],
                                                                  tmp_path: Path, people: dict[str, int]) -> None:
    recorder = RecordingRecorder(session_factory)
    await recorder.on_event(CallAnswered(at=T0, linkedid=CALL, agent_id=people["agent_a"], seat="seat1002",
                                         queue="general", waited_seconds=100.0, callback=True))
    await recorder.on_event(started(tmp_path / "cb.wav", seconds=20, seat="seat1002"))
    [row] = rows(session_factory)
    assert (row.linkedid, row.seat, row.agent_id, row.contact_id) == (CALL, "seat1002", people["agent_a"], None)


async def test_a_file_told_twice_is_one_row_and_each_leg_is_its_own(session_factory: sessionmaker[Session],
                                                                     tmp_path: Path) -> None:
    recorder = RecordingRecorder(session_factory, settle_seconds=0)
    await recorder.on_event(started(tmp_path / "a.wav"))
    await recorder.on_event(started(tmp_path / "a.wav"))
    await recorder.on_event(started(tmp_path / "b.wav", seconds=60, seat="seat1002"))  # a second agent's leg
    await recorder.on_event(AgentLegEnded(at=T0 + timedelta(seconds=50), linkedid=CALL, seat="seat1001"))
    first, second = rows(session_factory)
    assert first.ended_at == T0 + timedelta(seconds=50) and second.ended_at is None
    assert first.public_id != second.public_id


async def test_without_the_file_the_length_is_the_legs_time(session_factory: sessionmaker[Session], tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    recorder = RecordingRecorder(session_factory, settle_seconds=0.2, poll_seconds=0.05)
    await recorder.on_event(started(tmp_path / "elsewhere.wav"))
    with caplog.at_level(logging.WARNING):
        await recorder.on_event(AgentLegEnded(at=T0 + timedelta(seconds=40), linkedid=CALL, seat="seat1001"))
        await recorder.close()
    [row] = rows(session_factory)
    assert (row.bytes, row.duration_seconds) == (None, 30.0)
    assert "no WAV file at" in caplog.text
    # A recording whose file never appeared is no recording: the leg is flagged too.
    assert missed(session_factory) == [(CALL, {"seat": "seat1001", "agent_id": None, "reason": "no_file",
                                               "recording": row.public_id})]


async def test_after_a_resync_the_recordings_of_calls_gone_unseen_end(session_factory: sessionmaker[Session],
                                                                       tmp_path: Path) -> None:
    recorder = RecordingRecorder(session_factory, settle_seconds=0)
    await recorder.on_event(started(tmp_path / "gone.wav", linkedid="17.1"))
    await recorder.on_event(started(tmp_path / "live.wav", linkedid="17.2"))
    await recorder.on_event(ChannelsResynced(at=T0 + timedelta(seconds=90), live=("17.2",)))
    gone, live = rows(session_factory)
    assert gone.ended_at == T0 + timedelta(seconds=90) and live.ended_at is None


def missed(factory: sessionmaker[Session]) -> list[tuple[str, dict[str, object]]]:
    with transaction(factory) as session:
        return [(e.linkedid, e.data) for e in session.scalars(
            select(ContactEvent).where(ContactEvent.type == MISSED_EVENT).order_by(ContactEvent.id))]


async def test_an_answered_leg_that_ends_without_a_recording_is_flagged_on_the_contact(
        session_factory: sessionmaker[Session], people: dict[str, int], caplog: pytest.LogCaptureFixture) -> None:
    recorder = RecordingRecorder(session_factory, settle_seconds=0)
    await recorder.on_event(CallAnswered(at=T0, linkedid=CALL, agent_id=people["agent_a"], seat="seat1001",
                                         queue="general", waited_seconds=4.0))
    with caplog.at_level(logging.WARNING):  # Asterisk never told a recording for this leg
        await recorder.on_event(AgentLegEnded(at=T0 + timedelta(seconds=9), linkedid=CALL, seat="seat1001"))
    assert missed(session_factory) == [(CALL, {"seat": "seat1001", "agent_id": people["agent_a"]})]
    assert "ended without a recording" in caplog.text


async def test_no_flag_for_a_recorded_leg_an_unanswered_one_or_with_recording_off(
        session_factory: sessionmaker[Session], tmp_path: Path, people: dict[str, int]) -> None:
    def answered(seat: str, linkedid: str = CALL) -> CallAnswered:
        return CallAnswered(at=T0, linkedid=linkedid, agent_id=people["agent_a"], seat=seat, queue="general",
                            waited_seconds=1.0)
    recorder = RecordingRecorder(session_factory, settle_seconds=0)
    write_wav(tmp_path / "a.wav", 0.5)
    await recorder.on_event(answered("seat1001"))
    await recorder.on_event(started(tmp_path / "a.wav"))
    await recorder.on_event(AgentLegEnded(at=T0 + timedelta(seconds=30), linkedid=CALL, seat="seat1001"))
    await recorder.on_event(AgentLegEnded(at=T0 + timedelta(seconds=31), linkedid=CALL, seat="seat1002"))  # rang
    off = RecordingRecorder(session_factory, settle_seconds=0, recording=False)
    await off.on_event(answered("seat1001", "17.9"))
    await off.on_event(AgentLegEnded(at=T0 + timedelta(seconds=32), linkedid="17.9", seat="seat1001"))
    await off.on_event(started(tmp_path / "gone.wav", linkedid="17.9", seat="seat1002"))  # no file, but off
    await off.on_event(AgentLegEnded(at=T0 + timedelta(seconds=33), linkedid="17.9", seat="seat1002"))
    await recorder.close()
    await off.close()
    assert missed(session_factory) == []


def answer(seat: str, agent_id: int, *, at: float = 10, callback: bool = False) -> CallAnswered:
    return CallAnswered(at=T0 + timedelta(seconds=at), linkedid=CALL, agent_id=agent_id, seat=seat, queue="general",
                        waited_seconds=1.0, callback=callback)


async def test_a_short_call_whose_answer_the_acd_tells_after_its_end_is_still_flagged(
        session_factory: sessionmaker[Session], people: dict[str, int]) -> None:
    """Under load the ACD names the taker after the leg has hung up: the leg is judged when both are known."""
    recorder = RecordingRecorder(session_factory, settle_seconds=0, agent_at_seat=lambda seat: None)
    await recorder.on_event(OfferAnswered(at=T0, linkedid=CALL, seat="seat1001"))  # no recording event follows
    await recorder.on_event(AgentLegEnded(at=T0 + timedelta(seconds=1), linkedid=CALL, seat="seat1001"))
    await recorder.on_event(answer("seat1001", people["agent_a"], at=2))
    await recorder.on_event(OfferAnswered(at=T0, linkedid="17.3", seat="seat1002"))  # the ACD never said at all
    await recorder.on_event(AgentLegEnded(at=T0 + timedelta(seconds=3), linkedid="17.3", seat="seat1002"))
    assert missed(session_factory) == [(CALL, {"seat": "seat1001", "agent_id": None}),
                                       ("17.3", {"seat": "seat1002", "agent_id": None})]


async def test_an_answered_leg_seen_to_end_only_by_a_resync_is_flagged(
        session_factory: sessionmaker[Session], people: dict[str, int]) -> None:
    recorder = RecordingRecorder(session_factory, settle_seconds=0)
    await recorder.on_event(OfferAnswered(at=T0, linkedid=CALL, seat="seat1001"))
    await recorder.on_event(answer("seat1001", people["agent_a"]))
    await recorder.on_event(OfferAnswered(at=T0, linkedid="17.2", seat="seat1002"))  # still talking
    await recorder.on_event(ChannelsResynced(at=T0 + timedelta(seconds=60), live=("17.2",)))
    assert missed(session_factory) == [(CALL, {"seat": "seat1001", "agent_id": people["agent_a"]})]


async def test_a_callback_is_flagged_only_once_its_customer_answered(
        session_factory: sessionmaker[Session], people: dict[str, int]) -> None:
    recorder = RecordingRecorder(session_factory, settle_seconds=0)
    await recorder.on_event(answer("seat1001", people["agent_a"], callback=True))  # the agent answered first
    await recorder.on_event(CallbackDialEnded(at=T0, linkedid=CALL, status="NOANSWER"))
    await recorder.on_event(AgentLegEnded(at=T0 + timedelta(seconds=30), linkedid=CALL, seat="seat1001"))
    assert missed(session_factory) == []  # nobody talked: nothing to record
    await recorder.on_event(CallbackDialEnded(at=T0, linkedid="17.4", status="ANSWER"))  # before the ACD's word
    await recorder.on_event(CallAnswered(at=T0, linkedid="17.4", agent_id=people["agent_b"], seat="seat1002",
                                         queue="general", waited_seconds=1.0, callback=True))
    await recorder.on_event(AgentLegEnded(at=T0 + timedelta(seconds=40), linkedid="17.4", seat="seat1002"))
    assert missed(session_factory) == [("17.4", {"seat": "seat1002", "agent_id": people["agent_b"]})]


async def test_a_recording_told_after_its_leg_ended_is_ended_and_measured_at_once(
        session_factory: sessionmaker[Session], tmp_path: Path, people: dict[str, int]) -> None:
    """A callback records the customer's leg: the agent may hang up before that leg tells its recording."""
    recorder = RecordingRecorder(session_factory, settle_seconds=0)
    await recorder.on_event(answer("seat1001", people["agent_a"], callback=True))
    await recorder.on_event(CallbackDialEnded(at=T0, linkedid=CALL, status="ANSWER"))
    await recorder.on_event(AgentLegEnded(at=T0 + timedelta(seconds=11), linkedid=CALL, seat="seat1001"))
    data = write_wav(tmp_path / "cb.wav", seconds=0.5)
    await recorder.on_event(started(tmp_path / "cb.wav", seconds=12))
    await recorder.close()
    [row] = rows(session_factory)
    assert (row.agent_id, row.ended_at, row.bytes, row.duration_seconds) == (
        people["agent_a"], T0 + timedelta(seconds=12), len(data), 0.5)


async def test_a_file_still_being_finished_holds_back_no_other_event(
        session_factory: sessionmaker[Session], tmp_path: Path, people: dict[str, int]) -> None:
    recorder = RecordingRecorder(session_factory, settle_seconds=30, poll_seconds=0.05)
    slow = tmp_path / "slow.wav"
    await recorder.on_event(started(slow))
    await recorder.on_event(AgentLegEnded(at=T0 + timedelta(seconds=20), linkedid=CALL, seat="seat1001"))
    await asyncio.wait_for(recorder.on_event(started(tmp_path / "next.wav", linkedid="17.5")), 2)
    assert [r.linkedid for r in rows(session_factory)] == [CALL, "17.5"]
    data = write_wav(slow, seconds=1.5)  # Asterisk closes the file now
    await asyncio.wait_for(recorder.close(), 5)
    assert (rows(session_factory)[0].bytes, rows(session_factory)[0].duration_seconds) == (len(data), 1.5)


async def test_a_recording_written_before_its_contact_is_linked_once_the_contact_is(
        session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    recorder = RecordingRecorder(session_factory, settle_seconds=0, link_seconds=0.05)
    await recorder.on_event(started(tmp_path / "early.wav"))  # the contact log is behind
    await recorder.on_event(started(tmp_path / "never.wav", linkedid="17.6", seat="seat1002"))
    assert rows(session_factory)[0].contact_id is None
    with transaction(session_factory) as session:
        contact = Contact(linkedid=CALL, arrived_at=T0, ivr_path="main", offer_count=1, reconstructed=False)
        session.add(contact)
        session.flush()
        contact_id = contact.id

    def linked() -> bool:
        return rows(session_factory)[0].contact_id == contact_id
    for _ in range(100):
        if linked():
            break
        await asyncio.sleep(0.05)
    assert linked() and rows(session_factory)[1].contact_id is None
    await recorder.close()


# Retention ------------------------------------------------------------------------------------------------


def test_retention_deletes_old_files_marks_their_rows_and_says_so(
        session_factory: sessionmaker[Session], tmp_path: Path, people: dict[str, int],
        caplog: pytest.LogCaptureFixture) -> None:
    store = tmp_path / "recordings"
    now = T0 + timedelta(days=200)
    old = store / "2026/11/27/old.wav"
    recent = store / "2027/06/10/recent.wav"
    write_wav(old, 0.2)
    write_wav(recent, 0.2)
    old_id = add_recording(session_factory, old, agent_id=people["agent_a"], started_at=T0)
    add_recording(session_factory, recent, agent_id=people["agent_a"], started_at=now - timedelta(days=5))
    orphan = store / "2026/11/28/nobody-knew.wav"  # recorded while no app node saw the events
    write_wav(orphan, 0.2)
    young_orphan = store / "2027/06/14/nobody-knew-yet.wav"
    write_wav(young_orphan, 0.2)

    sweeper = RetentionSweeper(session_factory, store, 180, FixedClock(now))
    with caplog.at_level(logging.INFO, logger="recordings.retention"):
        result = sweeper.sweep()
    assert (result.deleted, result.orphans, result.kept) == (1, 1, 0)
    assert "recordings: deleted 2 files older than 180 days (1 without a database row)" in caplog.text
    assert not old.exists() and not orphan.exists() and recent.exists() and young_orphan.exists()
    assert not (store / "2026").exists()  # emptied day directories go too
    deleted = {r.public_id: r.deleted_at for r in rows(session_factory)}
    assert deleted[old_id] == now and sum(d is not None for d in deleted.values()) == 1

    caplog.clear()
    assert sweeper.sweep() == type(result)()  # nothing more to do, and nothing said
    assert "deleted" not in caplog.text


def test_retention_zero_keeps_everything_and_a_missing_directory_deletes_nothing(
        session_factory: sessionmaker[Session], tmp_path: Path, people: dict[str, int]) -> None:
    store = tmp_path / "recordings"
    old = store / "2026/11/27/old.wav"
    write_wav(old, 0.2)
    add_recording(session_factory, old, agent_id=people["agent_a"], started_at=T0)
    later = FixedClock(T0 + timedelta(days=1000))
    assert RetentionSweeper(session_factory, store, 0, later).sweep().deleted == 0
    assert RetentionSweeper(session_factory, tmp_path / "not-mounted", 180, later).sweep().deleted == 0
    assert old.exists() and rows(session_factory)[0].deleted_at is None


def test_retention_never_deletes_outside_the_directory(session_factory: sessionmaker[Session], tmp_path: Path,
                                                       people: dict[str, int]) -> None:
    store = tmp_path / "recordings"
    store.mkdir()
    elsewhere = tmp_path / "etc" / "precious.wav"
    write_wav(elsewhere, 0.2)
    add_recording(session_factory, elsewhere, agent_id=people["agent_a"], started_at=T0)
    result = RetentionSweeper(session_factory, store, 180, FixedClock(T0 + timedelta(days=365))).sweep()
    assert (result.deleted, result.kept) == (0, 1)
    assert elsewhere.exists() and rows(session_factory)[0].deleted_at is None


async def test_the_sweeper_runs_at_start_and_stops(session_factory: sessionmaker[Session], tmp_path: Path,
                                                   people: dict[str, int]) -> None:
    store = tmp_path / "recordings"
    old = store / "2026/11/27/old.wav"
    write_wav(old, 0.2)
    add_recording(session_factory, old, agent_id=people["agent_a"], started_at=T0)
    sweeper = RetentionSweeper(session_factory, store, 180, FixedClock(T0 + timedelta(days=181)), every_seconds=3600)
    sweeper.start()
    for _ in range(100):
        if not old.exists():
            break
        await asyncio.sleep(0.05)
    await sweeper.stop()
    assert not old.exists()


# Schema and users -----------------------------------------------------------------------------------------


def test_the_migration_matches_the_models_and_goes_down_and_up(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert [d for d in diff if "recording" in repr(d) or "team" in repr(d)] == []
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    tables = inspect(engine).get_table_names()
    assert "recording" not in tables and "recording_access" not in tables
    assert "team" not in {c["name"] for c in inspect(engine).get_columns("app_user")}
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert {"recording", "recording_access"} <= set(inspect(engine).get_table_names())


def test_users_have_a_team(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        supervisor = create_user(session, username="s1", password="long-enough-1", role="supervisor",
                                 display_name="班长", now=T0, team=" east ")
        agent = create_user(session, username="a1", password="long-enough-1", role="agent", display_name="一号",
                            now=T0, team="")
        assert (supervisor.team, agent.team) == ("east", None)


def test_create_user_with_a_team_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("QINGQUAN_DATABASE_URL", url)
    monkeypatch.delenv("QINGQUAN_SETTINGS_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    assert cli_main(["create-user", "wang", "--role", "supervisor", "--team", "east",
                     "--password", "long-enough-1"]) == 0
    assert "user wang (supervisor, team east) created" in capsys.readouterr().out
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        assert session.scalars(select(User.team).where(User.username == "wang")).one() == "east"
    engine.dispose()
