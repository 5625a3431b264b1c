"""What a fault did to the calls of a load run, from their contacts: which calls were in the IVR, in line or
talking when the fault began, which arrived while it lasted, and how each of them ended. Pure: the plan, the
contacts (rows as :mod:`loadgen.records` reads them, with ``arrived_at``), the reconciliation's findings and
the outage window in, figures out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kernel.call_events import SELF_SERVICE
from loadgen.plan import CallPlan
from loadgen.reconcile import Finding

IN_IVR, IN_LINE, TALKING, DURING = "in the IVR", "in line", "talking", "arrived during the outage"
PHASES = (IN_IVR, IN_LINE, TALKING, DURING)


@dataclass(frozen=True)
class CallFate:
    caller_number: str
    path: str  # the planned IVR path
    phase: str  # one of PHASES
    outcome: str  # the contact's outcome ("" when there is none)
    ivr_path: str
    problems: tuple[str, ...]  # the reconciliation's findings for this call

    def line(self) -> str:
        verdict = "reconciled" if not self.problems else "; ".join(self.problems)
        return (f"{self.caller_number} ({self.path}, {self.phase}): {self.outcome or 'no outcome'} "
                f"via {self.ivr_path or '-'}: {verdict}")


@dataclass(frozen=True)
class OutageWindow:
    began: datetime  # the fault was injected
    restored: datetime  # the service was back (Redis or PostgreSQL answering; the standby routing)

    @property
    def seconds(self) -> float:
        return (self.restored - self.began).total_seconds()


def phase_of(contact: Mapping[str, Any], window: OutageWindow) -> str | None:
    """Where the call was when the fault began (or DURING), None for a call over before or begun after."""
    arrived, ended = contact.get("arrived_at"), contact.get("ended_at")
    if arrived is None:
        return None
    if window.began <= arrived <= window.restored:
        return DURING
    if arrived > window.restored or (ended is not None and ended <= window.began):
        return None
    answered, left_ivr = contact.get("answered_at"), contact.get("ivr_left_at") or contact.get("queued_at")
    if answered is not None and answered <= window.began:
        return TALKING
    if left_ivr is not None and left_ivr <= window.began:
        return IN_LINE
    return IN_IVR


def fates(plan: CallPlan, contacts: Sequence[Mapping[str, Any]], findings: Sequence[Finding],
          window: OutageWindow) -> list[CallFate]:
    """The calls the fault touched, in plan order: one entry per contact caught by the window (a call with two
    contacts shows twice)."""
    problems: dict[str, list[str]] = {}
    for finding in findings:
        problems.setdefault(finding.caller_number, []).append(f"{finding.problem}: {finding.detail}")
    planned = plan.by_number()
    touched = []
    for contact in contacts:
        number = str(contact.get("caller_number") or "")
        phase = phase_of(contact, window)
        if phase is None or number not in planned:
            continue
        touched.append(CallFate(number, planned[number].path.name.split("-")[0], phase,
                                str(contact.get("outcome") or ""), str(contact.get("ivr_path") or ""),
                                tuple(problems.get(number, ()))))
    return sorted(touched, key=lambda fate: fate.caller_number)


def tally(touched: Sequence[CallFate]) -> dict[str, Counter[str]]:
    """Per phase: how many ended how (outcome), and ``failed`` for those with a finding."""
    counts: dict[str, Counter[str]] = {phase: Counter() for phase in PHASES}
    for fate in touched:
        counts[fate.phase][fate.outcome or "no outcome"] += 1
        counts[fate.phase]["failed"] += bool(fate.problems)
    return counts


def summary_lines(touched: Sequence[CallFate]) -> list[str]:
    lines = []
    for phase, counts in tally(touched).items():
        total = sum(n for outcome, n in counts.items() if outcome != "failed")
        outcomes = ", ".join(f"{outcome} {n}" for outcome, n in sorted(counts.items()) if outcome != "failed")
        lines.append(f"    {phase}: {total} call(s){': ' + outcomes if outcomes else ''}; "
                     f"failed {counts['failed']}")
    return lines


BILLING_DOWN_STEP = "billing_down"  # the IVR's step when the billing lookup failed: the caller goes to an agent
# What a call served another way than planned may differ in: not its end, its agent or its recording
BILLING_DOWN_PROBLEMS = frozenset({"outcome", "account"})  # answered, not self-served; no account read
# the menu again with the caller's keys spent, or the fallback queue (app_queue: the seat answered, no ACD agent)
IVR_RESTART_PROBLEMS = frozenset({"outcome", "ivr_path", "account", "agent"})


def billing_down_calls(contacts: Sequence[Mapping[str, Any]]) -> set[str]:
    """The calls the IVR put through to an agent because billing could not be read (the demo's billing lives
    in the database: it is away during a database outage)."""
    return {str(c.get("caller_number")) for c in contacts
            if BILLING_DOWN_STEP in str(c.get("ivr_path") or "").split(">")}


def served_otherwise(findings: Sequence[Finding], contacts: Sequence[Mapping[str, Any]], candidates: set[str],
                     allowed: frozenset[str]) -> tuple[set[str], list[Finding]]:
    """Splits off the ``candidates`` that were served another way than planned: their contact ended, answered
    (by a seat: the agent too unless ``allowed`` has "agent") or self-served, and differs from the plan only in
    ``allowed`` ways. Returns their numbers and the other findings."""
    by_number = {str(c.get("caller_number") or ""): c for c in contacts}
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.caller_number, []).append(finding)
    served = set()
    for number, found in grouped.items():
        contact = by_number.get(number, {})
        answered = bool(contact.get("answered_at"))
        if (number in candidates and contact.get("ended_at") and (answered or contact.get("outcome") == SELF_SERVICE)
                and {f.problem for f in found} <= allowed):
            served.add(number)
    return served, [f for f in findings if f.caller_number not in served]
