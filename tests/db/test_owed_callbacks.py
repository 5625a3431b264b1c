"""Callbacks still owed are read back from the contact records after a restart; the acd audit log and the
agents' skills survive in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from acd.audit import AcdAuditLog
from acd.models import AcdAudit
from agent_console.users import create_user
from contacts.callbacks import owed_callbacks
from contacts.models import Contact
from kernel.call_events import EmergencyModeChanged
from kernel.database import transaction

T0 = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)


def contact(linkedid: str, minutes: int, status: str | None, number: str | None = "13900000000") -> Contact:
    at = T0 + timedelta(minutes=minutes)
    return Contact(linkedid=linkedid, arrived_at=at, queued_at=at, queue="general", outcome="callback_requested",
                   callback_number=number, callback_status=status)


def test_owed_callbacks_are_the_requested_ones_not_yet_answered_oldest_first(
        session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        session.add_all([contact("late", 30, "requested"), contact("early", 10, "requested"),
                         contact("done", 5, "connected"), contact("taken", 6, "agent_answered"),
                         contact("stale", -2000, "requested"), contact("plain", 7, None, None)])
    with transaction(session_factory) as session:
        owed = owed_callbacks(session, since=T0 - timedelta(hours=24))
    assert [(o.linkedid, o.queue, o.number) for o in owed] == [("early", "general", "13900000000"),
                                                               ("late", "general", "13900000000")]


def test_a_night_callback_is_owed_in_line_from_when_it_left_the_ivr(session_factory: sessionmaker[Session]) -> None:
    night = Contact(linkedid="night", arrived_at=T0 + timedelta(minutes=19), ivr_left_at=T0 + timedelta(minutes=20),
                    queue="billing", outcome="callback_requested", callback_number="13911112222",
                    callback_status="requested")  # never queued: the IVR found the queue closed
    with transaction(session_factory) as session:
        session.add_all([contact("late", 30, "requested"), night, contact("early", 10, "requested")])
    with transaction(session_factory) as session:
        owed = owed_callbacks(session, since=T0 - timedelta(hours=24))
    assert [(o.linkedid, o.queue) for o in owed] == [("early", "general"), ("night", "billing"), ("late", "general")]


async def test_emergency_switches_are_audited(session_factory: sessionmaker[Session]) -> None:
    log = AcdAuditLog(session_factory)
    await log.on_event(EmergencyModeChanged(at=T0, on=True, actor_id=3, note="cold snap",
                                            emergency_seats=("seat1016",), overflow=("general>20>leak",)))
    with transaction(session_factory) as session:
        rows = session.query(AcdAudit).all()
        assert [(r.action, r.actor_id, r.detail["note"], r.detail["emergency_seats"]) for r in rows] == [
            ("emergency_on", 3, "cold snap", ["seat1016"])]


def test_agents_keep_their_skills_and_queues(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        user = create_user(session, username="zhang", password="long-enough-1", role="agent",
                           display_name="Zhang", now=T0, skills={"billing": 4}, queues=["billing"])
        user_id = user.id
    with transaction(session_factory) as session:
        from agent_console.models import User
        stored = session.get(User, user_id)
        assert stored is not None and (stored.skills, stored.queues) == ({"billing": 4}, ["billing"])
