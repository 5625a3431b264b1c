"""Writes every call event to the append-only ``contact_event`` log and folds it into the call's one
``contact`` row. It is an event-bus subscriber: events are handled one at a time, in order, and an event
whose write fails is retried until the database takes it, so nothing is lost while the database is away.

A post-call survey score is also handed to ``copy_score`` (the contact's work orders carry it: see
``work_orders.store.record_satisfaction``) in the same transaction, after the contact row is written:
a work order created at that moment either sees the score on the contact or is seen by the copy."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contacts.models import Contact, ContactEvent
from contacts.record import DEFAULT_SHORT_ABANDON_SECONDS, changes_for, is_contact_event
from contacts.resync import RESYNC_WINDOW, RESYNCED_EVENT, resynced
from kernel.call_events import ChannelsResynced, SurveyAnswered
from kernel.database import transaction, write_until_stored
from kernel.events import Event

log = logging.getLogger(__name__)

CONTACT_FIELDS = tuple(c.name for c in Contact.__table__.columns if c.name not in ("id", "linkedid"))
CopyScore = Callable[[Session, int, int], object]  # (session, contact id, score): copies the score elsewhere


class ContactRecorder:
    def __init__(self, factory: sessionmaker[Session], retry_seconds: float = 1.0, *,
                 short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS,
                 copy_score: CopyScore | None = None) -> None:
        self._factory = factory
        self._retry_seconds = retry_seconds
        self._short_abandon_seconds = short_abandon_seconds
        self._copy_score = copy_score

    async def on_event(self, event: Event) -> None:
        await self.on_events([event])

    async def on_events(self, events: list[Event]) -> None:
        """Stores the events in order: each run of contact events in one transaction (a bus batch, see
        :meth:`kernel.events.EventBus.subscribe_batch`), a resync on its own. A run the database refuses is
        written again event by event, so one bad event never costs the others."""
        run: list[Event] = []
        for event in events:
            if isinstance(event, ChannelsResynced):
                await self._store_run(run)
                run = []
                await write_until_stored(functools.partial(self.resync, event), "contact resync",
                                         self._retry_seconds)
            elif is_contact_event(event):
                run.append(event)
        await self._store_run(run)

    async def _store_run(self, run: list[Event]) -> None:
        if len(run) > 1 and await write_until_stored(lambda: self.record_all(run), f"{len(run)} contact events",
                                                     self._retry_seconds, log_failure=False):
            return
        for event in run:
            await write_until_stored(functools.partial(self.record, event), f"contact event {event.to_wire()}",
                                     self._retry_seconds)

    def record_all(self, events: list[Event]) -> None:
        with transaction(self._factory) as session:
            for event in events:
                self._record_in(session, event)

    def resync(self, seen: ChannelsResynced) -> None:
        """Asterisk's channels were re-read: each open contact gets what they say of its call (see
        :mod:`contacts.resync`), as a ``contact.resynced`` event and changes to its row."""
        since = seen.at - RESYNC_WINDOW
        with transaction(self._factory) as session:
            open_contacts = session.scalars(select(Contact).where(
                Contact.ended_at.is_(None), Contact.arrived_at >= since, Contact.arrived_at <= seen.at)).all()
            for contact in open_contacts:
                current = {name: getattr(contact, name) for name in CONTACT_FIELDS}
                found = resynced(current, contact.linkedid, seen, short_abandon_seconds=self._short_abandon_seconds)
                if not found.parts:
                    continue
                session.add(ContactEvent(linkedid=contact.linkedid, type=RESYNCED_EVENT, at=seen.at,
                                         data={"parts": list(found.parts)}))
                for name, value in found.changes.items():
                    setattr(contact, name, value)
                log.info("contact %s resynced from Asterisk: %s", contact.linkedid, ", ".join(found.parts))

    def record(self, event: Event) -> None:
        self.record_all([event])

    def _record_in(self, session: Session, event: Event) -> None:
        assert event.linkedid is not None
        payload = event.to_wire()
        data = {k: v for k, v in payload.items() if k not in ("type", "v", "at", "linkedid")}
        session.add(ContactEvent(linkedid=event.linkedid, type=event.wire_type, at=event.at, data=data))
        contact = session.scalars(select(Contact).where(Contact.linkedid == event.linkedid)).one_or_none()
        if contact is None:
            contact = Contact(linkedid=event.linkedid, arrived_at=event.at, ivr_path="", offer_count=0,
                              reconstructed=False)
            session.add(contact)
        current: dict[str, Any] = {name: getattr(contact, name) for name in CONTACT_FIELDS}
        changes = changes_for(current, event, short_abandon_seconds=self._short_abandon_seconds)
        for name, value in changes.items():
            setattr(contact, name, value)
        if isinstance(event, SurveyAnswered) and "satisfaction" in changes and self._copy_score is not None:
            session.flush()  # the contact row first (its lock, then the work orders': as creation takes them)
            self._copy_score(session, contact.id, event.score)
