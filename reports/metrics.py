"""The hotline's metrics: additive tallies in, derived figures (with their rates) out. Pure: no I/O.

The database returns a :class:`Tally` per UTC bucket and group key: counts, sums of seconds and maxima only,
so that tallies of any buckets add up (:meth:`Tally.__add__`) to the tally of their union. Every mean and
rate is derived afterwards by :func:`derive`, from the summed tally of a local period, never averaged from
finer rates. Each figure's definition, with the trade's Chinese term, is in :data:`DEFINITIONS`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any, TypeVar

from reports.arith import mean_seconds, ratio, rounded_seconds

MAXIMA = frozenset({"longest_wait_seconds", "trunk_peak_lines"})
_ERLANG_DIGITS = 4


@dataclass(frozen=True)
class Tally:
    """Additive aggregates of one bucket: counts, sums of seconds (``*_seconds``) and maxima (:data:`MAXIMA`)."""

    calls: int = 0
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    answered_within_target: int = 0
    answer_wait_seconds: float = 0.0  # sum over answered calls of (answered − queued)
    longest_wait_seconds: float | None = None
    handled: int = 0
    talk_seconds: float = 0.0
    acw_seconds: float = 0.0
    self_served: int = 0
    deflected: int = 0
    callbacks_requested: int = 0
    callbacks_completed: int = 0
    fcr_eligible: int = 0
    fcr_resolved: int = 0
    fcr_pending: int = 0
    survey_offered: int = 0
    survey_responses: int = 0
    satisfied: int = 0
    handle_state_seconds: float = 0.0  # agents on a call, in wrap-up or dialing out
    available_state_seconds: float = 0.0  # agents ready or being offered a call
    orders_opened: int = 0
    orders_closed: int = 0
    orders_settled: int = 0
    orders_on_time: int = 0
    callbacks_reached: int = 0
    callbacks_satisfied: int = 0
    trunk_line_seconds: float = 0.0
    trunk_peak_lines: int | None = None
    all_lines_busy: int = 0

    def __add__(self, other: Tally) -> Tally:
        values: dict[str, Any] = {}
        for field in fields(self):
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if field.name in MAXIMA:
                values[field.name] = theirs if mine is None else mine if theirs is None else max(mine, theirs)
            else:
                values[field.name] = mine + theirs
        return Tally(**values)

    def is_empty(self) -> bool:
        """Nothing counted: every count, sum and maximum is zero or unknown."""
        return not any(getattr(self, field.name) for field in fields(self))


KeyedTally = tuple[int, str | None, "Tally"]  # local period index, group key, tally

K = TypeVar("K", bound=Hashable)
_NAMES = tuple(field.name for field in fields(Tally))
_VALUES = attrgetter(*_NAMES)
_SUMMED = tuple(index for index, name in enumerate(_NAMES) if name not in MAXIMA)
_MAXED = tuple(index for index, name in enumerate(_NAMES) if name in MAXIMA)


def sum_by_key(pairs: Iterable[tuple[K, Tally]]) -> dict[K, Tally]:
    """The tallies summed per key, as ``+`` would, in place: a month by the hour adds some ten thousand
    tallies, and a frozen Tally per addition cost more time than the report's queries."""
    slots: dict[K, list[Any]] = {}
    for key, tally in pairs:
        values = list(_VALUES(tally))
        slot = slots.get(key)
        if slot is None:
            slots[key] = values
            continue
        for index in _SUMMED:
            slot[index] += values[index]
        for index in _MAXED:
            theirs = values[index]
            if theirs is not None and (slot[index] is None or theirs > slot[index]):
                slot[index] = theirs
    return {key: Tally(*slot) for key, slot in slots.items()}


@dataclass(frozen=True)
class Figures:
    calls: int
    offered: int
    answered: int
    answer_rate: float | None
    abandoned: int
    short_abandoned: int
    abandon_rate: float | None
    answered_within_target: int
    service_level: float | None
    asa_seconds: float | None
    longest_wait_seconds: float | None
    handled: int
    talk_seconds: float | None
    hold_seconds: float | None
    acw_seconds: float | None
    aht_seconds: float | None
    occupancy: float | None
    self_served: int
    self_service_rate: float | None
    deflected: int
    callbacks_requested: int
    callbacks_completed: int
    fcr_eligible: int
    fcr_resolved: int
    fcr_pending: int
    fcr_rate: float | None
    survey_offered: int
    survey_responses: int
    satisfied: int
    csat: float | None
    survey_response_rate: float | None
    orders_opened: int
    orders_closed: int
    closure_rate: float | None
    orders_settled: int
    orders_on_time: int
    timely_rate: float | None
    callbacks_reached: int
    callbacks_satisfied: int
    callback_satisfaction_rate: float | None
    trunk_peak_lines: int | None
    trunk_carried_erlangs: float | None
    all_lines_busy: int | None


def derive(t: Tally, *, occupancy: bool, trunk: bool, span_seconds: float = 0.0) -> Figures:
    """The figures of a summed tally. ``occupancy``/``trunk``: whether those figures make sense for the
    grouping (they are None otherwise); ``span_seconds``: the time the trunk was observed in the period."""
    counted = t.offered - t.short_abandoned
    handled = t.handled
    return Figures(
        calls=t.calls, offered=t.offered, answered=t.answered, answer_rate=ratio(t.answered, counted),
        abandoned=t.abandoned, short_abandoned=t.short_abandoned, abandon_rate=ratio(t.abandoned, counted),
        answered_within_target=t.answered_within_target,
        service_level=ratio(t.answered_within_target, t.answered + t.abandoned),
        asa_seconds=mean_seconds(t.answer_wait_seconds, t.answered),
        longest_wait_seconds=rounded_seconds(t.longest_wait_seconds),
        handled=handled, talk_seconds=mean_seconds(t.talk_seconds, handled),
        hold_seconds=mean_seconds(0.0, handled), acw_seconds=mean_seconds(t.acw_seconds, handled),
        aht_seconds=mean_seconds(t.talk_seconds + t.acw_seconds, handled),
        occupancy=ratio(t.handle_state_seconds, t.handle_state_seconds + t.available_state_seconds)
        if occupancy else None,
        self_served=t.self_served, self_service_rate=ratio(t.self_served, t.calls), deflected=t.deflected,
        callbacks_requested=t.callbacks_requested, callbacks_completed=t.callbacks_completed,
        fcr_eligible=t.fcr_eligible, fcr_resolved=t.fcr_resolved, fcr_pending=t.fcr_pending,
        fcr_rate=ratio(t.fcr_resolved, t.fcr_eligible),
        survey_offered=t.survey_offered, survey_responses=t.survey_responses, satisfied=t.satisfied,
        csat=ratio(t.satisfied, t.survey_responses), survey_response_rate=ratio(t.survey_responses, t.survey_offered),
        orders_opened=t.orders_opened, orders_closed=t.orders_closed,
        closure_rate=ratio(t.orders_closed, t.orders_opened), orders_settled=t.orders_settled,
        orders_on_time=t.orders_on_time, timely_rate=ratio(t.orders_on_time, t.orders_settled),
        callbacks_reached=t.callbacks_reached, callbacks_satisfied=t.callbacks_satisfied,
        callback_satisfaction_rate=ratio(t.callbacks_satisfied, t.callbacks_reached),
        trunk_peak_lines=(t.trunk_peak_lines or 0) if trunk and span_seconds > 0 else None,
        trunk_carried_erlangs=round(t.trunk_line_seconds / span_seconds, _ERLANG_DIGITS)
        if trunk and span_seconds > 0 else None,
        all_lines_busy=t.all_lines_busy if trunk else None,
    )



DEFINITIONS: dict[str, str] = {
    "calls": "all calls that arrived in the period (来电总数); calls agents placed (outbound) are not counted, "
             "here or in any call figure",
    "offered": "calls that reached an agent queue (进入人工队列)",
    "answered": "queued calls connected to an agent, counted once however often transferred (人工接通)",
    "answer_rate": "answered / (offered − short_abandoned) (人工接通率)",
    "abandoned": "queued calls that hung up, while waiting or while a seat rang, before an agent answered, "
                 "short abandons excepted; a caller who chose a queue callback is not one (排队放弃)",
    "short_abandoned": "queued calls that hung up within the short-abandon threshold (acd.short_abandon_seconds, "
                       "5 s by default) of queuing: kept apart and left out of every rate (短时放弃)",
    "abandon_rate": "abandoned / (offered − short_abandoned) (放弃率)",
    "answered_within_target": "answered calls whose wait (answered − queued) was at most the service target, "
                              "target_seconds, 20 s by default (目标时间内接通)",
    "service_level": "answered_within_target / (answered + abandoned), short abandons excluded: the Genesys "
                     "form, target 20 s by default (服务水平)",
    "asa_seconds": "mean of (answered − queued) over answered calls, in seconds (平均应答速度 ASA)",
    "longest_wait_seconds": "longest time in queue, (answered, or else ended) − queued, over offered calls, "
                            "in seconds (最长等待时间)",
    "handled": "answered calls whose first agent's leg has ended (处理量)",
    "talk_seconds": "mean talk time per handled call: answered → the first agent's leg ended (or the call "
                    "ended); a transfer never lengthens it (平均通话时长)",
    "hold_seconds": "mean hold time per handled call: always 0, the console has no hold (平均保持时长)",
    "acw_seconds": "mean after-call work per handled call: the answering agent's wrap-up state for the call, "
                   "from its start to the agent's next state change, in the agent state log; a wrap-up still "
                   "in progress counts 0 (平均话后处理时长)",
    "aht_seconds": "(talk + hold + after-call work) / handled (平均处理时长 AHT)",
    "occupancy": "agents' handle time (on a call, in wrap-up, dialing out) / (handle time + time ready or "
                 "being offered a call), from the agent state log, per agent or over all agents; null per "
                 "queue or company (坐席占用率)",
    "self_served": "calls that never queued and were served by the IVR alone (IVR自助服务)",
    "self_service_rate": "self_served / calls (自助服务率)",
    "deflected": "calls that hung up after an outage notice: the notice answered them (停水公告分流)",
    "callbacks_requested": "calls whose caller chose a queue callback instead of waiting (预约回呼)",
    "callbacks_completed": "requested queue callbacks that connected the customer (回呼成功)",
    "fcr_eligible": "answered calls with an account number whose 7-day window has closed, or that already "
                    "have a repeat (首次解决统计基数)",
    "fcr_resolved": "eligible calls with no other inbound call on the same account (户号) within 7 days after "
                    "them (首次解决)",
    "fcr_pending": "answered calls with an account, no repeat yet, whose 7 days have not passed: left out of "
                   "the rate until they have (待定)",
    "fcr_rate": "fcr_resolved / fcr_eligible (首次解决率 FCR)",
    "survey_offered": "calls whose caller was asked the post-call survey after the agent hung up (邀评)",
    "survey_responses": "calls rated 1-5 in the post-call survey (参评)",
    "satisfied": "calls rated 4 or 5 (满意)",
    "csat": "satisfied / survey_responses: the share of ratings that are 4 or 5 of 5 (满意率 CSAT); read it with "
            "survey_response_rate beside it",
    "survey_response_rate": "survey_responses / survey_offered (参评率)",
    "orders_opened": "work orders created in the period: the cohort the next figures follow; per agent by the "
                     "first owner (首问负责制), per queue or company by the order's call (工单受理量)",
    "orders_closed": "orders of the cohort closed by now (办结量)",
    "closure_rate": "orders_closed / orders_opened (办结率)",
    "orders_settled": "orders of the cohort closed, or still open past their time limit (due_at) by now "
                      "(应办结量)",
    "orders_on_time": "orders of the cohort closed by their time limit (按时办结)",
    "timely_rate": "orders_on_time / orders_settled (处理及时率)",
    "callbacks_reached": "work orders' closing callbacks (回访) completed in the period that reached the "
                         "customer (回访成功)",
    "callbacks_satisfied": "reached closing callbacks the customer rated 4 or 5 of 5 (回访满意)",
    "callback_satisfaction_rate": "callbacks_satisfied / callbacks_reached (回访满意率)",
    "trunk_peak_lines": "the most carrier trunk lines in use at any instant of the period; only without grouping "
                        "or filters (峰值占用线路数)",
    "trunk_carried_erlangs": "time-weighted mean of the trunk lines in use over the period observed (up to now), "
                             "in Erlangs (话务量, 爱尔兰)",
    "all_lines_busy": "calls refused with the all-lines-busy announcement (全忙拒接)",
}

ROW_DEFINITIONS: dict[str, str] = {
    "period": "the local period (settings.timezone): 2026-11-25T09:00 (hour), 2026-11-25 (day), 2026-W48 (ISO "
              "week from Monday), 2026-11 (month) or total; a call counts in the period it arrived in",
    "key": "the queue, agent id or company of the row; null without grouping, or for calls that have none "
           "(e.g. served by the IVR alone)",
}
