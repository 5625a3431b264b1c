"""The call figures' tallies from the ``contact`` table (one row per call), per UTC bucket of arrival and group
key, in one query: counts and sums only (see :mod:`reports.metrics`).

After-call work is the contact's ``acw_seconds``, which the agent state log keeps as each wrap-up ends (see
:func:`_acw` for a call without it). First-contact resolution needs the next inbound call on the same
account: one LEAD over the distinct arrivals with an account from the period's start to 7 days after its
end, joined to the calls (no probe per call)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Interval, and_, case, exists, func, literal_column, not_, or_, select
from sqlalchemy.orm import Session, aliased

from acd.models import AgentStateChange
from contacts.models import Contact, ContactEvent, ContactHour
from contacts.record import ABANDONED
from kernel.call_events import DEFLECTED, SELF_SERVICE, SurveyOffered
from kernel.database import UtcDateTime
from reports.arith import seconds_between
from reports.metric_sql import Filters, Group, Window, bucket_number, call_filters, call_key, plain_key
from reports.metrics import KeyedTally, Tally
from reports.report_tallies_store import STORED_TARGET_SECONDS, split, stored_contacts
from reports.summary import inbound

FCR_DAYS = 7
LATE_WRAP_UP = timedelta(days=1)  # how long after the period a wrap-up may still start and be found
COMPLETED_CALLBACK = "connected"
# The half millisecond of slack of summary.py: SQLite's date arithmetic is exact to the millisecond only.
_SLACK = 0.0005
_RESOLVED, _REPEATED, _PENDING = 0, 1, 2



def contact_tallies(session: Session, window: Window, *, group: Group, filters: Filters,
                    target_seconds: float) -> list[KeyedTally]:
    """The call tallies per local period of ``window`` and group key: the settled hours that
    ``contact_hour`` holds read from it (for the default service target), the rest aggregated from the calls."""
    key = call_key(Contact, group)
    live = [window]
    result: list[KeyedTally] = []
    if target_seconds == STORED_TARGET_SECONDS:
        part = split(session, replace(window, now=max(window.end, window.now)), ContactHour.hour_start)
        result += stored_contacts(session, window, part, group=group, filters=filters)
        live = [replace(window, start=start, end=end) for start, end in part.live]
    for piece in live:
        for utc_bucket, keys, tally in contact_query(session, piece, [] if key is None else [key], filters,
                                                     target_seconds):
            result.append((window.periods.local_index(utc_bucket), plain_key(keys[0]) if keys else None, tally))
    return result


def contact_query(session: Session, window: Window, keys: Sequence[ColumnElement[Any]], filters: Filters,
                  target_seconds: float) -> Iterator[tuple[int, tuple[Any, ...], Tally]]:
    """(UTC bucket, values of ``keys``, tally) of the calls that arrived in the window, grouped by both."""
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
    nexts = _next_arrivals(dialect, window)
    fcr = _fcr_state(dialect, answered_c, window.now, nexts)
    bucket = bucket_number(dialect, Contact.arrived_at, size)
    groups: list[Any] = ([bucket] if size else []) + list(keys)
    query = (
        select(
            bucket if size else literal_column("0"),
            *keys,
            func.count(case((fcr.in_((_RESOLVED, _REPEATED)), 1))),
            func.count(case((fcr == _RESOLVED, 1))),
            func.count(case((fcr == _PENDING, 1))),
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
            func.sum(_acw(dialect, window, handled_c)),
            func.count(case((and_(Contact.queued_at.is_(None), Contact.outcome == SELF_SERVICE), 1))),
            func.count(case((Contact.outcome == DEFLECTED, 1))),
            func.count(case((Contact.callback_status.is_not(None), 1))),
            func.count(case((Contact.callback_status == COMPLETED_CALLBACK, 1))),
            func.count(case((surveyed_c, 1))),
            func.count(case((rated_c, 1))),
            func.count(case((and_(rated_c, Contact.satisfaction >= 4), 1))),
        )
        .select_from(Contact)
        .outerjoin(nexts, and_(nexts.c.account == Contact.account_number, nexts.c.at == Contact.arrived_at))
        .where(Contact.arrived_at >= window.start, Contact.arrived_at < window.end, inbound(),
               *call_filters(Contact, filters))
        .group_by(*groups)
    )
    for row in session.execute(query):
        utc_bucket, key_values = row[0], tuple(row[1:1 + len(keys)])
        (fcr_eligible, fcr_resolved, fcr_pending, calls, offered, answered, abandoned,
         short, within, speed_sum, longest, handled, talk_sum, acw_sum, self_served, deflected, requested,
         completed, surveyed, rated, satisfied) = row[1 + len(keys):]
        tally = Tally(
            calls=calls, offered=offered, answered=answered, abandoned=abandoned, short_abandoned=short,
            answered_within_target=within, answer_wait_seconds=_float(speed_sum),
            longest_wait_seconds=None if longest is None else float(longest), handled=handled,
            talk_seconds=_float(talk_sum), acw_seconds=_float(acw_sum), self_served=self_served,
            deflected=deflected, callbacks_requested=requested, callbacks_completed=completed,
            fcr_eligible=fcr_eligible, fcr_resolved=fcr_resolved, fcr_pending=fcr_pending,
            survey_offered=surveyed, survey_responses=rated, satisfied=satisfied)
        yield int(utc_bucket), key_values, tally


def _float(value: Any) -> float:
    return 0.0 if value is None else float(value)


def _next_arrivals(dialect: str, window: Window) -> Any:
    """Per (account, arrival instant) of the inbound calls with an account in ``[start, end + 7 days)``: the
    next later arrival on that account (LEAD over the distinct instants, so a tie is not a repeat), for FCR."""
    arrivals = (select(Contact.account_number.label("account"), Contact.arrived_at.label("at"))
                .where(Contact.arrived_at >= window.start,
                       Contact.arrived_at < window.end + timedelta(days=FCR_DAYS), inbound(),
                       Contact.account_number.is_not(None), Contact.account_number != "")
                .distinct().subquery())
    next_at = func.lead(arrivals.c.at, type_=UtcDateTime()).over(partition_by=arrivals.c.account,
                                                                 order_by=arrivals.c.at)
    return select(arrivals.c.account, arrivals.c.at, next_at.label("next_at")).subquery("next_arrival")


def _fcr_state(dialect: str, answered_c: ColumnElement[bool], now: datetime, nexts: Any) -> ColumnElement[Any]:
    """NULL for calls FCR does not judge; else resolved, repeated, or pending (no repeat, window open)."""
    if dialect == "postgresql":
        within = nexts.c.next_at <= Contact.arrived_at + literal_column(f"INTERVAL '{FCR_DAYS} days'", Interval())
    else:
        within = seconds_between(dialect, nexts.c.next_at, Contact.arrived_at) <= FCR_DAYS * 86400
    repeat = and_(nexts.c.next_at.is_not(None), within)
    judged = and_(answered_c, Contact.account_number.is_not(None), Contact.account_number != "")
    return case((not_(judged), None), (repeat, _REPEATED),
                (Contact.arrived_at > now - timedelta(days=FCR_DAYS), _PENDING), else_=_RESOLVED)


def _acw(dialect: str, window: Window, handled_c: ColumnElement[bool]) -> ColumnElement[Any]:
    """The call's after-call work: ``contact.acw_seconds`` as the state log keeps it; for a handled call
    without it (rows written past :class:`acd.state_log.AgentStateLog`, e.g. imported), read from the log
    (:func:`logged_acw`)."""
    live = logged_acw(dialect, window.start, window.end + LATE_WRAP_UP, Contact.agent_id)
    return case((and_(handled_c, Contact.acw_seconds.is_not(None)), Contact.acw_seconds),
                (handled_c, live))


def logged_acw(dialect: str, start: datetime, horizon: datetime, agent: Any) -> ColumnElement[Any]:
    """The after-call work of ``agent`` (a column of the contact: the answering agent, or the transfer taker)
    for the call, read from the log for that call alone: their wrap-up segments for the linkedid that started
    in ``[start, horizon)`` after the answer and within ``LATE_WRAP_UP`` of the talk's end, each to the
    agent's next change before ``horizon``. A wrap-up still in progress counts 0 (NULL when none)."""
    wrap, following = aliased(AgentStateChange), aliased(AgentStateChange)
    talk_end = func.coalesce(Contact.talk_ended_at, Contact.ended_at, Contact.answered_at)
    if dialect == "postgresql":
        started_soon = wrap.at < talk_end + literal_column(f"INTERVAL '{LATE_WRAP_UP.days} days'", Interval())
    else:
        started_soon = func.julianday(wrap.at) < func.julianday(talk_end) + LATE_WRAP_UP.days
    next_at = (select(func.min(following.at))
               .where(following.agent_id == wrap.agent_id, following.at < horizon,
                      or_(following.at > wrap.at, and_(following.at == wrap.at, following.id > wrap.id)))
               .scalar_subquery())
    return (select(func.sum(seconds_between(dialect, next_at, wrap.at)))
            .where(wrap.agent_id == agent, wrap.linkedid == Contact.linkedid,
                   wrap.to_state == "wrap_up", wrap.at >= Contact.answered_at, wrap.at >= start,
                   wrap.at < horizon, started_soon)
            .scalar_subquery())
