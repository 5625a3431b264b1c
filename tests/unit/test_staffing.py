"""The staffing advisor on loads with known answers."""

from __future__ import annotations

from datetime import time

import pytest

from reports.erlang import erlang_b
from reports.staffing import IntervalLoad, advise


def test_each_interval_gets_erlang_c_agents_and_shrinkage() -> None:
    loads = [IntervalLoad(time(8, 0), 100, 180, 240), IntervalLoad(time(8, 30), 0, 0, 0),
             IntervalLoad(time(9, 0), 200, 180, 240)]
    advice = advise(loads, 1800, target_seconds=20, service_level=0.8, shrinkage=0.3, trunk_lines_now=20)
    busy, quiet, peak = advice.intervals
    assert (busy.traffic, busy.agents, busy.scheduled) == (10.0, 14, 20)  # the classic worked example
    assert busy.service_level >= 0.8
    assert (quiet.agents, quiet.scheduled, quiet.traffic) == (0, 0, 0.0)
    assert peak.traffic == 20.0 and peak.agents > busy.agents
    assert (advice.peak_agents, advice.peak_scheduled) == (peak.agents, peak.scheduled)
    # the busiest interval holds 200 × 240 s / 1800 s ≈ 26.7 Erlangs of trunk lines
    assert erlang_b(advice.trunk_lines, 200 * 240 / 1800) <= 0.01 < erlang_b(advice.trunk_lines - 1, 200 * 240 / 1800)
    assert advice.trunk_blocking_now == pytest.approx(erlang_b(20, 200 * 240 / 1800))


def test_patient_callers_and_impatient_ones() -> None:
    loads = [IntervalLoad(time(8, 0), 100, 180, 240)]
    patient = advise(loads, 1800).intervals[0]
    impatient = advise(loads, 1800, patience_seconds=60).intervals[0]
    assert impatient.agents <= patient.agents and impatient.abandon_probability > 0
    assert patient.abandon_probability == 0.0


def test_no_history_needs_nothing() -> None:
    advice = advise([], 1800)
    assert (advice.intervals, advice.peak_agents, advice.trunk_lines, advice.trunk_blocking_now) == ([], 0, 0, None)
