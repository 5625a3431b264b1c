"""The load generator's call plan: drawn from a seed alone, shaped as asked, and every call knowing what its
contact must say."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.call_events import SELF_SERVICE
from kernel.errors import InvalidInput
from loadgen.plan import (
    ANSWERED,
    DEMO_ACCOUNTS,
    PlanRequest,
    caller_number,
    draw_plan,
    wrapup_seconds,
)


def test_the_same_seed_draws_the_same_plan_and_another_seed_another() -> None:
    request = PlanRequest(calls=50, rate=2.0, seed=7)
    assert draw_plan(request) == draw_plan(request)
    assert draw_plan(request) != draw_plan(PlanRequest(calls=50, rate=2.0, seed=8))


def test_evenly_spaced_arrivals_follow_the_rate() -> None:
    plan = draw_plan(PlanRequest(calls=5, rate=4.0, poisson=False))
    assert [c.arrive_seconds for c in plan.calls] == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_poisson_arrivals_average_the_rate() -> None:
    plan = draw_plan(PlanRequest(calls=4000, rate=10.0, seed=3))
    assert plan.last_arrival_seconds == pytest.approx(400, rel=0.05)


def test_callers_are_numbered_by_run_tag_and_index() -> None:
    plan = draw_plan(PlanRequest(calls=3, rate=1.0, run_tag=42))
    assert [c.caller_number for c in plan.calls] == ["13942000000", "13942000001", "13942000002"]
    assert caller_number(7, 123456) == "13907123456"
    assert set(plan.by_number()) == {c.caller_number for c in plan.calls}


def test_paths_follow_the_mix_and_carry_their_keys_and_outcomes() -> None:
    plan = draw_plan(PlanRequest(calls=300, rate=1.0, mix={"agent": 1, "bill": 1}))
    kinds = {c.path.name.split("-")[0] for c in plan.calls}
    assert kinds == {"agent", "bill"}
    for call in plan.calls:
        if call.path.name == "agent":
            assert call.path.keys == "0" and call.expected_outcome == ANSWERED and call.talk_seconds >= 3.0
        else:
            assert call.path.account in DEMO_ACCOUNTS
            assert call.path.keys == f"1{call.path.account}#"
            assert call.expected_outcome == SELF_SERVICE and call.talk_seconds == 0.0
    assert {p.name for p in plan.paths} == {c.path.name for c in plan.calls}


def test_a_single_kind_mix_gives_only_that_path() -> None:
    plan = draw_plan(PlanRequest(calls=20, rate=1.0, mix={"repair": 1}))
    assert {c.path.name for c in plan.calls} == {"repair"}
    assert all(c.path.path_node == "repair" for c in plan.calls)


@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=1.0, max_value=120.0))
def test_talk_times_stay_between_the_minimum_and_four_times_the_mean(seed: int, mean: float) -> None:
    plan = draw_plan(PlanRequest(calls=30, rate=1.0, seed=seed, talk_mean_seconds=mean, talk_min_seconds=1.0,
                                 mix={"agent": 1}))
    assert all(1.0 <= c.talk_seconds <= 4 * mean + 1e-3 for c in plan.calls)  # to the millisecond
    assert all(b.arrive_seconds >= a.arrive_seconds for a, b in zip(plan.calls, plan.calls[1:], strict=False))


@pytest.mark.parametrize("request_", [
    PlanRequest(calls=0, rate=1.0),
    PlanRequest(calls=5, rate=0.0),
    PlanRequest(calls=5, rate=1.0, talk_mean_seconds=2.0, talk_min_seconds=3.0),
    PlanRequest(calls=5, rate=1.0, run_tag=100),
    PlanRequest(calls=5, rate=1.0, mix={"sing": 1.0}),
    PlanRequest(calls=5, rate=1.0, mix={"agent": 0.0}),
    PlanRequest(calls=5, rate=1.0, mix={"agent": -1.0, "bill": 2.0}),
])
def test_impossible_requests_are_refused_with_a_clear_message(request_: PlanRequest) -> None:
    with pytest.raises(InvalidInput):
        draw_plan(request_)


def test_wrapup_times_are_repeatable_and_around_the_mean() -> None:
    assert wrapup_seconds(1, 2, 3, 4.0) == wrapup_seconds(1, 2, 3, 4.0)
    drawn = [wrapup_seconds(1, agent, call, 4.0) for agent in range(10) for call in range(10)]
    assert all(2.0 <= d <= 6.0 for d in drawn)
    assert len(set(drawn)) > 50
