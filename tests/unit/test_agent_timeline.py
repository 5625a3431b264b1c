"""The agent timeline core: state changes in, contiguous segments clipped to the period out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from acd.agents import AgentState
from reports.agent_timeline import LOGGED_OUT, Segment, StateChange, seconds_by_state, segments

START = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # local midnight in Shanghai
END = START + timedelta(days=1)
LATE = END + timedelta(days=1)  # "now", long after the period


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def change(minutes: float, state: str, reason: str = "", linkedid: str | None = None) -> StateChange:
    return StateChange(state, reason, at(minutes), linkedid)


def test_the_state_at_the_start_is_the_last_change_before_it() -> None:
    log = [change(-600, "not_ready"), change(-30, "ready"), change(60, "not_ready", "lunch"), change(90, "ready")]
    assert segments(log, START, END, LATE) == [
        Segment("ready", "", START, at(60)),
        Segment("not_ready", "lunch", at(60), at(90)),
        Segment("ready", "", at(90), END),
    ]


def test_no_change_before_or_in_the_period_is_absent() -> None:
    assert segments([], START, END, LATE) == []
    assert segments([change(24 * 60 + 5, "ready")], START, END, LATE) == []  # after the period only


def test_an_agent_who_logs_in_during_the_period_starts_there() -> None:
    log = [change(120, "not_ready"), change(125, "ready"), change(300, "logged_out"), change(400, "not_ready")]
    parts = segments(log, START, END, LATE)
    assert [(p.state, p.start, p.end) for p in parts] == [
        ("not_ready", at(120), at(125)), ("ready", at(125), at(300)), (LOGGED_OUT, at(300), at(400)),
        ("not_ready", at(400), END)]
    assert sum(seconds_by_state(parts).values()) == (300 - 120 + 24 * 60 - 400) * 60


def test_an_open_segment_ends_now() -> None:
    now = at(100)
    parts = segments([change(-5, "ready"), change(50, "offered", linkedid="c1"), change(200, "on_call")],
                     START, END, now)
    assert parts == [Segment("ready", "", START, at(50)), Segment("offered", "", at(50), now, "c1")]
    assert segments([change(-5, "ready")], START, END, START - timedelta(hours=1)) == []  # a future period


def test_same_state_again_merges_but_another_reason_or_call_splits() -> None:
    log = [change(0, "not_ready", "lunch"), change(10, "not_ready", "lunch"), change(20, "not_ready", "training"),
           change(30, "wrap_up", linkedid="a"), change(40, "wrap_up", linkedid="b")]
    parts = segments(log, START, at(50), LATE)
    assert [(p.reason, p.linkedid, p.seconds) for p in parts] == [
        ("lunch", None, 1200.0), ("training", None, 600.0), ("", "a", 600.0), ("", "b", 600.0)]


def test_changes_at_the_same_instant_keep_the_logs_order() -> None:
    parts = segments([change(10, "on_call"), change(10, "wrap_up")], START, at(20), LATE)
    assert [(p.state, p.start) for p in parts] == [("wrap_up", at(10))]


def test_seconds_by_state_lists_every_logged_in_state() -> None:
    totals = seconds_by_state([Segment("ready", "", at(0), at(1)), Segment(LOGGED_OUT, "", at(1), at(5))])
    assert set(totals) == {s.value for s in AgentState} - {LOGGED_OUT}
    assert totals["ready"] == 60.0 and sum(totals.values()) == 60.0


# --- invariants --------------------------------------------------------------------------------------------

STATES = [s.value for s in AgentState]
changes_strategy = st.lists(
    st.builds(change, st.integers(-3000, 3000), st.sampled_from(STATES), st.sampled_from(["", "lunch"]),
              st.sampled_from([None, "c1", "c2"])),
    max_size=30)


def logged_in_oracle(log: list[StateChange], start: datetime, stop: datetime) -> float:
    """Logged-in seconds within [start, stop), computed naively: each change's state lasts until the next
    change (in the log's order for ties), intersected with the window."""
    ordered = sorted(log, key=lambda c: c.at)
    total = 0.0
    for index, item in enumerate(ordered):
        until = ordered[index + 1].at if index + 1 < len(ordered) else datetime.max.replace(tzinfo=UTC)
        lo, hi = max(item.at, start), min(until, stop)
        if item.to_state != LOGGED_OUT and hi > lo:
            total += (hi - lo).total_seconds()
    return total


@given(changes_strategy, st.integers(-1000, 1500), st.integers(0, 3000), st.integers(-1000, 4000))
def test_segments_are_contiguous_inside_the_period_and_sum_to_the_logged_in_time(
        log: list[StateChange], start_min: int, length: int, now_min: int) -> None:
    start, end, now = at(start_min), at(start_min + length), at(now_min)
    parts = segments(log, start, end, now)
    stop = min(end, now)
    for part in parts:
        assert start <= part.start < part.end <= stop
    for earlier, later in pairwise(parts):
        assert earlier.end == later.start
        assert (earlier.state, earlier.reason, earlier.linkedid) != (later.state, later.reason, later.linkedid)
    if parts:
        assert parts[-1].end == stop
        if any(c.at <= start for c in log):
            assert parts[0].start == start
    logged = sum(seconds_by_state(parts).values())
    assert abs(logged - logged_in_oracle(log, start, stop)) < 0.01
