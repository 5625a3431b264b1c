"""The hotline's database as a load run needs it: the simulated agents' users (created once), and afterwards
the run's contacts, offers, agents' ready times and recordings, as plain rows for :mod:`loadgen.reconcile`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from acd.models import AgentStateChange
from agent_console.models import User
from agent_console.users import create_user
from contacts.models import Contact, ContactEvent
from kernel.database import transaction
from recordings.models import Recording
from recordings.recorder import MISSED_EVENT

SIM_PASSWORD = "qingquan-simulate"


def sim_username(number: int) -> str:
    return f"sim-agent-{number:02d}"


def ensure_agents(factory: sessionmaker[Session], count: int, now: datetime) -> list[str]:
    """The usernames of ``count`` simulated agents, creating those that do not exist yet."""
    names = [sim_username(n) for n in range(1, count + 1)]
    with transaction(factory) as session:
        existing = set(session.scalars(select(User.username).where(User.username.in_(names))))
        for name in names:
            if name not in existing:
                create_user(session, username=name, password=SIM_PASSWORD, role="agent",
                            display_name=f"模拟话务员 {name[-2:]}", now=now)
    return names


SIM_SUPERVISOR = "sim-supervisor"


def ensure_supervisor(factory: sessionmaker[Session], now: datetime) -> str:
    """The simulated supervisor whose consoles watch the run, created if it does not exist yet."""
    with transaction(factory) as session:
        if session.scalars(select(User).where(User.username == SIM_SUPERVISOR)).one_or_none() is None:
            create_user(session, username=SIM_SUPERVISOR, password=SIM_PASSWORD, role="supervisor",
                        display_name="模拟班长", now=now)
    return SIM_SUPERVISOR


@dataclass(frozen=True)
class RunRecords:
    contacts: list[dict[str, Any]]
    offers: list[tuple[str, int, datetime]]
    ready_changes: list[tuple[int, datetime]]
    recorded_linkedids: set[str]
    # linkedid -> what is wrong with the call's recording though its row exists ("not linked to its contact",
    # "not measured"), and linkedid -> why it was flagged recording.missed ("" when no reason was given)
    recording_faults: dict[str, str] = field(default_factory=dict)
    missed_recordings: dict[str, str] = field(default_factory=dict)


CONTACT_FIELDS = ("linkedid", "caller_number", "arrived_at", "outcome", "ivr_path", "account_number", "agent_id",
                  "answered_at", "ended_at", "ivr_left_at", "queued_at")


def contacts_of(session: Session, numbers: Sequence[str], since: datetime) -> list[dict[str, Any]]:
    rows = session.scalars(select(Contact).where(Contact.arrived_at >= since,
                                                 Contact.caller_number.in_(list(numbers))))
    return [{name: getattr(row, name) for name in CONTACT_FIELDS} for row in rows]


def read_run(factory: sessionmaker[Session], numbers: Sequence[str], since: datetime,
             agent_ids: Sequence[int]) -> RunRecords:
    with factory() as session:
        contacts = contacts_of(session, numbers, since)
        linkedids = [c["linkedid"] for c in contacts]
        offers = [(e.linkedid, int(e.data.get("agent_id") or 0), e.at) for e in session.scalars(
            select(ContactEvent).where(ContactEvent.type == "call.offered", ContactEvent.linkedid.in_(linkedids)))]
        ready = [(c.agent_id, c.at) for c in session.scalars(
            select(AgentStateChange).where(AgentStateChange.to_state == "ready", AgentStateChange.at >= since,
                                           AgentStateChange.agent_id.in_(list(agent_ids))))]
        recordings = session.scalars(select(Recording).where(Recording.linkedid.in_(linkedids))).all()
        missed = {e.linkedid: str(e.data.get("reason") or "") for e in session.scalars(select(ContactEvent).where(
            ContactEvent.type == MISSED_EVENT, ContactEvent.linkedid.in_(linkedids)))}
    faults = {r.linkedid: fault for r in recordings if (fault := recording_fault(r.contact_id, r.duration_seconds))}
    return RunRecords(contacts, offers, ready, {r.linkedid for r in recordings}, faults, missed)


def recording_fault(contact_id: int | None, duration_seconds: float | None) -> str:
    """What a recording row lacks ("" when nothing): a contact, a measured length."""
    return ", ".join(fault for fault, wrong in (("not linked to its contact", contact_id is None),
                                                ("not measured", duration_seconds is None)) if wrong)


def ended_contacts(factory: sessionmaker[Session], numbers: Sequence[str], since: datetime) -> int:
    with factory() as session:
        return sum(1 for c in contacts_of(session, numbers, since) if c["ended_at"] is not None)


def unsettled_recordings(factory: sessionmaker[Session], numbers: Sequence[str], since: datetime) -> int:
    """Answered contacts whose recording is not settled yet: neither a measured row linked to the contact nor
    a recording.missed event (the app measures a file once Asterisk has finished it, a moment after the end)."""
    with factory() as session:
        answered = {c["linkedid"] for c in contacts_of(session, numbers, since) if c["answered_at"] is not None}
        settled = set(session.scalars(select(Recording.linkedid).where(
            Recording.linkedid.in_(answered), Recording.contact_id.is_not(None),
            Recording.duration_seconds.is_not(None))))
        settled |= set(session.scalars(select(ContactEvent.linkedid).where(
            ContactEvent.type == MISSED_EVENT, ContactEvent.linkedid.in_(answered))))
        return len(answered - settled)
