"""Erlang B, C and A against published tables and against a discrete-event simulation of the same queue."""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.erlang import (
    agents_for_service_level,
    erlang_a,
    erlang_b,
    erlang_c,
    lines_for_blocking,
    scheduled,
)

# Erlang B tables: the traffic (Erlangs) that N lines carry at 1 % blocking.
B_TABLE_1_PERCENT = {10: 4.461, 20: 12.031, 50: 37.901, 100: 84.064}


@pytest.mark.parametrize(("lines", "traffic"), sorted(B_TABLE_1_PERCENT.items()))
def test_erlang_b_matches_the_published_table(lines: int, traffic: float) -> None:
    assert erlang_b(lines, traffic) == pytest.approx(0.01, abs=2e-5)
    assert lines_for_blocking(traffic - 0.01, 0.01) == lines


def test_kunmings_120_lines() -> None:
    assert erlang_b(120, 100) < 0.01 < erlang_b(120, 110)
    assert lines_for_blocking(0.0, 0.01) == 0


# The classic worked example: 100 calls in 30 minutes, 180 s handle time (10 Erlangs), target 20 s.
C_EXAMPLE = {11: (0.6821, 0.3897), 12: (0.4494, 0.6403), 13: (0.2853, 0.7956), 14: (0.1741, 0.8884)}


@pytest.mark.parametrize(("agents", "expected"), sorted(C_EXAMPLE.items()))
def test_erlang_c_matches_the_worked_example(agents: int, expected: tuple[float, float]) -> None:
    result = erlang_c(agents, 10.0, 180, 20)
    assert (result.wait_probability, result.service_level) == pytest.approx(expected, abs=6e-4)
    assert result.asa_seconds == pytest.approx(result.wait_probability * 180 / (agents - 10))
    assert result.occupancy == pytest.approx(10 / agents)


def test_staffing_for_80_in_20() -> None:
    assert agents_for_service_level(10.0, 180, 20, 0.80).agents == 14
    assert scheduled(14, 0.30) == 20
    assert scheduled(14, 0.0) == 14


def test_an_overloaded_queue_never_meets_its_target_in_erlang_c() -> None:
    result = erlang_c(10, 10.0, 180, 20)
    assert (result.wait_probability, result.service_level, result.asa_seconds) == (1.0, 0.0, math.inf)


def test_erlang_a_tends_to_erlang_c_as_callers_become_patient() -> None:
    c = erlang_c(12, 10.0, 180, 20)
    a = erlang_a(12, 10.0, 180, 20, patience_seconds=1e7)
    assert a.wait_probability == pytest.approx(c.wait_probability, abs=1e-3)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-3)
    assert a.abandon_probability < 1e-3


def test_erlang_a_is_stable_even_when_overloaded_and_needs_fewer_agents() -> None:
    overloaded = erlang_a(8, 10.0, 180, 20, patience_seconds=60)
    assert 0 < overloaded.service_level < 1 and 0.1 < overloaded.abandon_probability < 1
    assert (agents_for_service_level(10.0, 180, 20, 0.8, patience_seconds=120).agents
            <= agents_for_service_level(10.0, 180, 20, 0.8).agents)


@given(st.floats(0.1, 80), st.floats(0.01, 0.2))
def test_lines_for_blocking_is_the_fewest(traffic: float, target: float) -> None:
    lines = lines_for_blocking(traffic, target)
    assert erlang_b(lines, traffic) <= target
    assert lines == 0 or erlang_b(lines - 1, traffic) > target


@given(st.floats(0.5, 40), st.floats(30, 600), st.floats(0, 60), st.floats(0.5, 0.95))
def test_agents_for_service_level_is_the_fewest(traffic: float, aht: float, target: float, level: float) -> None:
    result = agents_for_service_level(traffic, aht, target, level)
    assert result.service_level >= level
    assert result.agents - 1 <= traffic or erlang_c(result.agents - 1, traffic, aht, target).service_level < level


# A discrete-event simulation of the same queue (FIFO, exponential arrivals, handling and patience) --------


@dataclass
class Simulated:
    served_in_time: int = 0
    abandoned: int = 0
    waited: int = 0
    callers: int = 0


def simulate(agents: int, traffic: float, aht: float, target: float, patience: float | None,
             callers: int, seed: int) -> Simulated:
    rng = random.Random(seed)
    rate = traffic / aht
    now, free, line, result = 0.0, agents, [], Simulated()
    events: list[tuple[float, int, str, int]] = []  # (time, order, kind, caller)
    arrivals_left, order, arrived_at, gone = callers, 0, {}, set()
    heapq.heappush(events, (rng.expovariate(rate), order, "arrive", 0))
    while events:
        now, _, kind, caller = heapq.heappop(events)
        order += 1
        if kind == "arrive":
            result.callers += 1
            arrivals_left -= 1
            if arrivals_left > 0:
                heapq.heappush(events, (now + rng.expovariate(rate), order, "arrive", caller + 1))
            if free:
                free -= 1
                result.served_in_time += 1
                heapq.heappush(events, (now + rng.expovariate(1 / aht), order, "done", caller))
            else:
                result.waited += 1
                arrived_at[caller] = now
                line.append(caller)
                if patience is not None:
                    heapq.heappush(events, (now + rng.expovariate(1 / patience), order, "give_up", caller))
        elif kind == "give_up":
            if caller in arrived_at and caller not in gone:
                gone.add(caller)
                line.remove(caller)
                result.abandoned += 1
        else:  # an agent is free: the next caller in line, if any
            if line:
                nxt = line.pop(0)
                gone.add(nxt)
                if now - arrived_at[nxt] <= target:
                    result.served_in_time += 1
                heapq.heappush(events, (now + rng.expovariate(1 / aht), order, "done", nxt))
            else:
                free += 1
    return result


@pytest.mark.parametrize(("agents", "patience"), [(12, None), (13, None), (9, 90.0), (12, 120.0)])
def test_the_formulas_agree_with_a_simulation(agents: int, patience: float | None) -> None:
    callers = 60_000
    sim = simulate(agents, 10.0, 180, 20, patience, callers, seed=agents)
    formula = (erlang_c(agents, 10.0, 180, 20) if patience is None
               else erlang_a(agents, 10.0, 180, 20, patience))
    assert sim.waited / sim.callers == pytest.approx(formula.wait_probability, abs=0.02)
    assert sim.served_in_time / sim.callers == pytest.approx(formula.service_level, abs=0.02)
    assert sim.abandoned / sim.callers == pytest.approx(formula.abandon_probability, abs=0.02)
