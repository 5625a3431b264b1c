"""A resync with Asterisk closes the contacts whose call ended unseen and marks the ones it found alive, with a
``contact.resynced`` event naming what was read back (contacts.recorder.ContactRecorder.resync)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contacts.models import Contact, ContactEvent
from contacts.recorder import ContactRecorder
from kernel.call_events import CallArrived, CallQueued, ChannelsResynced, OfferAnswered

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def arrive_and_queue(recorder: ContactRecorder, linkedid: str, when: float) -> None:
    recorder.record(CallArrived(at=at(when), linkedid=linkedid, channel=f"PJSIP/trunk-{linkedid}",
                                caller_number="138", dialed_number="96106"))
    recorder.record(CallQueued(at=at(when + 5), linkedid=linkedid, channel=f"PJSIP/trunk-{linkedid}",
                               queue="general", account_number=None, priority=0, ivr_path="0", caller_number="138"))


def test_a_resync_ends_the_unseen_and_marks_the_live(session_factory: sessionmaker[Session]) -> None:
    recorder = ContactRecorder(session_factory)
    for linkedid in ("gone", "talking", "waiting"):
        arrive_and_queue(recorder, linkedid, 0)
    for linkedid in ("gone", "talking"):
        recorder.record(OfferAnswered(at=at(20), linkedid=linkedid, seat="seat1001"))
    arrive_and_queue(recorder, "later", 200)  # arrived after the channel list was taken: left alone
    recorder.resync(ChannelsResynced(at=at(100), live=("talking", "waiting"), waiting=("waiting",),
                                     talking=("talking",), talking_seats=("seat1001",)))

    with session_factory() as session:
        contacts = {c.linkedid: c for c in session.scalars(select(Contact))}
        events = {e.linkedid: e.data for e in session.scalars(
            select(ContactEvent).where(ContactEvent.type == "contact.resynced"))}
    assert contacts["gone"].ended_at == contacts["gone"].talk_ended_at == at(100)
    assert contacts["gone"].outcome == "answered"
    assert contacts["talking"].ended_at is None and contacts["waiting"].ended_at is None
    assert {k: c.reconstructed for k, c in contacts.items()} == {
        "gone": True, "talking": True, "waiting": True, "later": False}
    assert events == {"gone": {"parts": ["ended_at", "talk_ended_at"]}, "talking": {"parts": ["in_call"]},
                      "waiting": {"parts": ["waiting"]}}
