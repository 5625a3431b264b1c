"""The contact writer stores a bus batch of events in one transaction (contacts.recorder.ContactRecorder
.on_events): the same contacts as one event at a time, and a batch the database refuses is written again
event by event, so one bad event never costs the others."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contacts.models import Contact, ContactEvent
from contacts.recorder import CONTACT_FIELDS, ContactRecorder
from kernel.call_events import CallArrived, CallEnded, CallQueued, ChannelsResynced, OfferAnswered
from kernel.events import Event

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def day(caller: str = "138") -> list[Event]:
    """Three calls' events interleaved, as the bus hands them over, and a resync in the middle."""
    events: list[Event] = []
    for n, linkedid in enumerate(("a", "b", "c")):
        events += [CallArrived(at=at(n), linkedid=linkedid, channel=f"PJSIP/trunk-{linkedid}",
                               caller_number=caller, dialed_number="96106"),
                   CallQueued(at=at(n + 5), linkedid=linkedid, channel=f"PJSIP/trunk-{linkedid}", queue="general",
                              account_number=None, priority=0, ivr_path="main>agent>queue", caller_number=caller)]
    events.append(ChannelsResynced(at=at(8), live=("a", "b", "c"), waiting=("a", "b", "c")))
    events += [OfferAnswered(at=at(20), linkedid="a", seat="seat1001"),
               CallEnded(at=at(30), linkedid="a", channel="PJSIP/trunk-a", cause="Normal Clearing"),
               CallEnded(at=at(31), linkedid="b", channel="PJSIP/trunk-b", cause="Normal Clearing")]
    return events


def stored(factory: sessionmaker[Session]) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    with factory() as session:
        contacts = {c.linkedid: {name: getattr(c, name) for name in CONTACT_FIELDS}
                    for c in session.scalars(select(Contact))}
        events = [(e.linkedid, e.type) for e in session.scalars(select(ContactEvent).order_by(ContactEvent.id))]
    return contacts, events


def test_a_batch_stores_what_one_event_at_a_time_stores(session_factory: sessionmaker[Session]) -> None:
    recorder = ContactRecorder(session_factory)
    for event in day():
        asyncio.run(recorder.on_event(event))
    one_by_one = stored(session_factory)
    with session_factory() as session, session.begin():
        session.query(ContactEvent).delete()
        session.query(Contact).delete()
    asyncio.run(recorder.on_events(day()))
    assert stored(session_factory) == one_by_one
    assert one_by_one[0]["a"]["outcome"] == "answered" and len(one_by_one[1]) == 3 * 2 + 3 + 3


def test_a_refused_batch_is_written_event_by_event(session_factory: sessionmaker[Session],
                                                  caplog: pytest.LogCaptureFixture) -> None:
    if session_factory.kw["bind"].dialect.name != "postgresql":
        pytest.skip("SQLite stores a caller number longer than its column; PostgreSQL refuses it")
    recorder = ContactRecorder(session_factory)
    events = day()
    bad = CallArrived(at=at(3), linkedid="bad", channel="PJSIP/trunk-bad", caller_number="1" * 41,
                      dialed_number="96106")
    asyncio.run(recorder.on_events([*events[:3], bad, *events[3:]]))
    contacts, _ = stored(session_factory)
    assert sorted(contacts) == ["a", "b", "c"]  # everything but the one event the database refused
    assert "could not be written together; writing them one by one" in caplog.text
