"""The hotline's figures for a period, computed from the ``contact`` table only (one row per call).

Every rate is derived from stored counts, and each figure's definition is published in :data:`DEFINITIONS`
so it can be shown next to the number (see the shared metrics notes). Periods are half-open,
``start <= arrived_at < end``, in UTC; :func:`day_bounds` and :func:`range_bounds` turn local calendar days
(the hotline's time zone, Asia/Shanghai by default) into such periods. A call is counted on the day it
arrived, even if it ended after midnight.

Durations are computed by the database (dialect-aware for SQLite and PostgreSQL) and rounded to the
millisecond, which is SQLite's resolution for date arithmetic.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import AliasedClass

from contacts.agent_call_record import OUTBOUND
from contacts.models import Contact, ContactEvent
from contacts.record import ABANDONED
from kernel.call_events import SELF_SERVICE, SurveyOffered
from kernel.errors import InvalidInput
from reports.arith import ratio, require_aware, rounded_seconds, seconds_between

logger = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Shanghai"
MAX_LOG_LIMIT = 1000

DEFINITIONS: dict[str, str] = {
    "calls": "all calls that arrived in the period (来电总数); calls agents placed (outbound) are not counted",
    "offered": "calls that reached an agent queue (进入人工队列)",
    "answered": "queued calls connected to an agent (人工接通)",
    "abandoned": "queued calls that hung up, while waiting or while a seat rang, before an agent answered, "
                 "short abandons excepted (排队放弃)",
    "short_abandoned": "queued calls that hung up within the short-abandon threshold (acd.short_abandon_seconds, "
                       "5 s by default) of queuing: kept apart and left out of every rate (短时放弃)",
    "answer_rate": "answered / (offered − short_abandoned) (人工接通率)",
    "abandon_rate": "abandoned / (offered − short_abandoned) (放弃率)",
    "answered_within_target": "answered calls whose wait (answered − queued) was at most the service target, "
                              "20 s by default (目标时间内接通)",
    "service_level": "answered_within_target / (answered + abandoned), short abandons excluded: the Genesys "
                     "form, target 20 s by default (服务水平)",
    "asa_seconds": "mean of (answered − queued) over answered calls, in seconds (平均应答速度 ASA)",
    "longest_wait_seconds": "longest time in queue, (answered, or else ended) − queued, over offered calls, "
                            "in seconds (最长等待时间)",
    "self_served": "calls that never queued and were served by the IVR alone (IVR自助服务)",
    "survey_offered": "calls whose caller was asked the post-call survey after the agent hung up (邀评)",
    "survey_responses": "calls rated 1-5 in the post-call survey (参评)",
    "satisfied": "calls rated 4 or 5 (满意)",
    "csat": "satisfied / survey_responses: the share of ratings that are 4 or 5 of 5 (满意率 CSAT); read it with "
            "survey_response_rate beside it",
    "survey_response_rate": "survey_responses / survey_offered (参评率)",
}

SERVICE_TARGET_SECONDS = 20.0


@dataclass(frozen=True)
class Summary:
    calls: int
    offered: int
    answered: int
    abandoned: int
    answer_rate: float | None
    abandon_rate: float | None
    asa_seconds: float | None
    longest_wait_seconds: float | None
    self_served: int
    short_abandoned: int
    answered_within_target: int
    service_level: float | None
    survey_offered: int = 0
    survey_responses: int = 0
    satisfied: int = 0
    csat: float | None = None
    survey_response_rate: float | None = None


@dataclass(frozen=True)
class CallLogEntry:
    linkedid: str
    caller_number: str | None
    account_number: str | None
    arrived_at: datetime
    ivr_left_at: datetime | None
    queued_at: datetime | None
    offered_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    agent_id: int | None
    queue: str | None
    ivr_path: str
    outcome: str | None
    offer_count: int
    wait_seconds: float | None
    talk_seconds: float | None
    abandon_stage: str | None = None
    short_abandon: bool = False
    company: str | None = None
    satisfaction: int | None = None  # the caller's post-call survey score, 1-5
    direction: str | None = None  # "outbound": an agent's click-to-call (dialed_number is the customer's)
    dialed_number: str | None = None
    work_order_id: int | None = None
    transfer_count: int = 0
    transferred_to_agent_id: int | None = None  # who took the call by the last transfer
    reconstructed: bool = False  # parts were read back from Asterisk after a fault (its contact.resynced events)


# --- periods -----------------------------------------------------------------------------------------------


def day_bounds(day: date, tz: str = DEFAULT_TIMEZONE) -> tuple[datetime, datetime]:
    """The UTC instants at which the local calendar ``day`` starts and the next one starts."""
    return range_bounds(day, day, tz)


def range_bounds(first: date, last: date, tz: str = DEFAULT_TIMEZONE) -> tuple[datetime, datetime]:
    """The UTC period from the start of local day ``first`` to the end of local day ``last`` (inclusive)."""
    if last < first:
        raise InvalidInput(f"the period ends ({last}) before it starts ({first})")
    zone = _zone(tz)
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def local_date(moment: datetime, tz: str = DEFAULT_TIMEZONE) -> date:
    """The calendar date of ``moment`` in the hotline's time zone ("today" is ``local_date(now)``)."""
    require_aware(moment, "moment")
    return moment.astimezone(_zone(tz)).date()


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {tz!r}") from exc


def _check_period(start: datetime, end: datetime) -> None:
    require_aware(start, "start")
    require_aware(end, "end")
    if end < start:
        raise InvalidInput(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")


# --- summary -----------------------------------------------------------------------------------------------


def summarize(session: Session, start: datetime, end: datetime, *, queue: str | None = None,
              agent_id: int | None = None, service_target_seconds: float = SERVICE_TARGET_SECONDS) -> Summary:
    """The figures of :data:`DEFINITIONS` over contacts with ``start <= arrived_at < end``.

    An abandon is a contact whose outcome is ``abandoned`` (so an outcome that ends the wait otherwise, such
    as a requested callback, never counts as one); the contact record marks the short ones."""
    _check_period(start, end)
    period = _filters(start, end, queue=queue, agent_id=agent_id)
    offered_c = Contact.queued_at.is_not(None)
    answered_c = and_(offered_c, Contact.answered_at.is_not(None))
    gave_up_c = and_(offered_c, Contact.answered_at.is_(None), Contact.outcome == ABANDONED)
    abandoned_c = and_(gave_up_c, Contact.short_abandon.is_(False))
    short_c = and_(gave_up_c, Contact.short_abandon.is_(True))
    self_served_c = and_(Contact.queued_at.is_(None), Contact.outcome == SELF_SERVICE)
    surveyed_c = Contact.linkedid.in_(select(ContactEvent.linkedid).where(
        ContactEvent.type == SurveyOffered.wire_type))
    rated_c = Contact.satisfaction.is_not(None)
    dialect = session.get_bind().dialect.name
    wait = seconds_between(dialect, func.coalesce(Contact.answered_at, Contact.ended_at), Contact.queued_at)
    answer_speed = seconds_between(dialect, Contact.answered_at, Contact.queued_at)
    # Half a millisecond of slack: SQLite's date arithmetic is exact to the millisecond only.
    within_c = and_(answered_c, answer_speed <= service_target_seconds + 0.0005)
    query = select(
        func.count(case((inbound(), 1))),
        func.count(case((offered_c, 1))),
        func.count(case((answered_c, 1))),
        func.count(case((abandoned_c, 1))),
        func.count(case((short_c, 1))),
        func.count(case((within_c, 1))),
        func.count(case((self_served_c, 1))),
        func.avg(case((answered_c, answer_speed))),
        func.max(case((offered_c, wait))),
        func.count(case((surveyed_c, 1))),
        func.count(case((rated_c, 1))),
        func.count(case((and_(rated_c, Contact.satisfaction >= 4), 1))),
    ).where(*period)
    (calls, offered, answered, abandoned, short, within, self_served, asa, longest, surveyed, rated,
     satisfied) = session.execute(query).one()
    counted = offered - short
    summary = Summary(
        calls=calls, offered=offered, answered=answered, abandoned=abandoned,
        answer_rate=ratio(answered, counted), abandon_rate=ratio(abandoned, counted),
        asa_seconds=rounded_seconds(asa), longest_wait_seconds=rounded_seconds(longest), self_served=self_served,
        short_abandoned=short, answered_within_target=within,
        service_level=ratio(within, answered + abandoned),
        survey_offered=surveyed, survey_responses=rated, satisfied=satisfied, csat=ratio(satisfied, rated),
        survey_response_rate=ratio(rated, surveyed),
    )
    logger.debug("summary %s..%s queue=%s agent=%s: %s", start, end, queue, agent_id, summary)
    return summary


def inbound(contact: type[Contact] | AliasedClass[Contact] = Contact) -> ColumnElement[bool]:
    """Calls that came in (every call but those agents placed from the console); ``contact``: the table or an
    alias of it (the metrics' test for a repeat call)."""
    return or_(contact.direction.is_(None), contact.direction != OUTBOUND)


def _filters(start: datetime, end: datetime, *, queue: str | None,
             agent_id: int | None) -> list[ColumnElement[bool]]:
    conditions = [Contact.arrived_at >= start, Contact.arrived_at < end]
    if queue is not None:
        conditions.append(Contact.queue == queue)
    if agent_id is not None:
        conditions.append(Contact.agent_id == agent_id)
    return conditions


# --- call log ----------------------------------------------------------------------------------------------


def call_log(session: Session, start: datetime, end: datetime, *, limit: int = 100, offset: int = 0,
             agent_id: int | None = None, queue: str | None = None) -> list[CallLogEntry]:
    """One page of the calls that arrived in the period, newest first."""
    _check_period(start, end)
    if not 1 <= limit <= MAX_LOG_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LOG_LIMIT}, not {limit}")
    if offset < 0:
        raise InvalidInput(f"offset must not be negative, not {offset}")
    query = (
        select(Contact)
        .where(*_filters(start, end, queue=queue, agent_id=agent_id))
        .order_by(Contact.arrived_at.desc(), Contact.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_entry(contact) for contact in session.scalars(query)]


def call_wait_seconds(call: Any) -> float | None:
    """The caller's wait in the call log: the stored wait, else queued -> answered (or ended, for an abandon).
    ``call`` is a contact row or a row of its columns."""
    if call.wait_seconds is not None:
        return float(call.wait_seconds)
    return _elapsed(call.queued_at, call.answered_at or call.ended_at)


def call_talk_seconds(call: Any) -> float | None:
    """The first agent's talk in the call log: answered -> their leg's end (or the call's end)."""
    return _elapsed(call.answered_at, call.talk_ended_at or call.ended_at)


def _entry(contact: Contact) -> CallLogEntry:
    return CallLogEntry(
        linkedid=contact.linkedid,
        caller_number=contact.caller_number,
        account_number=contact.account_number,
        arrived_at=contact.arrived_at,
        ivr_left_at=contact.ivr_left_at,
        queued_at=contact.queued_at,
        offered_at=contact.offered_at,
        answered_at=contact.answered_at,
        ended_at=contact.ended_at,
        agent_id=contact.agent_id,
        company=contact.company,
        queue=contact.queue,
        ivr_path=contact.ivr_path,
        outcome=contact.outcome,
        offer_count=contact.offer_count,
        wait_seconds=call_wait_seconds(contact),
        talk_seconds=call_talk_seconds(contact),
        abandon_stage=contact.abandon_stage,
        short_abandon=contact.short_abandon,
        satisfaction=contact.satisfaction,
        direction=contact.direction,
        dialed_number=contact.dialed_number,
        work_order_id=contact.work_order_id,
        transfer_count=contact.transfer_count or 0,
        transferred_to_agent_id=contact.transferred_to_agent_id,
        reconstructed=bool(contact.reconstructed),
    )


def _elapsed(earlier: datetime | None, later: datetime | None) -> float | None:
    if earlier is None or later is None:
        return None
    return (later - earlier).total_seconds()
