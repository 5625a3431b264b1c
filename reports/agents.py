"""The agent report: per agent over a period, time in each state, calls handled, handle time, work orders and
satisfaction, each figure defined in :data:`DEFINITIONS` (shown next to it, as :mod:`reports.summary` does).

Time in state comes from the agent state timelines (:mod:`reports.agent_timeline`), calls from the ``contact``
records (counted, like every call figure, in the period their call arrived), after-call work from the
wrap-up stretches of ``agent_state_change`` tied to each call by its linkedid, work orders and callbacks from
their own tables. Rows list every active agent-role user (even with nothing to show) and any other user who
was logged in or handled calls in the period (a supervisor taking calls), by user id.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from acd.agents import AgentState
from acd.models import AgentStateChange
from agent_console.models import User
from contacts.agent_call_record import OUTBOUND
from contacts.models import Contact, ContactEvent
from kernel.call_events import AgentLegEnded
from kernel.database import UtcDateTime
from kernel.errors import InvalidInput
from reports.agent_timeline import LOGGED_OUT, _last_change_times, seconds_by_state, segments, state_changes
from reports.arith import mean_seconds, ratio, seconds_between
from reports.contact_tallies import logged_acw
from reports.metric_periods import Bucketing, LocalBucket
from reports.metric_sql import Window, tune_for_reports
from reports.step_tallies import LOOKBACK, agent_state_seconds
from reports.summary import inbound
from work_orders.models import Callback, WorkOrder

logger = logging.getLogger(__name__)

_S = AgentState
OCCUPIED = (_S.ON_CALL.value, _S.WRAP_UP.value, _S.DIALING.value)
AVAILABLE = (_S.READY.value, _S.OFFERED.value)
# A call's wrap-up is looked for up to this long after the period (a call that arrived just before its end).
WRAP_UP_LOOKAHEAD = timedelta(days=1)

DEFINITIONS: dict[str, str] = {
    "seconds_by_state": "seconds in each agent state within the period (and until now for today), from the "
                        "append-only state log; the state at the period's start is the last change before it "
                        "(各状态时长)",
    "logged_in_seconds": "seconds logged in: the sum of seconds_by_state, logged out excluded (登录时长)",
    "occupancy": "(on_call + wrap_up + dialing) / (on_call + wrap_up + dialing + ready + offered) seconds; "
                 "not ready and supervising are neither (占用率)",
    "handled": "inbound calls the agent answered first, plus those they took by transfer (transfers_taken); "
               "a call counts in the period it arrived (处理来电)",
    "transfers_taken": "inbound calls the agent took by transfer (the last transfer of a call) (转接接听)",
    "outbound_calls": "calls the agent placed from the console, connected or not (外呼)",
    "talk_seconds": "mean talk per handled call: answered → the first agent's leg ended (or the call ended), "
                    "and for a transfer taker transfer answered → their leg ended (or the call ended), so a "
                    "transfer is never counted twice nor the caller's survey counted as talk (平均通话时长)",
    "acw_seconds": "mean after-call work per handled call: the agent's wrap-up time logged with the call's "
                   "linkedid, extensions included (平均话后处理时长)",
    "aht_seconds": "(talk + after-call work) / handled; hold is 0, the console has no hold (平均处理时长 AHT)",
    "orders_owned": "work orders the agent owns now that are not closed (当前持有工单)",
    "orders_opened": "work orders created in the period whose first owner, the agent who took the call, is "
                     "the agent (首问负责制, 受理工单)",
    "orders_closed": "work orders closed in the period while the agent owned them (办结工单)",
    "orders_overdue": "work orders the agent owns now, not closed, past their time limit (超时工单)",
    "survey_responses": "post-call survey ratings (1-5) of the calls the agent finished (the transfer taker, "
                        "else the agent who answered) (参评数)",
    "csat": "share of those ratings that are 4 or 5 (满意率 CSAT)",
    "callback_satisfaction_rate": "closing callbacks (回访) the agent owned that reached the customer in the "
                                  "period and were rated 4 or 5, over those reached (回访满意率)",
}


@dataclass(frozen=True)
class AgentRow:
    agent_id: int
    name: str
    seconds_by_state: Mapping[str, float]
    logged_in_seconds: float
    occupancy: float | None
    handled: int
    transfers_taken: int
    outbound_calls: int
    talk_seconds: float | None
    acw_seconds: float | None
    aht_seconds: float | None
    orders_owned: int
    orders_opened: int
    orders_closed: int
    orders_overdue: int
    survey_responses: int
    csat: float | None
    callback_satisfaction_rate: float | None


Counts = dict[int, tuple[Any, ...]]


def occupancy(by_state: Mapping[str, float]) -> float | None:
    """Busy time over busy and available time (:data:`DEFINITIONS`)."""
    busy = sum(by_state.get(state, 0.0) for state in OCCUPIED)
    return ratio(busy, busy + sum(by_state.get(state, 0.0) for state in AVAILABLE))


def agent_report(session: Session, start: datetime, end: datetime, *, now: datetime) -> list[AgentRow]:
    """One :class:`AgentRow` per agent over ``[start, end)``; ``now`` closes open states and calls and dates
    the work-order snapshot (owned, overdue)."""
    if end < start:
        raise InvalidInput(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    tune_for_reports(session)
    users = session.execute(select(User.id, User.display_name, User.role, User.active, User.created_at)
                            .order_by(User.id)).all()
    states = _state_seconds(session, start, end, now, [user.id for user in users])
    calls = _call_figures(session, start, end, now)
    orders = _order_figures(session, start, end, now)
    callbacks = _grouped(session, Callback.owner_id, [
        func.count(), func.count(case((Callback.satisfaction >= 4, 1)))],
        Callback.kind == "closing", Callback.outcome == "reached", Callback.done_at >= start, Callback.done_at < end)
    rows: list[AgentRow] = []
    for user in users:
        by_state = states.get(user.id) or seconds_by_state(())
        active_agent = user.role == "agent" and user.active and user.created_at < end
        if not (active_agent or any(by_state.values()) or user.id in calls):
            continue
        handled, taken, outbound, talk, acw, rated, satisfied = calls.get(user.id, (0, 0, 0, 0.0, 0.0, 0, 0))
        owned, opened, closed, overdue = orders.get(user.id, (0, 0, 0, 0))
        reached, pleased = callbacks.get(user.id, (0, 0))
        rows.append(AgentRow(
            agent_id=user.id, name=user.display_name, seconds_by_state=by_state,
            logged_in_seconds=round(sum(by_state.values()), 3), occupancy=occupancy(by_state),
            handled=handled, transfers_taken=taken, outbound_calls=outbound,
            talk_seconds=mean_seconds(talk, handled), acw_seconds=mean_seconds(acw, handled),
            aht_seconds=mean_seconds(talk + acw, handled),
            orders_owned=owned, orders_opened=opened, orders_closed=closed, orders_overdue=overdue,
            survey_responses=rated, csat=ratio(satisfied, rated), callback_satisfaction_rate=ratio(pleased, reached)))
    logger.debug("agent report %s..%s: %d agents", start, end, len(rows))
    return rows



def _grouped(session: Session, key: Any, figures: list[ColumnElement[Any]], *where: ColumnElement[bool]) -> Counts:
    query = select(key, *figures).where(key.is_not(None), *where).group_by(key)
    return {row[0]: tuple(row[1:]) for row in session.execute(query)}


# --- time in state -----------------------------------------------------------------------------------------


def _state_seconds(session: Session, start: datetime, end: datetime, now: datetime,
                   agent_ids: list[int]) -> dict[int, dict[str, float]]:
    """Per agent: seconds in each logged-in state over ``[start, min(end, now))``, the settled hours from
    ``agent_state_hour`` and the rest live from the log (:func:`reports.step_tallies.agent_state_seconds`).
    That pass sees the state at a range's start only if it was set within its ``LOOKBACK``: an agent whose
    state at the period's start is older than that (rare: a state left a day and more) is counted from their
    own changes instead (:mod:`reports.agent_timeline`, whose lookup goes back as far as needed)."""
    window = Window(start=start, end=end, now=now, periods=Bucketing((LocalBucket("total", start, end),), None))
    found: dict[int, dict[str, float]] = {}
    for (_, agent, state), seconds in agent_state_seconds(session, window, by_agent=True, agent_id=None).items():
        if state != LOGGED_OUT and agent is not None:
            by_state = found.setdefault(int(agent), {})
            by_state[state] = by_state.get(state, 0.0) + seconds
    totals = {agent: _rounded(by_state) for agent, by_state in found.items()}
    held = [and_(AgentStateChange.agent_id == agent, AgentStateChange.at == at)
             for agent, at in _last_change_times(session, start, agent_ids).items() if at < start - LOOKBACK]
    stale: list[int] = []
    if held:  # only those logged in then: a logged-out state counts nothing either way
        query = (select(AgentStateChange.agent_id, AgentStateChange.to_state).where(or_(*held))
                 .order_by(AgentStateChange.at, AgentStateChange.id))
        last_states: dict[int, str] = {agent: state for agent, state in session.execute(query)}  # later wins
        stale = [agent for agent, state in last_states.items() if state != LOGGED_OUT]
    if stale:
        changes = state_changes(session, start, end, stale)
        for agent in stale:
            totals[agent] = seconds_by_state(segments(changes.get(agent, ()), start, end, now))
    return totals


def _rounded(by_state: Mapping[str, float]) -> dict[str, float]:
    """The state seconds as :func:`reports.agent_timeline.seconds_by_state` gives them (every state, rounded)."""
    zeros = seconds_by_state(())
    return {state: round(by_state.get(state, 0.0), 3) for state in zeros}


# --- calls -------------------------------------------------------------------------------------------------


def _call_figures(session: Session, start: datetime, end: datetime, now: datetime) -> Counts:
    """Per agent: (handled, transfers taken, outbound calls, talk seconds, after-call work seconds, survey
    ratings, ratings of 4-5), agents with no call left out. One pass over the period's calls grouped by
    (answering agent, transfer taker), folded per agent here; after-call work is ``contact.acw_seconds`` for
    the answering agent (the log when it is missing, :func:`reports.contact_tallies.logged_acw`), the log for
    the transfer taker, plus a wrap-up still in progress (:func:`_open_wrap_ups`)."""
    dialect = session.get_bind().dialect.name
    at_now = literal(now, UtcDateTime())
    horizon = end + WRAP_UP_LOOKAHEAD
    answered = and_(inbound(), Contact.answered_at.is_not(None))
    took_transfer = and_(inbound(), Contact.transferred_to_agent_id.is_not(None),
                         Contact.transfer_answered_at.is_not(None))
    rated = and_(answered, Contact.satisfaction.is_not(None))
    pleased = and_(rated, Contact.satisfaction >= 4)
    first_talk = seconds_between(dialect, func.coalesce(Contact.talk_ended_at, Contact.ended_at, at_now),
                                 Contact.answered_at)
    taker_talk = seconds_between(dialect, func.coalesce(_taker_leg_ended(), Contact.ended_at, at_now),
                                 Contact.transfer_answered_at)
    first_acw = func.coalesce(Contact.acw_seconds, logged_acw(dialect, start, horizon, Contact.agent_id))
    taker_acw = logged_acw(dialect, start, horizon, Contact.transferred_to_agent_id)
    query = (select(Contact.agent_id, Contact.transferred_to_agent_id,
                    func.count(case((and_(answered, Contact.agent_id.is_not(None)), 1))),
                    func.sum(case((and_(answered, Contact.agent_id.is_not(None)), first_talk))),
                    func.sum(case((and_(answered, Contact.agent_id.is_not(None)), first_acw))),
                    func.count(case((took_transfer, 1))), func.sum(case((took_transfer, taker_talk))),
                    func.sum(case((took_transfer, taker_acw))),
                    func.count(case((and_(Contact.direction == OUTBOUND, Contact.agent_id.is_not(None)), 1))),
                    func.count(case((and_(rated, not_(took_transfer)), 1))),
                    func.count(case((and_(pleased, not_(took_transfer)), 1))),
                    func.count(case((and_(rated, took_transfer), 1))),
                    func.count(case((and_(pleased, took_transfer), 1))))
             .where(Contact.arrived_at >= start, Contact.arrived_at < end)
             # the taker first: no index is in that order, so the planner takes the range of arrived_at (with
             # the answering agent first it read all of (agent_id, arrived_at) in order: 10x slower)
             .group_by(Contact.transferred_to_agent_id, Contact.agent_id))
    sums: dict[int, list[float]] = {}

    def add(agent: int | None, *values: Any) -> None:
        if agent is None or not any(values):
            return
        slot = sums.setdefault(agent, [0.0] * 7)  # handled, taken, outbound, talk, acw, rated, satisfied
        for index, value in enumerate(values):
            slot[index] += float(value or 0)

    for (agent, taker, n_first, talk_first, acw_first, n_taken, talk_taken, acw_taken, n_out, rated_first,
         pleased_first, rated_taker, pleased_taker) in session.execute(query):
        add(agent, n_first, 0, n_out, talk_first, acw_first, rated_first, pleased_first)
        add(taker, n_taken, n_taken, 0, talk_taken, acw_taken, rated_taker, pleased_taker)
    for agent, seconds in _open_wrap_ups(session, start, end, now).items():
        add(agent, 0, 0, 0, 0, seconds, 0, 0)
    return {agent: (int(v[0]), int(v[1]), int(v[2]), v[3], v[4], int(v[5]), int(v[6])) for agent, v in sums.items()}


def _open_wrap_ups(session: Session, start: datetime, end: datetime, now: datetime) -> dict[int, float]:
    """Per agent: the seconds until now of a wrap-up still in progress (their last change from the period's
    start to :data:`WRAP_UP_LOOKAHEAD` after its end), for a call of the period they handled. One probe of the
    index on (agent_id, at) per user, then those rows and their calls."""
    log = AgentStateChange
    latest = (select(func.max(log.at))
              .where(log.agent_id == User.id, log.at >= start, log.at < end + WRAP_UP_LOOKAHEAD)
              .correlate(User).scalar_subquery())
    lasts = [and_(log.agent_id == agent, log.at == at)
             for agent, at in session.execute(select(User.id, latest)) if at is not None]
    if not lasts:
        return {}
    last: dict[int, tuple[str, str | None, datetime]] = {}
    for agent, to_state, linkedid, at in session.execute(select(log.agent_id, log.to_state, log.linkedid, log.at)
                                                         .where(or_(*lasts)).order_by(log.at, log.id)):
        last[agent] = (to_state, linkedid, at)  # ties: the later row wins, as in the log's order
    open_ = {linkedid: (agent, at) for agent, (state, linkedid, at) in last.items()
             if state == _S.WRAP_UP.value and linkedid}
    if not open_:
        return {}
    query = (select(Contact.linkedid, Contact.agent_id, Contact.answered_at, Contact.transferred_to_agent_id,
                    Contact.transfer_answered_at)
             .where(Contact.linkedid.in_(open_), Contact.arrived_at >= start, Contact.arrived_at < end, inbound()))
    seconds: dict[int, float] = {}
    for linkedid, first, answered_at, taker, taken_at in session.execute(query):
        agent, at = open_[linkedid]
        if (agent == first and answered_at is not None) or (agent == taker and taken_at is not None):
            seconds[agent] = seconds.get(agent, 0.0) + (now - at).total_seconds()
    return seconds


def _taker_leg_ended() -> ColumnElement[Any]:
    """When the transfer taker's seat hung up: the first ``agent.leg_ended`` of another seat than the first
    agent's after the transfer was answered (the contact row keeps only the first agent's), so a survey the
    caller answers afterwards is not talk."""
    return (select(func.min(ContactEvent.at))
            .where(ContactEvent.linkedid == Contact.linkedid, ContactEvent.type == AgentLegEnded.wire_type,
                   ContactEvent.at >= Contact.transfer_answered_at,
                   ContactEvent.data["seat"].as_string() != func.coalesce(Contact.seat, ""))
            .correlate(Contact).scalar_subquery())


# --- work orders -------------------------------------------------------------------------------------------


def _order_figures(session: Session, start: datetime, end: datetime, now: datetime) -> Counts:
    """Per user: (owned and open now, opened in the period as first owner, closed in the period, overdue now)."""
    # status != 'closed' as two ranges of the index on (status, due_at): the few open orders, not a scan
    still_open = or_(WorkOrder.status < "closed", WorkOrder.status > "closed")
    owned = _grouped(session, WorkOrder.owner_id, [
        func.count(), func.count(case((WorkOrder.due_at < now, 1)))], still_open)
    opened = _grouped(session, WorkOrder.first_owner_id, [func.count()],
                      WorkOrder.created_at >= start, WorkOrder.created_at < end)
    closed = _grouped(session, WorkOrder.owner_id, [func.count()], WorkOrder.status == "closed",
                      WorkOrder.closed_at >= start, WorkOrder.closed_at < end)
    figures: Counts = {}
    for user in set(owned) | set(opened) | set(closed):
        holding, overdue = owned.get(user, (0, 0))
        figures[user] = (holding, opened.get(user, (0,))[0], closed.get(user, (0,))[0], overdue)
    return figures
