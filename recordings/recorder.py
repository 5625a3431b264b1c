"""Writes the ``recording`` rows from call events. It is an event-bus subscriber (one event at a time, in
order; a write the database refuses while it is away is retried until stored):

- RecordingStarted (qq-record's UserEvent, as the agent's leg is answered) -> a row with a fresh public id;
  its agent is the ACD's taker if already known, else the agent logged in at the seat;
- CallAnswered (the ACD's word on who took the call; it may come just before or after) -> that agent;
- AgentLegEnded (the agent's leg hung up, so MixMonitor stops; for an agent's click-to-call, OutboundEnded) ->
  the row's end, then its size and length read from the file once Asterisk has finished it; a leg the ACD saw
  answered that has no recording (Asterisk never told one: the answered leg's routine did not run, or the
  recording could not start) gets a ``recording.missed`` contact event and a warning, never silence;
- ChannelsResynced (after the AMI link came back) -> the end of rows whose call is gone unseen."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from contacts.models import Contact, ContactEvent
from kernel.agent_call_events import OutboundEnded
from kernel.call_events import AgentLegEnded, CallAnswered, ChannelsResynced, RecordingStarted
from kernel.database import transaction, write_until_stored
from kernel.events import Event
from recordings.models import Recording
from recordings.public_id import new_public_id
from recordings.wav_file import WavFacts, read_wav_facts

log = logging.getLogger(__name__)

AgentAtSeat = Callable[[str], int | None]  # the agent logged in at a seat now, if any
_REMEMBERED_ANSWERS = 10_000
MISSED_EVENT = "recording.missed"  # contact_event type: an answered agent leg ended without a recording


@dataclass(frozen=True)
class EndedRecording:
    id: int
    public_id: str
    path: str
    started_at: datetime
    ended_at: datetime


class RecordingRecorder:
    def __init__(self, factory: sessionmaker[Session], *, agent_at_seat: AgentAtSeat = lambda _seat: None,
                 retry_seconds: float = 1.0, settle_seconds: float = 3.0, poll_seconds: float = 0.1,
                 recording: bool = True) -> None:
        self._factory = factory
        self._recording = recording  # recordings.enabled: only then is an answered leg without one a miss
        self._agent_at_seat = agent_at_seat
        self._retry_seconds = retry_seconds
        self._settle_seconds = settle_seconds  # how long to wait for Asterisk to finish a file
        self._poll_seconds = poll_seconds
        self._answered: OrderedDict[tuple[str, str], int] = OrderedDict()  # (linkedid, seat) -> agent id

    async def on_event(self, event: Event) -> None:
        match event:
            case RecordingStarted(linkedid=str(linkedid)):
                agent_id = self._answered.get((linkedid, event.seat)) or self._agent_at_seat(event.seat)
                await self._store(lambda: self.started(event, agent_id), event)
            case CallAnswered(linkedid=str(linkedid)) if event.seat:
                self._remember(linkedid, event.seat, event.agent_id)
                await self._store(lambda: self.answered(linkedid, event.seat, event.agent_id), event)
            case AgentLegEnded(linkedid=str(linkedid)) | OutboundEnded(linkedid=str(linkedid)):  # (click-to-call)
                agent_id = self._answered.pop((linkedid, event.seat), None)
                expected = self._recording and agent_id is not None
                ended: list[EndedRecording] = []
                await self._store(lambda: ended.extend(self.leg_ended(linkedid, event.seat, event.at,
                                                                      answered_by=agent_id if expected else None)),
                                  event)
                await self._measure_all(ended)
            case ChannelsResynced():
                gone: list[EndedRecording] = []
                await self._store(lambda: gone.extend(self.calls_gone(frozenset(event.live), event.at)), event)
                await self._measure_all(gone)

    async def _store(self, write: Callable[[], None], event: Event) -> None:
        await write_until_stored(write, f"recording event {event.wire_type} {event.linkedid}", self._retry_seconds)

    def _remember(self, linkedid: str, seat: str, agent_id: int) -> None:
        self._answered[(linkedid, seat)] = agent_id
        while len(self._answered) > _REMEMBERED_ANSWERS:
            self._answered.popitem(last=False)

    # The writes (each one transaction, run in a worker thread) -----------------------------------------------

    def started(self, event: RecordingStarted, agent_id: int | None) -> None:
        assert event.linkedid is not None
        with transaction(self._factory) as session:
            if session.scalars(select(Recording.id).where(Recording.path == event.file)).first() is not None:
                return  # the same file told twice
            recording = Recording(public_id=new_public_id(), linkedid=event.linkedid, seat=event.seat,
                                  agent_id=agent_id, contact_id=_contact_id(session, event.linkedid),
                                  path=event.file, started_at=event.at)
            session.add(recording)
        log.info("recording %s: -[recording.started]-> recording call=%s seat=%s agent=%s", recording.public_id,
                 event.linkedid, event.seat, agent_id)

    def answered(self, linkedid: str, seat: str, agent_id: int) -> None:
        with transaction(self._factory) as session:
            session.execute(update(Recording).where(
                Recording.linkedid == linkedid, Recording.seat == seat, Recording.ended_at.is_(None),
                Recording.agent_id.is_distinct_from(agent_id)).values(agent_id=agent_id))

    def leg_ended(self, linkedid: str, seat: str, at: datetime, *, answered_by: int | None = None
                  ) -> list[EndedRecording]:
        """Ends the leg's open recordings; ``answered_by``: the agent who answered on this leg, when a recording
        is expected (its absence is then flagged on the contact)."""
        with transaction(self._factory) as session:
            rows = session.scalars(select(Recording).where(
                Recording.linkedid == linkedid, Recording.seat == seat, Recording.ended_at.is_(None))).all()
            if answered_by is not None and not rows and session.scalars(select(Recording.id).where(
                    Recording.linkedid == linkedid, Recording.seat == seat)).first() is None:
                session.add(ContactEvent(linkedid=linkedid, type=MISSED_EVENT, at=at,
                                         data={"seat": seat, "agent_id": answered_by}))
                log.warning("call %s: the answered leg of seat %s (agent %s) ended without a recording",
                            linkedid, seat, answered_by)
            return [_end(session, row, at, "agent.leg_ended") for row in rows]

    def calls_gone(self, live: frozenset[str], at: datetime) -> list[EndedRecording]:
        with transaction(self._factory) as session:
            rows = session.scalars(select(Recording).where(Recording.ended_at.is_(None),
                                                           Recording.started_at <= at)).all()
            return [_end(session, row, at, "telephony.channels_resynced") for row in rows
                    if row.linkedid not in live]

    def measured(self, ended: EndedRecording, facts: WavFacts | None) -> None:
        seconds = facts.seconds if facts else round((ended.ended_at - ended.started_at).total_seconds(), 3)
        with transaction(self._factory) as session:
            session.execute(update(Recording).where(Recording.id == ended.id).values(
                bytes=facts.bytes if facts else None, duration_seconds=seconds))

    # The finished file ------------------------------------------------------------------------------------

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


def _end(session: Session, row: Recording, at: datetime, why: str) -> EndedRecording:
    row.ended_at = max(at, row.started_at)
    if row.contact_id is None:
        row.contact_id = _contact_id(session, row.linkedid)
    log.info("recording %s: recording -[%s]-> ended call=%s seat=%s agent=%s", row.public_id, why, row.linkedid,
             row.seat, row.agent_id)
    return EndedRecording(row.id, row.public_id, row.path, row.started_at, row.ended_at)
