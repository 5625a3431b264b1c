"""The login limiter on its own: a window that slides, per key, with bounded memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from agent_console.login_limit import LoginLimiter

T0 = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def test_five_failures_then_wait_for_the_oldest_to_leave_the_window() -> None:
    limiter = LoginLimiter(5, 60)
    keys = LoginLimiter.keys("Agent1", "10.0.0.1")
    for second in range(5):
        assert limiter.retry_after(keys, T0 + timedelta(seconds=second)) is None
        limiter.failed(keys, T0 + timedelta(seconds=second))
    assert limiter.retry_after(keys, T0 + timedelta(seconds=5)) == 55
    assert limiter.retry_after(keys, T0 + timedelta(seconds=60)) is None  # the first failure has left


def test_success_clears_the_username_not_the_address() -> None:
    limiter = LoginLimiter(2, 60)
    user, address = LoginLimiter.keys("agent1", "10.0.0.1")
    limiter.failed((user, address), T0)
    limiter.failed((user, address), T0)
    limiter.succeeded(user)
    assert limiter.retry_after((user,), T0) is None
    assert limiter.retry_after((address,), T0) == 60


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 300), st.sampled_from(["a", "b", "c"])), max_size=40))
def test_refused_exactly_when_the_window_holds_max_failures(attempts: list[tuple[int, str]]) -> None:
    limiter, seen = LoginLimiter(3, 60), {"a": [], "b": [], "c": []}  # type: ignore[var-annotated]
    now = T0
    for step, key in attempts:
        now += timedelta(seconds=step % 30)
        recent = [t for t in seen[key] if t > now - timedelta(seconds=60)]
        wait = limiter.retry_after((key,), now)
        assert (wait is not None) == (len(recent) >= 3)
        if wait is None:
            limiter.failed((key,), now)
            seen[key].append(now)


def test_memory_is_bounded() -> None:
    limiter = LoginLimiter(5, 60, max_tracked=100)
    for n in range(1_000):
        limiter.failed((f"addr:{n}",), T0 + timedelta(seconds=n / 100))
    assert limiter.tracked() <= 100
    assert limiter.retry_after(("addr:999",), T0 + timedelta(seconds=10)) is None  # one failure: not limited
