"""The abandon curve's buckets from counts of exits per bucket: the survival curve adds up."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.errors import InvalidInput
from reports.abandon_curve import KINDS, Bucket, bucket_count, curve


def test_buckets_up_to_ten_minutes_then_one_open_bucket() -> None:
    assert (bucket_count(10), bucket_count(7), bucket_count(600), bucket_count(1)) == (60, 86, 1, 600)
    buckets = curve({(0, "answered"): 2, (3, "abandoned"): 1, (99, "short_abandoned"): 1, (-1, "callbacks"): 1}, 200)
    assert buckets == [Bucket(0, 200, answered=2, callbacks=1, waiting_at_start=5),
                       Bucket(200, 400, waiting_at_start=2), Bucket(400, 600, waiting_at_start=2),
                       Bucket(600, None, abandoned=1, short_abandoned=1, waiting_at_start=2)]


@pytest.mark.parametrize("seconds", [0, 601, -1])
def test_bucket_size_is_checked(seconds: int) -> None:
    with pytest.raises(InvalidInput):
        bucket_count(seconds)


@given(st.dictionaries(st.tuples(st.integers(-2, 80), st.sampled_from(KINDS)), st.integers(0, 50)),
       st.integers(1, 600))
def test_the_survival_curve_falls_by_the_exits_of_each_bucket(exits: dict[tuple[int, str], int], size: int) -> None:
    buckets = curve(exits, size)
    assert buckets[0].waiting_at_start == sum(exits.values())
    assert buckets[-1].wait_to is None and all(b.wait_to == b.wait_from + size for b in buckets[:-1])
    for bucket, following in zip(buckets, [*buckets[1:], None], strict=True):
        left = bucket.abandoned + bucket.short_abandoned + bucket.answered + bucket.callbacks
        assert bucket.waiting_at_start - left == (following.waiting_at_start if following else 0)
