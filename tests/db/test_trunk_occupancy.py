"""The trunk occupancy log and the contact recorder's abandon details on a real database, and migration 0002
on contacts recorded before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from contacts.models import Contact, TrunkOccupancy
from contacts.recorder import ContactRecorder
from contacts.trunk_recorder import TrunkOccupancyRecorder
from kernel.call_events import (
    CallArrived,
    CallEnded,
    CallQueued,
    TrunkLineReleased,
    TrunkLinesBusy,
    TrunkLineSeized,
)
from kernel.database import MIGRATIONS_DIR
from reports.trunk_occupancy import trunk_occupancy

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def rows(factory: sessionmaker[Session]) -> list[tuple[int, int, str | None]]:
    with factory() as session:
        return [(r.change, r.lines_in_use, r.linkedid)
                for r in session.scalars(select(TrunkOccupancy).order_by(TrunkOccupancy.id))]


def test_recorder_appends_one_row_per_trunk_event(session_factory: sessionmaker[Session]) -> None:
    recorder = TrunkOccupancyRecorder(session_factory)
    recorder.record(TrunkLineSeized(at=at(0), linkedid="a", channel="PJSIP/trunk-1", lines_in_use=1))
    recorder.record(TrunkLinesBusy(at=at(1), linkedid="b", caller_number="139"))
    recorder.record(CallEnded(at=at(2), linkedid="b", channel="PJSIP/trunk-2", cause=""))  # not a trunk event
    recorder.record(TrunkLineReleased(at=at(3), linkedid="a", channel="PJSIP/trunk-1", lines_in_use=0))
    assert rows(session_factory) == [(1, 1, "a"), (0, 1, "b"), (-1, 0, "a")]


def test_a_restarted_recorder_goes_on_from_the_last_row(session_factory: sessionmaker[Session]) -> None:
    TrunkOccupancyRecorder(session_factory).record(
        TrunkLineSeized(at=at(0), linkedid="a", channel="PJSIP/trunk-1", lines_in_use=4))
    restarted = TrunkOccupancyRecorder(session_factory)
    restarted.record(TrunkLinesBusy(at=at(1), linkedid="b", caller_number="139"))
    restarted.record(TrunkLineReleased(at=at(2), linkedid="a", channel="PJSIP/trunk-1", lines_in_use=None))
    restarted.record(TrunkLineReleased(at=at(3), linkedid="c", channel="PJSIP/trunk-3", lines_in_use=None))
    assert rows(session_factory) == [(1, 4, "a"), (0, 4, "b"), (-1, 3, "a"), (-1, 2, "c")]


def test_the_table_refuses_a_negative_count_or_a_bad_step(session_factory: sessionmaker[Session]) -> None:
    for bad in (TrunkOccupancy(at=at(0), lines_in_use=-1, change=-1), TrunkOccupancy(at=at(0), lines_in_use=1,
                                                                                     change=2)):
        with pytest.raises(IntegrityError), session_factory() as session, session.begin():
            session.add(bad)


def test_hourly_occupancy_from_the_rows(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session, session.begin():
        session.add_all([
            TrunkOccupancy(at=at(-30), lines_in_use=1, change=1, linkedid="early"),  # before the period
            TrunkOccupancy(at=at(30), lines_in_use=2, change=1, linkedid="a"),
            TrunkOccupancy(at=at(45), lines_in_use=2, change=0, linkedid="refused"),
            TrunkOccupancy(at=at(60), lines_in_use=1, change=-1, linkedid="early"),  # on the hour
            TrunkOccupancy(at=at(90), lines_in_use=0, change=-1, linkedid="a"),
            TrunkOccupancy(at=at(150), lines_in_use=1, change=1, linkedid="late"),   # after the period
        ])
    with session_factory() as session:
        first, second = trunk_occupancy(session, T0, T0 + 2 * HOUR)
        assert (first.peak_lines, first.carried_erlangs, first.refused, first.seized) == (2, 1.5, 1, 1)
        assert (second.peak_lines, second.carried_erlangs, second.refused, second.seized) == (1, 0.5, 0, 0)
        [so_far] = trunk_occupancy(session, T0, T0 + 2 * HOUR, now=at(45), interval=2 * HOUR)
        assert (so_far.end, so_far.peak_lines, so_far.carried_erlangs) == (at(45), 2, round((30 * 1 + 15 * 2) / 45, 4))
        assert trunk_occupancy(session, at(200), at(260)) == [
            type(first)(at(200), at(260), peak_lines=1, carried_erlangs=1.0, refused=0, seized=0)]


def test_contact_recorder_marks_short_abandons_with_its_threshold(session_factory: sessionmaker[Session]) -> None:
    def call(linkedid: str, waited: float, recorder: ContactRecorder) -> None:
        recorder.record(CallArrived(at=at(0), linkedid=linkedid, channel="PJSIP/trunk-1", caller_number="138",
                                    dialed_number="96106"))
        recorder.record(CallQueued(at=at(1), linkedid=linkedid, channel="PJSIP/trunk-1", queue="general",
                                   account_number=None, priority=0, ivr_path="main>agent>queue",
                                   caller_number="138"))
        recorder.record(CallEnded(at=at(1) + timedelta(seconds=waited), linkedid=linkedid,
                                  channel="PJSIP/trunk-1", cause=""))

    call("default", 4.5, ContactRecorder(session_factory))
    call("high", 30, ContactRecorder(session_factory, short_abandon_seconds=60))
    call("long", 30, ContactRecorder(session_factory))
    with session_factory() as session:
        found = {c.linkedid: (c.outcome, c.abandon_stage, c.wait_seconds, c.short_abandon)
                 for c in session.scalars(select(Contact))}
    assert found == {"default": ("abandoned", "queue", 4.5, True), "high": ("abandoned", "queue", 30.0, True),
                     "long": ("abandoned", "queue", 30.0, False)}


def _alembic(engine: Engine, action: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_migration_0002_backfills_the_wait_of_earlier_contacts(engine: Engine) -> None:
    _alembic(engine, "downgrade", "0001")
    insert = text("INSERT INTO contact (linkedid, ivr_path, arrived_at, queued_at, answered_at, ended_at, "
                  "outcome, offer_count, reconstructed) VALUES (:id, '', :arrived, :queued, :answered, :ended, "
                  ":outcome, 0, :false)")
    with engine.begin() as connection:
        for linkedid, queued, answered, ended, outcome in (
                ("answered", at(1), at(1.5), at(5), "answered"),
                ("abandoned", at(1), None, at(1.75), "abandoned"),
                ("ivr", None, None, at(2), "self_service"),
                ("waiting", at(1), None, None, None)):
            connection.execute(insert, {"id": linkedid, "arrived": at(0), "queued": queued, "answered": answered,
                                        "ended": ended, "outcome": outcome, "false": False})
    _alembic(engine, "upgrade", "head")
    with engine.connect() as connection:
        found = dict(connection.execute(text("SELECT linkedid, wait_seconds FROM contact")).all())
        flags = set(connection.execute(text("SELECT short_abandon FROM contact")).scalars())
    assert found == {"answered": 30.0, "abandoned": 45.0, "ivr": None, "waiting": None}
    assert flags == {False}
