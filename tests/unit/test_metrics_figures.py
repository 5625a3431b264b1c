"""Tallies add up and figures derive from the sums: rolled-up periods agree with the total computed directly."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.metric_periods import bucketing
from reports.metrics import DEFINITIONS, ROW_DEFINITIONS, Figures, Tally, derive, sum_by_key

CONTRACT = """calls, offered, answered, answer_rate, abandoned, short_abandoned, abandon_rate,
answered_within_target, service_level, asa_seconds, longest_wait_seconds, handled, talk_seconds, hold_seconds,
acw_seconds, aht_seconds, occupancy, self_served, self_service_rate, deflected, callbacks_requested,
callbacks_completed, fcr_eligible, fcr_resolved, fcr_pending, fcr_rate, survey_offered, survey_responses,
satisfied, csat, survey_response_rate, orders_opened, orders_closed, closure_rate, orders_settled, orders_on_time,
timely_rate, callbacks_reached, callbacks_satisfied, callback_satisfaction_rate, trunk_peak_lines,
trunk_carried_erlangs, all_lines_busy"""


def test_figures_are_the_contract_and_each_has_a_definition() -> None:
    names = [f.name for f in fields(Figures)]
    assert names == [name.strip() for name in CONTRACT.split(",")]
    assert set(DEFINITIONS) == set(names)
    assert {"period", "key"} <= ROW_DEFINITIONS.keys()
    for term in ("办结率", "处理及时率", "回访满意率", "人工接通率", "首次解决率"):
        assert any(term in text for text in DEFINITIONS.values())


def test_derive_known_answers() -> None:
    tally = Tally(calls=10, offered=8, answered=5, abandoned=1, short_abandoned=2, answered_within_target=4,
                  answer_wait_seconds=50.0, longest_wait_seconds=40.0, handled=4, talk_seconds=400.0,
                  acw_seconds=80.0, self_served=2, fcr_eligible=4, fcr_resolved=3, fcr_pending=1,
                  handle_state_seconds=300.0, available_state_seconds=100.0, orders_opened=4, orders_closed=3,
                  orders_settled=2, orders_on_time=1, callbacks_reached=4, callbacks_satisfied=4,
                  trunk_line_seconds=7200.0, trunk_peak_lines=3, all_lines_busy=2)
    figures = derive(tally, occupancy=True, trunk=True, span_seconds=3600.0)
    assert figures.answer_rate == pytest.approx(5 / 6) and figures.abandon_rate == pytest.approx(1 / 6)
    assert figures.service_level == pytest.approx(4 / 6)
    assert (figures.asa_seconds, figures.talk_seconds, figures.hold_seconds, figures.acw_seconds) == (
        10.0, 100.0, 0.0, 20.0)
    assert figures.aht_seconds == 120.0 and figures.occupancy == 0.75
    assert figures.self_service_rate == 0.2 and figures.fcr_rate == 0.75
    assert (figures.closure_rate, figures.timely_rate, figures.callback_satisfaction_rate) == (0.75, 0.5, 1.0)
    assert (figures.trunk_peak_lines, figures.trunk_carried_erlangs, figures.all_lines_busy) == (3, 2.0, 2)
    grouped = derive(tally, occupancy=False, trunk=False)
    assert (grouped.occupancy, grouped.trunk_peak_lines, grouped.trunk_carried_erlangs,
            grouped.all_lines_busy) == (None, None, None, None)


def test_nothing_gives_no_rates() -> None:
    figures = derive(Tally(), occupancy=True, trunk=True, span_seconds=0.0)
    rates = [f.name for f in fields(Figures) if f.name.endswith(("_rate", "_level", "_seconds")) or
             f.name in ("csat", "occupancy")]
    assert all(getattr(figures, name) is None for name in rates)
    assert Tally().is_empty() and not Tally(trunk_peak_lines=1).is_empty()
    assert Tally(trunk_peak_lines=0).is_empty()


tallies = st.builds(
    Tally, calls=st.integers(0, 50), offered=st.integers(0, 50), answered=st.integers(0, 50),
    answer_wait_seconds=st.floats(0, 1e4), longest_wait_seconds=st.none() | st.floats(0, 1e3),
    handled=st.integers(0, 50), talk_seconds=st.floats(0, 1e5), trunk_peak_lines=st.none() | st.integers(0, 120),
    orders_opened=st.integers(0, 9), all_lines_busy=st.integers(0, 9))

START = datetime(2026, 3, 27, 23, tzinfo=UTC)


@given(parts=st.lists(st.tuples(st.integers(0, 24 * 4 - 1), tallies), max_size=30),
       by=st.sampled_from(("hour", "day", "week", "month")))
def test_rolling_up_any_buckets_then_to_total_equals_the_total(parts: list[tuple[int, Tally]], by: str) -> None:
    """Berlin across the spring-forward night: UTC hours rolled up into local periods, then all periods summed,
    give the same tally (and figures) as summing the UTC hours directly."""
    end = START + timedelta(days=4)
    periods = bucketing(START, end, by, "Europe/Berlin")  # type: ignore[arg-type]
    size = periods.utc_seconds
    assert size is not None
    first = int(START.timestamp()) // size
    rolled: dict[int, Tally] = {}
    for offset, tally in parts:
        index = periods.local_index(first + offset)
        rolled[index] = rolled.get(index, Tally()) + tally
    direct = sum((t for _, t in parts), Tally())
    via_periods = sum(rolled.values(), Tally())
    assert via_periods == direct or _close(via_periods, direct)
    assert derive(via_periods, occupancy=True, trunk=True, span_seconds=1.0).calls == direct.calls


def _close(a: Tally, b: Tally) -> bool:
    return all(getattr(a, f.name) == pytest.approx(getattr(b, f.name)) for f in fields(Tally))


@given(parts=st.lists(st.tuples(st.integers(0, 3), tallies), max_size=30))
def test_summing_in_place_by_key_equals_adding_the_tallies(parts: list[tuple[int, Tally]]) -> None:
    added: dict[int, Tally] = {}
    for key, tally in parts:
        added[key] = added[key] + tally if key in added else tally
    assert sum_by_key(parts) == added
