"""Writes the ``recording`` rows from call events. It is an event-bus subscriber (one event at a time, in
order; a write the database refuses while it is away is retried until stored):

- RecordingStarted (qq-record's UserEvent, as the agent's leg is answered) -> a row with a fresh public id;
  its agent is the ACD's taker if already known, else the agent logged in at the seat;
- CallAnswered (the ACD's word on who took the call; it may come just before or after, even after a short
  call's leg has hung up) -> that agent;
- AgentLegEnded (the agent's leg hung up, so MixMonitor stops; for an agent's click-to-call, OutboundEnded) ->
  the row's end, then its size and length read from the file once Asterisk has finished it;
- ChannelsResynced (after the AMI link came back) -> the end of rows whose call is gone unseen.

Every answered agent leg gets a recording or a ``recording.missed`` contact event and a warning, never silence
(:mod:`recordings.legs` judges each leg once both its answer and its end are known, in whatever order they
came): the answered leg's routine did not run (the caller hung up as the seat answered: "Abnormal Gosub exit"),
the recording could not start, or the leg's end was seen only by a resync. A recording whose file never
appeared is flagged too (its row stays, with the leg's time as its length).

The file is measured beside the event stream, never in it: waiting for Asterisk to finish one file must not
hold back the next call's events (under load that backlog grew until the app stopped with rows unwritten)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from contacts.models import Contact, ContactEvent
from kernel.agent_call_events import OutboundAnswered, OutboundEnded, OutboundStarted
from kernel.call_events import (
    AgentLegEnded,
    CallAnswered,
    CallbackDialEnded,
    ChannelsResynced,
    OfferAnswered,
    RecordingStarted,
)
from kernel.database import transaction, write_until_stored
from kernel.events import Event
from recordings.legs import LegBook, MissedLeg
from recordings.models import Recording
from recordings.public_id import new_public_id
from recordings.wav_file import WavFacts, read_wav_facts

log = logging.getLogger(__name__)

AgentAtSeat = Callable[[str], int | None]  # the agent logged in at a seat now, if any
MISSED_EVENT = "recording.missed"  # contact_event type: an answered agent leg ended without a recording
_LINK_GIVE_UP_SECONDS = 600.0
NO_FILE = "no_file"  # a missed event's reason: the recording was told but its file never appeared


@dataclass(frozen=True)
class EndedRecording:
    id: int
    public_id: str
    path: str
    linkedid: str
    seat: str
    agent_id: int | None
    started_at: datetime
    ended_at: datetime


class RecordingRecorder:
    def __init__(self, factory: sessionmaker[Session], *, agent_at_seat: AgentAtSeat = lambda _seat: None,
                 retry_seconds: float = 1.0, settle_seconds: float = 3.0, poll_seconds: float = 0.1,
                 recording: bool = True, link_seconds: float = 2.0) -> None:
        self._factory = factory
        self._recording = recording  # recordings.enabled: only then is an answered leg without one a miss
        self._agent_at_seat = agent_at_seat
        self._retry_seconds = retry_seconds
        self._settle_seconds = settle_seconds  # how long to wait for Asterisk to finish a file
        self._poll_seconds = poll_seconds
        self._link_seconds = link_seconds
        self._legs = LegBook()
        self._measuring: set[asyncio.Task[None]] = set()
        # Rows written before their contact was (the contact log lags under load) -> when to give up (loop time)
        self._unlinked: dict[int, float] = {}
        self._linker: asyncio.Task[None] | None = None

    async def on_event(self, event: Event) -> None:
        legs = self._legs
        match event:
            case OfferAnswered(linkedid=str(linkedid)):  # Asterisk's answer: before its recording event
                legs.seat_answered(linkedid, event.seat)
            case RecordingStarted(linkedid=str(linkedid)):
                leg_ended_at = legs.recorded(linkedid, event.seat)
                agent_id = legs.agent_of(linkedid, event.seat) or self._agent_at_seat(event.seat)
                unlinked: list[int] = []
                await self._store(lambda: unlinked.extend(self.started(event, agent_id)), event)
                for row_id in unlinked:
                    self._unlinked_row(row_id)
                if leg_ended_at is not None:  # the leg's end came first: no later event would end the row
                    late: list[EndedRecording] = []
                    await self._store(lambda: late.extend(self.leg_ended(linkedid, event.seat, leg_ended_at)), event)
                    self._measure_later(late)
            case CallAnswered(linkedid=str(linkedid)) if event.seat:
                flag = self._flag(legs.agent_answered(linkedid, event.seat, event.agent_id,
                                                      talking=not event.callback))
                await self._store(lambda: self.answered(linkedid, event.seat, event.agent_id, flag), event)
            case CallbackDialEnded(linkedid=str(linkedid)) if event.status == "ANSWER":
                legs.customer_answered(linkedid)
            case OutboundStarted(linkedid=str(linkedid)):
                legs.agent_placed(linkedid, event.seat, event.agent_id)
            case OutboundAnswered(linkedid=str(linkedid)):
                legs.customer_answered(linkedid)
            case AgentLegEnded(linkedid=str(linkedid)) | OutboundEnded(linkedid=str(linkedid)):  # (click-to-call)
                flag = self._flag(legs.ended(linkedid, event.seat, event.at))
                ended: list[EndedRecording] = []
                await self._store(lambda: ended.extend(self.leg_ended(linkedid, event.seat, event.at, missed=flag)),
                                  event)
                self._measure_later(ended)
            case ChannelsResynced():
                flags = [f for m in legs.calls_gone(event.live, event.at) if (f := self._flag(m)) is not None]
                gone: list[EndedRecording] = []
                await self._store(lambda: gone.extend(self.calls_gone(frozenset(event.live), event.at, flags)),
                                  event)
                self._measure_later(gone)

    async def close(self) -> None:
        """Waits for the files still being measured (each waits ``settle_seconds`` at most), then links the
        rows whose contact has been written since (call it after the other subscribers have settled)."""
        await asyncio.gather(*self._measuring, return_exceptions=True)
        if self._linker is not None:
            self._linker.cancel()
            await asyncio.gather(self._linker, return_exceptions=True)
            self._linker = None
        if self._unlinked:
            await self._link_pending()

    def _unlinked_row(self, row_id: int) -> None:
        """A row was written before its contact: link it once the contact log has caught up."""
        self._unlinked[row_id] = asyncio.get_running_loop().time() + _LINK_GIVE_UP_SECONDS
        if self._linker is None or self._linker.done():
            self._linker = asyncio.create_task(self._link_until_done(), name="recording-contacts")

    async def _link_until_done(self) -> None:
        while self._unlinked:
            await asyncio.sleep(self._link_seconds)
            await self._link_pending()
            now = asyncio.get_running_loop().time()
            for row_id in [i for i, give_up in self._unlinked.items() if give_up <= now]:
                log.warning("recording row %s: no contact for its call after %s s", row_id, _LINK_GIVE_UP_SECONDS)
                del self._unlinked[row_id]

    async def _link_pending(self) -> None:
        ids = frozenset(self._unlinked)
        done: set[int] = set()
        await write_until_stored(lambda: done.update(self.link_contacts(ids)), "recordings' contacts",
                                 self._retry_seconds)
        for row_id in done:
            self._unlinked.pop(row_id, None)

    def link_contacts(self, ids: frozenset[int]) -> set[int]:
        """Sets the contact of those rows whose contact now exists; returns the rows linked (or gone)."""
        with transaction(self._factory) as session:
            rows = session.scalars(select(Recording).where(Recording.id.in_(ids))).all()
            for row in rows:
                if row.contact_id is None:
                    row.contact_id = _contact_id(session, row.linkedid)
            return set(ids) - {row.id for row in rows if row.contact_id is None}

    def _flag(self, missed: MissedLeg | None) -> MissedLeg | None:
        """The leg to flag, with its agent (the one at the seat if the ACD has not said yet); None when
        recording is off."""
        if missed is None or not self._recording:
            return None
        if missed.agent_id is None:
            return MissedLeg(missed.linkedid, missed.seat, self._agent_at_seat(missed.seat), missed.at)
        return missed

    async def _store(self, write: Callable[[], None], event: Event) -> None:
        await write_until_stored(write, f"recording event {event.wire_type} {event.linkedid}", self._retry_seconds)

    # The writes (each one transaction, run in a worker thread) -----------------------------------------------

    def started(self, event: RecordingStarted, agent_id: int | None) -> list[int]:
        """Writes the row; returns its id if its contact is not written yet."""
        assert event.linkedid is not None
        with transaction(self._factory) as session:
            if session.scalars(select(Recording.id).where(Recording.path == event.file)).first() is not None:
                return []  # the same file told twice
            recording = Recording(public_id=new_public_id(), linkedid=event.linkedid, seat=event.seat,
                                  agent_id=agent_id, contact_id=_contact_id(session, event.linkedid),
                                  path=event.file, started_at=event.at)
            session.add(recording)
            session.flush()
            unlinked = [recording.id] if recording.contact_id is None else []
        log.info("recording %s: -[recording.started]-> recording call=%s seat=%s agent=%s", recording.public_id,
                 event.linkedid, event.seat, agent_id)
        return unlinked

    def answered(self, linkedid: str, seat: str, agent_id: int, missed: MissedLeg | None = None) -> None:
        with transaction(self._factory) as session:
            session.execute(update(Recording).where(
                Recording.linkedid == linkedid, Recording.seat == seat, Recording.ended_at.is_(None),
                Recording.agent_id.is_distinct_from(agent_id)).values(agent_id=agent_id))
            if missed is not None:  # the leg had already ended (a short call; the ACD told its answer late)
                _add_missed(session, missed)

    def leg_ended(self, linkedid: str, seat: str, at: datetime, *, missed: MissedLeg | None = None
                  ) -> list[EndedRecording]:
        """Ends the leg's open recordings; ``missed``: the leg was answered and no recording was told for it."""
        with transaction(self._factory) as session:
            rows = session.scalars(select(Recording).where(
                Recording.linkedid == linkedid, Recording.seat == seat, Recording.ended_at.is_(None))).all()
            if missed is not None and not rows:
                _add_missed(session, missed)
            return [_end(session, row, at, "agent.leg_ended") for row in rows]

    def calls_gone(self, live: frozenset[str], at: datetime, missed: list[MissedLeg] | None = None
                   ) -> list[EndedRecording]:
        with transaction(self._factory) as session:
            rows = session.scalars(select(Recording).where(Recording.ended_at.is_(None),
                                                           Recording.started_at <= at)).all()
            for leg in missed or []:
                _add_missed(session, leg)
            return [_end(session, row, at, "telephony.channels_resynced") for row in rows
                    if row.linkedid not in live]

    def measured(self, ended: EndedRecording, facts: WavFacts | None) -> None:
        """The row's size and length; a file that never appeared makes the leg a missed recording too (the
        row keeps the leg's time as its length)."""
        seconds = facts.seconds if facts else round((ended.ended_at - ended.started_at).total_seconds(), 3)
        with transaction(self._factory) as session:
            session.execute(update(Recording).where(Recording.id == ended.id).values(
                bytes=facts.bytes if facts else None, duration_seconds=seconds))
            if facts is None and self._recording:
                _add_missed(session, MissedLeg(ended.linkedid, ended.seat, ended.agent_id, ended.ended_at),
                            reason=NO_FILE, recording=ended.public_id)

    # The finished file ------------------------------------------------------------------------------------

    def _measure_later(self, ended: list[EndedRecording]) -> None:
        if ended:
            task = asyncio.create_task(self._measure_all(ended), name="recording-measure")
            self._measuring.add(task)
            task.add_done_callback(self._measuring.discard)

    async def _measure_all(self, ended: list[EndedRecording]) -> None:
        for recording in ended:
            facts = await self._finished_file(Path(recording.path))
            if facts is None:
                log.warning("recording %s: no WAV file at %s (is recordings.directory shared with Asterisk?)",
                            recording.public_id, recording.path)
            elif not facts.complete:
                log.warning("recording %s: %s was not finished within %s s; its length is estimated",
                            recording.public_id, recording.path, self._settle_seconds)
            await write_until_stored(partial(self.measured, recording, facts),
                                     f"recording {recording.public_id} size", self._retry_seconds)

    async def _finished_file(self, path: Path) -> WavFacts | None:
        """The file's facts once MixMonitor has closed it (its header then counts the audio), or as they are
        after ``settle_seconds``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._settle_seconds
        while True:
            facts = await asyncio.to_thread(read_wav_facts, path)
            if (facts is not None and facts.complete) or loop.time() >= deadline:
                return facts
            await asyncio.sleep(self._poll_seconds)


def _contact_id(session: Session, linkedid: str) -> int | None:
    return session.scalars(select(Contact.id).where(Contact.linkedid == linkedid)).first()


def _add_missed(session: Session, missed: MissedLeg, **more: str) -> None:
    session.add(ContactEvent(linkedid=missed.linkedid, type=MISSED_EVENT, at=missed.at,
                             data={"seat": missed.seat, "agent_id": missed.agent_id, **more}))
    log.warning("call %s: the answered leg of seat %s (agent %s) ended without a recording%s", missed.linkedid,
                missed.seat, missed.agent_id, f" ({more['reason']})" if "reason" in more else "")


def _end(session: Session, row: Recording, at: datetime, why: str) -> EndedRecording:
    row.ended_at = max(at, row.started_at)
    if row.contact_id is None:
        row.contact_id = _contact_id(session, row.linkedid)
    log.info("recording %s: recording -[%s]-> ended call=%s seat=%s agent=%s", row.public_id, why, row.linkedid,
             row.seat, row.agent_id)
    return EndedRecording(row.id, row.public_id, row.path, row.linkedid, row.seat, row.agent_id, row.started_at,
                          row.ended_at)
