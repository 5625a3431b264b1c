"""The call figures' tallies from the ``contact`` table (one row per call), per UTC bucket of arrival and group
key, in one query: counts and sums only (see :mod:`reports.metrics`).

After-call work comes from the append-only agent state log: the answering agent's ``wrap_up`` segment for
the call (linked by linkedid), from its change to the agent's next change (LEAD over the agent's changes).
First-contact resolution looks for another inbound call on the same account within 7 days after the call
(an EXISTS on the contact(account_number, arrived_at) index); the query groups by its outcome as well, so
each call's test runs once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Interval, and_, case, exists, func, literal_column, not_, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.util import AliasedClass

from acd.models import AgentStateChange
from contacts.agent_call_record import OUTBOUND
from contacts.models import Contact, ContactEvent
from contacts.record import ABANDONED
from kernel.call_events import DEFLECTED, SELF_SERVICE, SurveyOffered
from kernel.database import UtcDateTime
from reports.arith import seconds_between
from reports.metric_sql import Filters, Group, Window, bucket_number, plain_key
from reports.metrics import Tally

FCR_DAYS = 7
LATE_WRAP_UP = timedelta(days=1)  # how long after the period a wrap-up may still start and be found
COMPLETED_CALLBACK = "connected"
# The half millisecond of slack of summary.py: SQLite's date arithmetic is exact to the millisecond only.
_SLACK = 0.0005
_RESOLVED, _REPEATED, _PENDING = 0, 1, 2

KeyedTally = tuple[int, str | None, Tally]  # local period index, group key, tally


def inbound(contact: type[Contact] | AliasedClass[Contact] = Contact) -> ColumnElement[bool]:
    """Calls that came in (every call but those agents placed from the console)."""
    return or_(contact.direction.is_(None), contact.direction != OUTBOUND)


def contact_filters(filters: Filters) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.queue is not None:
        conditions.append(Contact.queue == filters.queue)
    if filters.agent_id is not None:
        conditions.append(Contact.agent_id == filters.agent_id)
    if filters.company is not None:
        conditions.append(Contact.company == filters.company)
    return conditions


def contact_key(group: Group) -> ColumnElement[Any] | None:
    columns: dict[Group, Any] = {"queue": Contact.queue, "agent": Contact.agent_id, "company": Contact.company}
    return columns.get(group)


def contact_tallies(session: Session, window: Window, *, group: Group, filters: Filters,
                    target_seconds: float) -> list[KeyedTally]:
    dialect = session.get_bind().dialect.name
    size = window.periods.utc_seconds
    offered_c = Contact.queued_at.is_not(None)
    answered_c = and_(offered_c, Contact.answered_at.is_not(None))
    gave_up_c = and_(offered_c, Contact.answered_at.is_(None), Contact.outcome == ABANDONED)
    talk_end = func.coalesce(Contact.talk_ended_at, Contact.ended_at)
    handled_c = and_(answered_c, talk_end.is_not(None))
    answer_speed = seconds_between(dialect, Contact.answered_at, Contact.queued_at)
    wait = seconds_between(dialect, func.coalesce(Contact.answered_at, Contact.ended_at), Contact.queued_at)
    rated_c = Contact.satisfaction.is_not(None)
    surveyed_c = exists().where(ContactEvent.linkedid == Contact.linkedid,
                                ContactEvent.type == SurveyOffered.wire_type)
    acw = _wrap_ups(dialect, window, filters)
    fcr = _fcr_state(dialect, answered_c, window.now)
    bucket = bucket_number(dialect, Contact.arrived_at, size)
    key = contact_key(group)
    groups: list[Any] = [literal_column("fcr")] + ([bucket] if size else []) + ([key] if key is not None else [])
    query = (
        select(
            bucket if size else literal_column("0"),
            key if key is not None else literal_column("NULL"),
            fcr.label("fcr"),
            func.count(),
            func.count(case((offered_c, 1))),
            func.count(case((answered_c, 1))),
            func.count(case((and_(gave_up_c, Contact.short_abandon.is_(False)), 1))),
            func.count(case((and_(gave_up_c, Contact.short_abandon.is_(True)), 1))),
            func.count(case((and_(answered_c, answer_speed <= target_seconds + _SLACK), 1))),
            func.sum(case((answered_c, answer_speed))),
            func.max(case((offered_c, wait))),
            func.count(case((handled_c, 1))),
            func.sum(case((handled_c, seconds_between(dialect, talk_end, Contact.answered_at)))),
            func.sum(case((handled_c, acw.c.seconds))),
            func.count(case((and_(Contact.queued_at.is_(None), Contact.outcome == SELF_SERVICE), 1))),
            func.count(case((Contact.outcome == DEFLECTED, 1))),
            func.count(case((Contact.callback_status.is_not(None), 1))),
            func.count(case((Contact.callback_status == COMPLETED_CALLBACK, 1))),
            func.count(case((surveyed_c, 1))),
            func.count(case((rated_c, 1))),
            func.count(case((and_(rated_c, Contact.satisfaction >= 4), 1))),
        )
        .select_from(Contact)
        .outerjoin(acw, and_(acw.c.linkedid == Contact.linkedid, acw.c.agent_id == Contact.agent_id))
        .where(Contact.arrived_at >= window.start, Contact.arrived_at < window.end, inbound(),
               *contact_filters(filters))
        .group_by(*groups)
    )
    result = []
    for row in session.execute(query):
        (utc_bucket, key_value, fcr_state, calls, offered, answered, abandoned, short, within, speed_sum, longest,
         handled, talk_sum, acw_sum, self_served, deflected, requested, completed, surveyed, rated,
         satisfied) = row
        tally = Tally(
            calls=calls, offered=offered, answered=answered, abandoned=abandoned, short_abandoned=short,
            answered_within_target=within, answer_wait_seconds=_float(speed_sum),
            longest_wait_seconds=None if longest is None else float(longest), handled=handled,
            talk_seconds=_float(talk_sum), acw_seconds=_float(acw_sum), self_served=self_served,
            deflected=deflected, callbacks_requested=requested, callbacks_completed=completed,
            fcr_eligible=_count_if(fcr_state, calls, (_RESOLVED, _REPEATED)),
            fcr_resolved=_count_if(fcr_state, calls, (_RESOLVED,)),
            fcr_pending=_count_if(fcr_state, calls, (_PENDING,)),
            survey_offered=surveyed, survey_responses=rated, satisfied=satisfied)
        result.append((window.periods.local_index(int(utc_bucket)), plain_key(key_value), tally))
    return result


def _count_if(state: int | None, calls: int, counted: tuple[int, ...]) -> int:
    return calls if state in counted else 0


def _float(value: Any) -> float:
    return 0.0 if value is None else float(value)


def _fcr_state(dialect: str, answered_c: ColumnElement[bool], now: datetime) -> ColumnElement[Any]:
    """NULL for calls FCR does not judge; else resolved, repeated, or pending (no repeat, window open)."""
    later = aliased(Contact)
    if dialect == "postgresql":  # an interval keeps the index range on both ends
        within = later.arrived_at <= Contact.arrived_at + literal_column(f"INTERVAL '{FCR_DAYS} days'", Interval())
    else:
        within = seconds_between(dialect, later.arrived_at, Contact.arrived_at) <= FCR_DAYS * 86400
    repeat = exists().where(later.account_number == Contact.account_number, later.arrived_at > Contact.arrived_at,
                            within, inbound(later))
    judged = and_(answered_c, Contact.account_number.is_not(None), Contact.account_number != "")
    return case((not_(judged), None), (repeat, _REPEATED),
                (Contact.arrived_at > now - timedelta(days=FCR_DAYS), _PENDING), else_=_RESOLVED)


def _wrap_ups(dialect: str, window: Window, filters: Filters) -> Any:
    """Seconds of wrap-up per (linkedid, agent): each wrap-up change to the agent's next change."""
    change = AgentStateChange
    next_at = func.lead(change.at, type_=UtcDateTime()).over(partition_by=change.agent_id,
                                                              order_by=(change.at, change.id))
    conditions = [change.at >= window.start, change.at < window.end + LATE_WRAP_UP]
    if filters.agent_id is not None:
        conditions.append(change.agent_id == filters.agent_id)
    segments = (select(change.linkedid, change.agent_id, change.to_state, change.at, next_at.label("next_at"))
                .where(*conditions).subquery())
    seconds = func.sum(seconds_between(dialect, segments.c.next_at, segments.c.at))
    return (select(segments.c.linkedid, segments.c.agent_id, seconds.label("seconds"))
            .where(segments.c.to_state == "wrap_up", segments.c.linkedid.is_not(None))
            .group_by(segments.c.linkedid, segments.c.agent_id).subquery())
