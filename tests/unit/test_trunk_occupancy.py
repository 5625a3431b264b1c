"""Trunk lines in use: AMI UserEvents to trunk events, the occupancy fold, and the per-interval figures
(peak lines, carried Erlangs, refusals) on hand-built rows."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contacts.trunk_lines import REFUSED, RELEASED, SEIZED, OccupancyChange, occupancy_change
from kernel.call_events import CallEnded, TrunkLineReleased, TrunkLinesBusy, TrunkLineSeized
from kernel.errors import InvalidInput
from reports.trunk_occupancy import IntervalOccupancy, OccupancySample, occupancy_by_interval
from telephony.ami_parse import parse_event

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
HOUR = timedelta(hours=1)
TRUNK = {"Channel": "PJSIP/trunk-00000001", "Uniqueid": "1700.1", "Linkedid": "1700.1",
         "CallerIDNum": "13800000001", "Context": "from-trunk"}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def seized(lines: int | None, minutes: float = 0, linkedid: str = "1") -> TrunkLineSeized:
    return TrunkLineSeized(at=at(minutes), linkedid=linkedid, channel="PJSIP/trunk-1", lines_in_use=lines)


def released(lines: int | None, minutes: float = 0, linkedid: str = "1") -> TrunkLineReleased:
    return TrunkLineReleased(at=at(minutes), linkedid=linkedid, channel="PJSIP/trunk-1", lines_in_use=lines)


def sample(minutes: float, lines: int, change: int) -> OccupancySample:
    return OccupancySample(at=at(minutes), lines_in_use=lines, change=change)


# --- AMI ----------------------------------------------------------------------------------------------------


def test_seized_and_released_user_events_carry_asterisks_count() -> None:
    assert parse_event({"Event": "UserEvent", "UserEvent": "QingquanTrunkSeized", **TRUNK, "Lines": "3"},
                       frozenset(), T0) == TrunkLineSeized(at=T0, linkedid="1700.1", channel="PJSIP/trunk-00000001",
                                                           lines_in_use=3)
    assert parse_event({"Event": "UserEvent", "UserEvent": "QingquanTrunkReleased", **TRUNK, "Lines": " 0 "},
                       frozenset(), T0) == TrunkLineReleased(at=T0, linkedid="1700.1",
                                                             channel="PJSIP/trunk-00000001", lines_in_use=0)


@pytest.mark.parametrize("lines", [None, "", "(null)", "-1", "many"])
def test_a_missing_or_bad_count_is_none(lines: str | None) -> None:
    fields = {"Event": "UserEvent", "UserEvent": "QingquanTrunkSeized", **TRUNK}
    if lines is not None:
        fields["Lines"] = lines
    event = parse_event(fields, frozenset(), T0)
    assert isinstance(event, TrunkLineSeized) and event.lines_in_use is None


def test_a_trunk_user_event_without_a_channel_is_ignored() -> None:
    assert parse_event({"Event": "UserEvent", "UserEvent": "QingquanTrunkReleased", "Lines": "1"},
                       frozenset(), T0) is None


# --- the fold -----------------------------------------------------------------------------------------------


def test_asterisks_count_is_taken_as_is() -> None:
    assert occupancy_change(None, seized(1)) == OccupancyChange(at(0), "1", SEIZED, 1)
    assert occupancy_change(7, seized(3)) == OccupancyChange(at(0), "1", SEIZED, 3)  # a missed release healed
    assert occupancy_change(3, released(2)) == OccupancyChange(at(0), "1", RELEASED, 2)


def test_without_a_count_the_last_one_is_stepped_and_never_goes_negative() -> None:
    assert occupancy_change(4, seized(None)).lines_in_use == 5  # type: ignore[union-attr]
    assert occupancy_change(4, released(None)).lines_in_use == 3  # type: ignore[union-attr]
    assert occupancy_change(0, released(None)).lines_in_use == 0  # type: ignore[union-attr]
    assert occupancy_change(None, released(None)).lines_in_use == 0  # type: ignore[union-attr]


def test_a_refusal_keeps_the_count() -> None:
    busy = TrunkLinesBusy(at=at(5), linkedid="2", caller_number="139")
    assert occupancy_change(120, busy) == OccupancyChange(at(5), "2", REFUSED, 120)
    assert occupancy_change(None, busy) == OccupancyChange(at(5), "2", REFUSED, 0)


def test_other_events_change_nothing() -> None:
    assert occupancy_change(3, CallEnded(at=T0, linkedid="1", channel="PJSIP/trunk-1", cause="")) is None


def test_restart_the_recorder_keeps_no_state_but_the_last_row() -> None:
    """Folding from the last stored count after a restart gives what an unbroken fold would have."""
    events = [seized(1, 0, "a"), seized(2, 1, "b"), released(1, 2, "a"), seized(None, 3, "c"), released(None, 4, "b")]
    unbroken, last = [], None
    for event in events:
        change = occupancy_change(last, event)
        assert change is not None
        unbroken.append(change.lines_in_use)
        last = change.lines_in_use
    restarted = []
    for stored_last, event in zip([None, *unbroken[:-1]], events, strict=True):
        restarted.append(occupancy_change(stored_last, event).lines_in_use)  # type: ignore[union-attr]
    assert restarted == unbroken == [1, 2, 1, 2, 1]


# --- intervals ----------------------------------------------------------------------------------------------


def test_a_call_across_the_hour_counts_in_both_hours() -> None:
    rows = [sample(30, 1, SEIZED), sample(90, 0, RELEASED)]  # 09:30 .. 10:30
    assert occupancy_by_interval(0, rows, T0, T0 + 2 * HOUR) == [
        IntervalOccupancy(T0, T0 + HOUR, peak_lines=1, carried_erlangs=0.5, refused=0, seized=1),
        IntervalOccupancy(T0 + HOUR, T0 + 2 * HOUR, peak_lines=1, carried_erlangs=0.5, refused=0, seized=0),
    ]


def test_lines_in_use_before_the_period_carry_in() -> None:
    [hour] = occupancy_by_interval(2, [sample(15, 1, RELEASED), sample(45, 0, RELEASED)], T0, T0 + HOUR)
    assert (hour.peak_lines, hour.carried_erlangs, hour.seized) == (2, 1.0, 0)  # 2·¼ + 1·½ = 1 Erlang


def test_refusals_are_counted_and_keep_the_count() -> None:
    rows = [sample(0, 1, SEIZED), sample(10, 2, SEIZED), sample(20, 2, REFUSED), sample(25, 2, REFUSED),
            sample(40, 1, RELEASED), sample(50, 0, RELEASED)]
    [hour] = occupancy_by_interval(0, rows, T0, T0 + HOUR)
    assert (hour.peak_lines, hour.refused, hour.seized) == (2, 2, 2)
    assert hour.carried_erlangs == pytest.approx((10 * 1 + 30 * 2 + 10 * 1) / 60, abs=1e-4)


def test_a_change_at_the_boundary_belongs_to_the_hour_it_starts() -> None:
    rows = [sample(0, 3, SEIZED), sample(60, 0, RELEASED)]
    first, second = occupancy_by_interval(2, rows, T0, T0 + 2 * HOUR)
    assert (first.peak_lines, first.carried_erlangs, first.seized) == (3, 3.0, 1)  # 2 held for no time
    assert (second.peak_lines, second.carried_erlangs) == (0, 0.0)


def test_a_missed_release_is_healed_by_the_next_count() -> None:
    """The app was down while call "a" ended: its release is missing; the next seizure reports the truth."""
    rows = [sample(0, 1, SEIZED), sample(10, 2, SEIZED), sample(40, 1, SEIZED)]
    [hour] = occupancy_by_interval(0, rows, T0, T0 + HOUR)
    assert hour.peak_lines == 2
    assert hour.carried_erlangs == pytest.approx((10 * 1 + 30 * 2 + 20 * 1) / 60, abs=1e-4)


def test_no_rows_means_the_count_holds() -> None:
    assert occupancy_by_interval(5, [], T0, T0 + 2 * HOUR) == [
        IntervalOccupancy(T0, T0 + HOUR, 5, 5.0, 0, 0), IntervalOccupancy(T0 + HOUR, T0 + 2 * HOUR, 5, 5.0, 0, 0)]


def test_the_last_interval_is_cut_at_the_end() -> None:
    first, last = occupancy_by_interval(0, [sample(70, 1, SEIZED)], T0, T0 + 90 * timedelta(minutes=1))
    assert (last.start, last.end, last.carried_erlangs) == (T0 + HOUR, at(90), round(20 / 30, 4))
    assert first.carried_erlangs == 0.0


def test_bad_periods_are_refused() -> None:
    with pytest.raises(InvalidInput):
        occupancy_by_interval(0, [], T0 + HOUR, T0)
    with pytest.raises(InvalidInput):
        occupancy_by_interval(0, [], T0.replace(tzinfo=None), T0 + HOUR)
    with pytest.raises(InvalidInput):
        occupancy_by_interval(0, [], T0, T0 + HOUR, interval=timedelta(0))
    with pytest.raises(InvalidInput):
        occupancy_by_interval(0, [], T0, T0 + timedelta(days=365), interval=timedelta(seconds=1))


changes = st.lists(st.tuples(st.integers(0, 7199), st.integers(0, 120),
                             st.sampled_from([SEIZED, RELEASED, REFUSED])), max_size=40)


@given(st.integers(0, 120), changes, st.sampled_from([timedelta(minutes=15), HOUR, timedelta(minutes=7)]))
def test_intervals_add_up_to_the_whole_and_stay_within_their_peak(
        before: int, raw: list[tuple[int, int, int]], interval: timedelta) -> None:
    rows = sorted((OccupancySample(T0 + timedelta(seconds=s), lines, change) for s, lines, change in raw),
                  key=lambda r: r.at)
    end = T0 + 2 * HOUR
    intervals = occupancy_by_interval(before, rows, T0, end, interval)
    assert intervals[0].start == T0 and intervals[-1].end == end
    assert all(a.end == b.start for a, b in itertools.pairwise(intervals))
    assert all(0 <= i.carried_erlangs <= i.peak_lines + 1e-9 for i in intervals)
    assert sum(i.refused for i in intervals) == sum(c == REFUSED for _, _, c in raw)
    assert sum(i.seized for i in intervals) == sum(c == SEIZED for _, _, c in raw)
    [whole] = occupancy_by_interval(before, rows, T0, end, end - T0)
    weighted = sum(i.carried_erlangs * (i.end - i.start).total_seconds() for i in intervals)
    rounding = 0.0001 * (end - T0).total_seconds() * 2  # each figure is rounded to 4 digits
    assert weighted == pytest.approx(whole.carried_erlangs * (end - T0).total_seconds(), abs=rounding)
    assert whole.peak_lines == max(i.peak_lines for i in intervals)
