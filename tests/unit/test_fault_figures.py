"""The fault benchmark's account of the calls a fault touched: where each was when it began, and how it ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.fault_figures import (
    BILLING_DOWN_PROBLEMS,
    DURING,
    IN_IVR,
    IN_LINE,
    IVR_RESTART_PROBLEMS,
    TALKING,
    OutageWindow,
    billing_down_calls,
    fates,
    phase_of,
    served_otherwise,
    tally,
)
from benchmarks.load_stage import Stage
from loadgen.plan import draw_plan
from loadgen.reconcile import Finding

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
WINDOW = OutageWindow(T0, T0 + timedelta(seconds=5))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def contact(number: str = "x", **times: float | None) -> dict[str, Any]:
    row: dict[str, Any] = {"caller_number": number, "outcome": "answered", "ivr_path": "welcome>agent"}
    return row | {name: None if value is None else at(value) for name, value in times.items()}


def test_each_call_is_placed_where_it_was_when_the_fault_began() -> None:
    assert phase_of(contact(arrived_at=-20, ended_at=-1), WINDOW) is None  # over before
    assert phase_of(contact(arrived_at=6), WINDOW) is None  # began after the service was back
    assert phase_of(contact(arrived_at=2, ended_at=30), WINDOW) == DURING
    assert phase_of(contact(arrived_at=-3, ended_at=30), WINDOW) == IN_IVR
    assert phase_of(contact(arrived_at=-9, ivr_left_at=-4, ended_at=30), WINDOW) == IN_LINE
    assert phase_of(contact(arrived_at=-9, queued_at=-4), WINDOW) == IN_LINE  # never ended: still counted
    assert phase_of(contact(arrived_at=-20, ivr_left_at=-15, answered_at=-10, ended_at=1), WINDOW) == TALKING
    assert phase_of(contact(arrived_at=-9, ivr_left_at=1, ended_at=30), WINDOW) == IN_IVR  # left during it


def test_the_touched_calls_carry_their_findings_and_are_tallied_per_phase() -> None:
    plan = draw_plan(Stage("t", calls=4, rate=1.0, agents=1, talk=5.0, talk_min=3.0).plan_request())
    first, second, third, _ = (c.caller_number for c in plan.calls)
    contacts = [contact(first, arrived_at=-3, ended_at=20), contact(second, arrived_at=1, ended_at=20),
                contact(third, arrived_at=-30, ended_at=-20), contact("13999000000", arrived_at=1)]  # unplanned
    touched = fates(plan, contacts, [Finding(second, "agent", "no answering agent")], WINDOW)
    assert [(f.caller_number, f.phase, f.problems) for f in touched] == [
        (first, IN_IVR, ()), (second, DURING, ("agent: no answering agent",))]
    counts = tally(touched)
    assert counts[IN_IVR] == {"answered": 1, "failed": 0}
    assert counts[DURING] == {"answered": 1, "failed": 1}
    assert "no answering agent" in touched[1].line()


def test_a_bill_call_put_through_to_an_agent_while_billing_was_down_is_explained() -> None:
    rerouted = {"caller_number": "1", "ivr_path": "main>bill>account>billing_down>queue", "agent_id": 7,
                "answered_at": at(3), "ended_at": at(30)}
    unanswered = {**rerouted, "caller_number": "2", "agent_id": None, "answered_at": None}
    findings = [Finding("1", "outcome", "expected self_service"), Finding("1", "account", "expected 1000"),
                Finding("2", "outcome", "expected self_service"), Finding("2", "agent", "no answering agent"),
                Finding("3", "missing", "no contact")]
    contacts = [rerouted, unanswered]
    numbers, left = served_otherwise(findings, contacts, billing_down_calls(contacts), BILLING_DOWN_PROBLEMS)
    assert numbers == {"1"}
    assert [(f.caller_number, f.problem) for f in left] == [("2", "outcome"), ("2", "agent"), ("3", "missing")]


def test_a_call_whose_ivr_started_again_elsewhere_is_explained_only_if_served_and_ended() -> None:
    again = {"caller_number": "1", "ivr_path": "main>no_input>no_input>no_input>agent>queue", "agent_id": 7,
             "answered_at": at(30), "ended_at": at(60)}
    findings = [Finding("1", "ivr_path", "expected to pass repair"), Finding("2", "not_ended", "no end time")]
    served, left = served_otherwise(findings, [again, {"caller_number": "2"}], {"1", "2"}, IVR_RESTART_PROBLEMS)
    assert served == {"1"} and [f.caller_number for f in left] == ["2"]
