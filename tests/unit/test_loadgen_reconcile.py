"""Reconciling a load run's contacts with its plan, call by call, and the run's figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kernel.call_events import SELF_SERVICE
from loadgen.plan import CallPlan, PlanRequest, draw_plan
from loadgen.reconcile import offer_latencies, peak_concurrency, percentiles, reconcile
from loadgen.sipp_log import caller_figures, milestones

T0 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def plan() -> CallPlan:
    return draw_plan(PlanRequest(calls=6, rate=1.0, seed=11, mix={"agent": 1, "bill": 1}))


def contact_as_planned(call_index: int, p: CallPlan) -> dict[str, Any]:
    call = p.calls[call_index]
    answered = call.expected_outcome == "answered"
    return {"linkedid": f"L{call_index}", "caller_number": call.caller_number, "outcome": call.expected_outcome,
            "ivr_path": "main>agent>queue" if answered else "main>bill>account>heard>no_input>goodbye",
            "account_number": call.path.account, "agent_id": 3 if answered else None,
            "answered_at": T0 if answered else None, "ended_at": T0 + timedelta(seconds=9)}


def test_a_run_recorded_as_planned_is_clean() -> None:
    p = plan()
    contacts = [contact_as_planned(i, p) for i in range(len(p.calls))]
    result = reconcile(p, contacts, {c["linkedid"] for c in contacts}, recording=True)
    assert result.clean and result.matched == result.planned == 6


def test_missing_duplicate_and_unplanned_contacts_are_listed() -> None:
    p = plan()
    contacts = [contact_as_planned(i, p) for i in range(1, len(p.calls))]
    contacts.append(dict(contacts[0], linkedid="again"))
    contacts.append(dict(contacts[1], caller_number=p.calls[0].caller_number[:5] + "999999", linkedid="x"))
    result = reconcile(p, contacts, {c["linkedid"] for c in contacts}, recording=True)
    problems = {(f.caller_number, f.problem) for f in result.findings}
    assert (p.calls[0].caller_number, "missing") in problems
    assert (p.calls[1].caller_number, "duplicate") in problems
    assert (p.calls[0].caller_number[:5] + "999999", "unplanned") in problems
    assert not result.clean and result.matched == 4


def test_each_wrong_field_is_named() -> None:
    p = plan()
    answered = next(i for i, c in enumerate(p.calls) if c.expected_outcome == "answered")
    billed = next(i for i, c in enumerate(p.calls) if c.expected_outcome == SELF_SERVICE)
    wrong_answer = dict(contact_as_planned(answered, p), outcome="abandoned", agent_id=None, answered_at=None,
                        ended_at=None)
    wrong_bill = dict(contact_as_planned(billed, p), ivr_path="main>agent>queue", account_number="1")
    result = reconcile(p, [wrong_answer, wrong_bill], set(), recording=True)
    by_call = {(f.caller_number, f.problem) for f in result.findings}
    number_a, number_b = p.calls[answered].caller_number, p.calls[billed].caller_number
    assert {(number_a, k) for k in ("outcome", "not_ended", "agent", "recording")} <= by_call
    assert {(number_b, "ivr_path"), (number_b, "account")} <= by_call


def test_recordings_are_required_only_when_recording_is_on() -> None:
    p = plan()
    contacts = [contact_as_planned(i, p) for i in range(len(p.calls))]
    assert reconcile(p, contacts, set(), recording=False).clean
    assert {f.problem for f in reconcile(p, contacts, set(), recording=True).findings} == {"recording"}


def test_a_flagged_missed_recording_and_a_faulty_row_are_told_apart_from_no_recording() -> None:
    p = plan()
    contacts = [contact_as_planned(i, p) for i in range(len(p.calls))]
    answered = [c for c in contacts if c["answered_at"] is not None]
    flagged, no_file, faulty, silent = (c["linkedid"] for c in answered[:4])
    recorded = {c["linkedid"] for c in contacts} - {flagged, silent}
    result = reconcile(p, contacts, recorded, recording=True, missed_recordings={flagged: "", no_file: "no_file"},
                       recording_faults={faulty: "not measured", no_file: "not measured"})
    by_linkedid = {c["caller_number"]: c["linkedid"] for c in contacts}
    found = {(by_linkedid[f.caller_number], f.problem, f.detail) for f in result.findings}
    assert found == {(flagged, "recording_missed", "flagged recording.missed"),
                     (no_file, "recording_missed", "flagged recording.missed (no_file)"),
                     (faulty, "recording_fault", "not measured"),
                     (silent, "recording", "no recording")}


def test_offer_latency_counts_from_the_hand_over_or_the_agent_becoming_ready_whichever_is_later() -> None:
    contacts = [{"linkedid": "a", "ivr_left_at": T0, "queued_at": T0 + timedelta(seconds=1)},
                {"linkedid": "b", "ivr_left_at": T0, "queued_at": None},
                {"linkedid": "c", "ivr_left_at": None, "queued_at": None}]
    offers = [("a", 1, T0 + timedelta(milliseconds=4)),       # agent 1 ready long before: from the hand-over
              ("b", 2, T0 + timedelta(seconds=10, milliseconds=3)),  # waited for agent 2's wrap-up to end
              ("c", 1, T0), ("unknown", 1, T0)]              # no hand-over known: not counted
    ready = [(1, T0 - timedelta(seconds=60)), (2, T0 - timedelta(seconds=60)), (2, T0 + timedelta(seconds=10)),
             (2, T0 + timedelta(seconds=30))]
    assert offer_latencies(offers, contacts, ready) == pytest.approx([0.004, 0.003])


def test_percentiles_are_values_that_happened() -> None:
    figures = percentiles([float(v) for v in range(1, 101)])
    assert figures is not None
    assert (figures.count, figures.p50, figures.p90, figures.p99, figures.max) == (100, 50, 90, 99, 100)
    assert percentiles([]) is None
    one = percentiles([7.0])
    assert one is not None and one.p50 == one.p99 == 7.0


def test_peak_concurrency() -> None:
    assert peak_concurrency([]) == 0
    assert peak_concurrency([(0, 10), (1, 2), (1.5, 3), (10, 11)]) == 3
    assert peak_concurrency([(0, 1), (1, 2)]) == 1


def test_sipp_action_log_gives_each_callers_milestones_and_the_figures() -> None:
    lines = ["invite 13901000000 100", "up 13901000000 104", "far_bye 13901000000 20104",
             "invite 13901000001 600", "up 13901000001 650", "gave_up 13901000001 90650",
             "invite 13901000002 900", "Some other SIPp line", "up 13901000000 999"]
    calls = milestones(lines)
    assert calls["13901000000"] == {"invite": 0.1, "up": 0.104, "far_bye": 20.104}
    figures = caller_figures(4, calls)
    assert (figures.invited, figures.set_up, figures.completed, figures.gave_up, figures.failed) == (3, 2, 1, 1, 3)
    assert figures.setup_seconds == pytest.approx((0.004, 0.05))
    assert [x for span in figures.spans for x in span] == pytest.approx([0.104, 20.104, 0.65, 90.65])


def test_the_report_prints_every_figure_and_each_finding() -> None:
    from loadgen.procstats import ProcessFigures
    from loadgen.reconcile import Finding, Reconciliation
    from loadgen.report import format_report
    from loadgen.simulate import SimulationResult

    p = plan()
    callers = caller_figures(6, milestones([f"invite {c.caller_number} 0" for c in p.calls]
                                           + [f"up {c.caller_number} 5" for c in p.calls]
                                           + [f"far_bye {c.caller_number} 9000" for c in p.calls[1:]]))
    result = SimulationResult(
        plan=p, started_at=T0, seconds=42.0, callers=callers,
        reconciliation=Reconciliation(6, 5, (Finding(p.calls[0].caller_number, "missing", "no contact"),)),
        offer_latency_seconds=[0.001, 0.002], processes={"asterisk": ProcessFigures("asterisk", 7, [10.0, 30.0],
                                                                                    [50 * 1024 * 1024])},
        agent_offers=5, agent_missed=1, wrapups_ended=4, consoles=3, console_latency_seconds=[0.01, 0.02, 0.03])
    text = format_report(result)
    assert "calls attempted 6, INVITEs sent 6, set up 6, completed 5, failed 1" in text
    assert "peak concurrent calls 5" in text
    assert "offer latency (ACD: offerable -> call.offered) ms over 2 offers: p50 1.0" in text
    assert "agent state pushes to 3 supervisor consoles (websocket), ms over 3 pushes: p50 20.0" in text
    assert "asterisk      pid 7       CPU  20.0 /  30.0 %  RSS   50.0 MiB" in text
    assert "reconciliation: 5/6 planned calls recorded as planned: 1 finding(s)" in text
    assert f"{p.calls[0].caller_number} missing: no contact" in text


def test_the_days_report_must_count_exactly_the_plan() -> None:
    from loadgen.reconcile import report_agreement

    p = plan()
    answered = sum(c.expected_outcome == "answered" for c in p.calls)
    agreeing = {"calls": 6, "offered": answered, "answered": answered, "self_served": 6 - answered,
                "abandoned": 0, "service_level": 0.5}
    assert report_agreement(p, agreeing) == []
    findings = report_agreement(p, dict(agreeing, answered=answered - 1, abandoned=1))
    assert [(f.problem, f.detail) for f in findings] == [
        ("answered", f"the report says {answered - 1}, the plan {answered}"),
        ("abandoned", "the report says 1, the plan 0")]
