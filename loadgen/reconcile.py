"""After a load run: the plan held against what the hotline recorded, call by call, and the run's figures
(offer latency, set-up times, peak concurrency). Pure: rows in (as read from the database and SIPp's logs),
findings out.

Offer latency is read from the app's own events, on the ACD's clock: for each offer (``call.offered``), the
time from the moment the call could first be offered to that agent — the later of the call reaching the ACD
(the IVR's hand-over: ``ivr_left_at``, or ``queued_at`` if earlier) and the agent last becoming ready — to the
offer. A call offered at once when it reaches the ACD counts from the hand-over; a waiting caller counts from
the agent's wrap-up ending."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from loadgen.plan import ANSWERED, CallPlan, PlannedCall


@dataclass(frozen=True)
class Finding:
    caller_number: str
    # missing, duplicate, outcome, ivr_path, account, agent, not_ended, recording (none at all), recording_missed
    # (the app flagged the answered leg: recording.missed), recording_fault (a row, but unlinked or unmeasured),
    # unplanned
    problem: str

    detail: str = ""


@dataclass(frozen=True)
class Reconciliation:
    planned: int
    matched: int  # planned calls whose contact says all it should
    findings: tuple[Finding, ...] = field(default=())

    @property
    def clean(self) -> bool:
        return not self.findings and self.matched == self.planned


def reconcile(plan: CallPlan, contacts: Sequence[Mapping[str, Any]], recorded_linkedids: Iterable[str],
              *, recording: bool, missed_recordings: Mapping[str, str] | None = None,
              recording_faults: Mapping[str, str] | None = None) -> Reconciliation:
    """Each planned call must have exactly one contact, with the planned outcome, passing the path's node,
    with its account (bill), an agent and an end (answered), and a recording when ``recording`` is on. A
    contact of the run's callers that no planned call explains is listed too.

    An answered call without a good recording is told apart by what the app said of it: flagged
    ``recording.missed`` (``missed_recordings``: linkedid -> reason), a row that is not right
    (``recording_faults``: linkedid -> what it lacks), or nothing at all (the app was silent: the worst)."""
    planned = plan.by_number()
    by_number: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for contact in contacts:
        by_number[str(contact.get("caller_number") or "")].append(contact)
    recorded = _RecordingFacts(set(recorded_linkedids), dict(missed_recordings or {}), dict(recording_faults or {}))
    findings: list[Finding] = []
    matched = 0
    for call in plan.calls:
        problems = _check(call, by_number.get(call.caller_number, []), recorded, recording)
        findings += problems
        matched += not problems
    prefix = plan.calls[0].caller_number[:5] if plan.calls else ""
    for number in sorted(by_number):
        if number.startswith(prefix) and number not in planned:
            findings.append(Finding(number, "unplanned", f"{len(by_number[number])} contact(s)"))
    return Reconciliation(planned=len(plan.calls), matched=matched, findings=tuple(findings))


@dataclass(frozen=True)
class _RecordingFacts:
    recorded: set[str]
    missed: dict[str, str]
    faults: dict[str, str]

    def finding(self, number: str, linkedid: str) -> Finding | None:
        if linkedid in self.missed:
            reason = self.missed[linkedid]
            return Finding(number, "recording_missed", "flagged recording.missed" + (f" ({reason})" if reason else ""))
        if linkedid not in self.recorded:
            return Finding(number, "recording", "no recording")
        if linkedid in self.faults:
            return Finding(number, "recording_fault", self.faults[linkedid])
        return None


def _check(call: PlannedCall, contacts: list[Mapping[str, Any]], recorded: _RecordingFacts,
           recording: bool) -> list[Finding]:
    number = call.caller_number
    if not contacts:
        return [Finding(number, "missing", f"no contact ({call.path.name})")]
    if len(contacts) > 1:
        return [Finding(number, "duplicate", f"{len(contacts)} contacts")]
    contact = contacts[0]
    found = []
    if contact.get("outcome") != call.expected_outcome:
        found.append(Finding(number, "outcome", f"expected {call.expected_outcome}, got {contact.get('outcome')} "
                                                f"(path {contact.get('ivr_path')})"))
    if call.path.path_node not in str(contact.get("ivr_path") or "").split(">"):
        found.append(Finding(number, "ivr_path", f"expected to pass {call.path.path_node}, got "
                                                 f"{contact.get('ivr_path')!r}"))
    if call.path.account and contact.get("account_number") != call.path.account:
        found.append(Finding(number, "account", f"expected {call.path.account}, got {contact.get('account_number')}"))
    if not contact.get("ended_at"):
        found.append(Finding(number, "not_ended", "no end time"))
    if call.expected_outcome == ANSWERED:
        if contact.get("agent_id") is None or not contact.get("answered_at"):
            found.append(Finding(number, "agent", "no answering agent"))
        if recording and (problem := recorded.finding(number, str(contact.get("linkedid")))) is not None:
            found.append(problem)
    return found


def report_agreement(plan: CallPlan, figures: Mapping[str, Any]) -> list[Finding]:
    """The day's summary report (``/api/reports/summary`` figures) against the plan's own counts, for a
    database that holds only the plan's calls: every call arrived, the agent paths offered and answered, the
    bill paths self-served, none abandoned."""
    answered = sum(call.expected_outcome == ANSWERED for call in plan.calls)
    expected = {"calls": len(plan.calls), "offered": answered, "answered": answered,
                "self_served": len(plan.calls) - answered, "abandoned": 0}
    return [Finding("report", name, f"the report says {figures.get(name)}, the plan {value}")
            for name, value in expected.items() if figures.get(name) != value]


@dataclass(frozen=True)
class Percentiles:
    count: int
    p50: float
    p90: float
    p99: float
    max: float


def percentiles(values: Sequence[float]) -> Percentiles | None:
    """Nearest-rank percentiles (no interpolation: each figure is a value that happened); None when empty."""
    if not values:
        return None
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)]
    return Percentiles(len(ordered), rank(0.5), rank(0.9), rank(0.99), ordered[-1])


def offer_latencies(offers: Sequence[tuple[str, int, datetime]], contacts: Sequence[Mapping[str, Any]],
                    ready_changes: Sequence[tuple[int, datetime]]) -> list[float]:
    """Seconds from offerable to offered, one per offer. ``offers``: (linkedid, agent id, offered at);
    ``contacts``: rows with linkedid, ivr_left_at, queued_at; ``ready_changes``: (agent id, became ready at)."""
    handed_over: dict[str, datetime] = {}
    for contact in contacts:
        times = [t for t in (contact.get("ivr_left_at"), contact.get("queued_at")) if t is not None]
        if times and contact.get("linkedid"):
            handed_over[str(contact["linkedid"])] = min(times)
    readies: dict[int, list[datetime]] = defaultdict(list)
    for agent_id, at in sorted(ready_changes, key=lambda change: change[1]):
        readies[agent_id].append(at)
    latencies = []
    for linkedid, agent_id, offered_at in offers:
        start = handed_over.get(linkedid)
        if start is None:
            continue
        ready = [at for at in readies.get(agent_id, []) if at <= offered_at]
        if ready:
            start = max(start, ready[-1])
        latencies.append(max(0.0, (offered_at - start).total_seconds()))
    return latencies


def peak_concurrency(intervals: Iterable[tuple[float, float]]) -> int:
    """The most intervals (start, end) open at once; an interval ending when another starts does not overlap."""
    spans = list(intervals)
    edges = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans],
                   key=lambda edge: (edge[0], edge[1]))
    peak = current = 0
    for _, step in edges:
        current += step
        peak = max(peak, current)
    return peak
