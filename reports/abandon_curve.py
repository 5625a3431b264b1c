"""The abandon curve: how the callers who reached a queue left it, by how long they had waited.

Over the inbound calls of the period that queued, each bucket of wait ``[wait_from, wait_to)`` counts those
whose wait ended there by abandoning (short abandons apart), by an answer, or by choosing a queue callback
(never an abandon); ``waiting_at_start`` is how many were still waiting at ``wait_from`` (the survival
curve). Buckets run up to :data:`CURVE_SECONDS` of wait; longer waits share a last, open bucket
(``wait_to`` None). Callers still in line when the report is read are left out: their wait is not over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, select
from sqlalchemy.orm import Session

from contacts.models import Contact
from contacts.record import ABANDONED, ANSWERED, QUEUE_EXITS
from kernel.errors import InvalidInput
from reports.arith import seconds_between
from reports.summary import inbound

CURVE_SECONDS = 600  # ten minutes of wait; the rest in one open bucket
MAX_BUCKET_SECONDS = 600
SLACK_SECONDS = 0.0005  # SQLite's date arithmetic is exact to the millisecond only

DEFINITIONS: dict[str, str] = {
    "wait": "the caller's wait: queued → answered, or queued → hung up or left the line (等待时长)",
    "abandoned": "callers who hung up in the queue or while a seat rang, with this wait, short abandons "
                 "excepted (放弃)",
    "short_abandoned": "abandons within the short-abandon threshold of queuing (短时放弃)",
    "answered": "callers connected to an agent after this wait (接通)",
    "callbacks": "callers who chose a queue callback after this wait: they keep their place and are not "
                 "abandons (选择回拨)",
    "waiting_at_start": "callers who reached the queue and were still waiting at wait_from: the survival "
                        "curve (仍在等待)",
}


@dataclass(frozen=True)
class Bucket:
    wait_from: int
    wait_to: int | None
    abandoned: int = 0
    short_abandoned: int = 0
    answered: int = 0
    callbacks: int = 0
    waiting_at_start: int = 0


KINDS = ("abandoned", "short_abandoned", "answered", "callbacks")


def bucket_count(bucket_seconds: int) -> int:
    """How many closed buckets of ``bucket_seconds`` cover :data:`CURVE_SECONDS` (the open one comes after)."""
    if not 1 <= bucket_seconds <= MAX_BUCKET_SECONDS:
        raise InvalidInput(f"bucket_seconds must be between 1 and {MAX_BUCKET_SECONDS}, not {bucket_seconds}")
    return math.ceil(CURVE_SECONDS / bucket_seconds)


def curve(exits: dict[tuple[int, str], int], bucket_seconds: int) -> list[Bucket]:
    """The buckets from counts of exits per (bucket index, kind); indexes beyond the last closed bucket (and
    below 0, a clock that stepped back) fold into the open and the first bucket."""
    closed = bucket_count(bucket_seconds)
    counts = [dict.fromkeys(KINDS, 0) for _ in range(closed + 1)]
    for (index, kind), number in exits.items():
        counts[max(0, min(index, closed))][kind] += number
    buckets: list[Bucket] = []
    still_waiting = sum(sum(c.values()) for c in counts)
    for index, figures in enumerate(counts):
        upper = (index + 1) * bucket_seconds if index < closed else None
        buckets.append(Bucket(index * bucket_seconds, upper, waiting_at_start=still_waiting, **figures))
        still_waiting -= sum(figures.values())
    return buckets


def abandon_curve(session: Session, start: datetime, end: datetime, *, queue: str | None = None,
                  bucket_seconds: int = 10) -> list[Bucket]:
    """The curve over calls that arrived in ``[start, end)`` and queued (in ``queue`` if given)."""
    if end < start:
        raise InvalidInput(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    bucket_count(bucket_seconds)
    dialect = session.get_bind().dialect.name
    wait = func.coalesce(Contact.wait_seconds, seconds_between(
        dialect, func.coalesce(Contact.answered_at, Contact.ended_at), Contact.queued_at))
    index = _floor(dialect, (wait + SLACK_SECONDS) / bucket_seconds)
    gave_up = and_(Contact.answered_at.is_(None), Contact.outcome == ABANDONED)
    kind = case((Contact.answered_at.is_not(None), ANSWERED),
                (and_(gave_up, Contact.short_abandon.is_(True)), "short_abandoned"),
                (gave_up, ABANDONED),
                (Contact.outcome.in_(QUEUE_EXITS), "callbacks"))
    conditions = [Contact.arrived_at >= start, Contact.arrived_at < end, Contact.queued_at.is_not(None), inbound(),
                  kind.is_not(None), wait.is_not(None)]
    if queue is not None:
        conditions.append(Contact.queue == queue)
    query = select(index, kind, func.count()).where(*conditions).group_by(index, kind)
    return curve({(int(i), str(k)): n for i, k, n in session.execute(query)}, bucket_seconds)


def _floor(dialect: str, value: ColumnElement[Any]) -> ColumnElement[Any]:
    """floor() of a non-negative number: SQLite's CAST truncates; PostgreSQL's rounds, so it floors first."""
    if dialect == "postgresql":
        return cast(func.floor(value), Integer)
    return cast(value, Integer)
