"""The work-order rules as a pure core: every status move of the transition table, the closing rule (closing
callback or a reason), handover and reassignment, time limits and overdue at the boundary, and invariants over
random command sequences."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel.errors import Forbidden, InvalidInput, QingquanError
from work_orders.rules import (
    CATEGORIES,
    DEFAULT_LIMITS,
    NO_CALLBACK_REASONS,
    STATUSES,
    TRANSITIONS,
    Actor,
    Change,
    Close,
    ClosingCallbackRequired,
    Command,
    HandOver,
    IllegalTransition,
    LogCallback,
    Order,
    OrderClosed,
    Reassign,
    SetStatus,
    TimeLimits,
    decide,
    is_overdue,
    open_order,
    remaining_seconds,
)

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
OWNER, OTHER, BOSS = Actor(1), Actor(2), Actor(9, supervisor=True)


def order_in(status: str, **changes: object) -> Order:
    order, _ = open_order("leak", OWNER.user_id, OWNER.user_id, T0)
    return replace(order, status=status, **changes)  # type: ignore[arg-type]


def move(order: Order, to: str, actor: Actor = OWNER) -> tuple[Order, Change]:
    if to == "closed":
        return decide(order, Close(actor, no_callback_reason="customer_declined"), T0)
    return decide(order, SetStatus(actor, to, note="n", crew="抢修一队"), T0)  # type: ignore[arg-type]


@pytest.mark.parametrize(("start", "to"), [(a, b) for a in STATUSES for b in STATUSES])
def test_every_move_follows_the_transition_table(start: str, to: str) -> None:
    order = order_in(start)
    if to in TRANSITIONS[start]:  # type: ignore[index]
        after, change = move(order, to)
        assert after.status == to
        assert (change.from_status, change.to_status, change.actor_id) == (start, to, OWNER.user_id)
    else:
        with pytest.raises(OrderClosed if start == "closed" else IllegalTransition):
            move(order, to)
        assert order == order_in(start)  # the caller keeps the order it had


def test_the_happy_path_is_in_the_table() -> None:
    path = ["new", "in_progress", "dispatched", "awaiting_callback", "closed"]
    assert all(b in TRANSITIONS[a] for a, b in itertools.pairwise(path))  # type: ignore[index]
    assert TRANSITIONS["closed"] == frozenset()


def test_setting_closed_as_a_status_is_refused_close_checks_the_callback() -> None:
    with pytest.raises(IllegalTransition, match="close action"):
        decide(order_in("awaiting_callback"), SetStatus(OWNER, "closed"), T0)


def test_dispatching_needs_the_crew_and_the_history_names_it() -> None:
    with pytest.raises(InvalidInput, match="crew"):
        decide(order_in("in_progress"), SetStatus(OWNER, "dispatched", note=" ", crew="  "), T0)
    after, change = decide(order_in("in_progress"), SetStatus(OWNER, "dispatched", note="带阀门", crew="抢修二队"), T0)
    assert after.crew == "抢修二队"
    assert change.note == "crew: 抢修二队\n带阀门"
    by_note, change = decide(order_in("in_progress"), SetStatus(OWNER, "dispatched", note="已派维修班"), T0)
    assert (by_note.status, by_note.crew, change.note) == ("dispatched", "", "已派维修班")


def test_notes_are_kept_as_typed() -> None:
    typed = "  <script>alert(1)</script> 漏水\n"
    _, change = decide(order_in("new"), SetStatus(OWNER, "in_progress", note=typed), T0)
    assert change.note == typed


def test_only_the_owner_or_a_supervisor_changes_the_order() -> None:
    with pytest.raises(Forbidden):
        decide(order_in("new"), SetStatus(OTHER, "in_progress"), T0)
    with pytest.raises(Forbidden):
        decide(order_in("in_progress"), Close(OTHER, no_callback_reason="duplicate"), T0)
    after, change = decide(order_in("new"), SetStatus(BOSS, "in_progress"), T0)
    assert after.status == "in_progress" and change.actor_id == BOSS.user_id


# The closing rule --------------------------------------------------------------------------------------


def test_closing_without_a_callback_or_a_reason_is_refused() -> None:
    with pytest.raises(ClosingCallbackRequired, match="closing callback"):
        decide(order_in("awaiting_callback"), Close(OWNER, note="修好了"), T0)


@pytest.mark.parametrize("reason", [r for r in NO_CALLBACK_REASONS if r != "other"])
def test_a_reason_why_no_callback_was_possible_closes_it(reason: str) -> None:
    after, change = decide(order_in("in_progress"), Close(OWNER, no_callback_reason=reason), T0)  # type: ignore[arg-type]
    assert (after.status, after.closed_at, after.closing_reason) == ("closed", T0, reason)
    assert (change.action, change.from_status, change.to_status) == ("closed", "in_progress", "closed")


def test_reason_other_needs_a_note() -> None:
    with pytest.raises(InvalidInput, match="note"):
        decide(order_in("in_progress"), Close(OWNER, no_callback_reason="other", note=" "), T0)
    after, _ = decide(order_in("in_progress"), Close(OWNER, no_callback_reason="other", note="客户已搬走"), T0)
    assert after.closing_reason == "other"


def test_a_completed_closing_callback_lets_it_close_with_the_score() -> None:
    order = order_in("awaiting_callback")
    after, change = decide(order, LogCallback(OWNER, "completed", closing=True, note="reached", satisfaction=5), T0)
    assert (after.callback_completed, after.callback_satisfaction, after.status) == (True, 5, "awaiting_callback")
    assert change.action == "callback_completed"
    closed, _ = decide(after, Close(OWNER, note="已回访"), T0 + timedelta(minutes=1))
    assert (closed.status, closed.closing_reason, closed.callback_satisfaction) == ("closed", "callback", 5)


def test_a_failed_or_promised_callback_does_not_count_for_closing() -> None:
    order = order_in("awaiting_callback")
    failed, _ = decide(order, LogCallback(OWNER, "failed", closing=True, note="no answer"), T0)
    promised, _ = decide(order, LogCallback(OWNER, "completed", closing=False, satisfaction=4), T0)
    for state in (failed, promised):
        assert not state.callback_completed and state.callback_satisfaction is None
        with pytest.raises(ClosingCallbackRequired):
            decide(state, Close(OWNER), T0)


def test_a_dispatched_order_cannot_close_before_the_crew_is_back() -> None:
    with pytest.raises(IllegalTransition, match="dispatched to closed"):
        decide(order_in("dispatched", callback_completed=True), Close(OWNER), T0)


def test_a_closed_order_never_changes() -> None:
    closed, _ = decide(order_in("in_progress"), Close(OWNER, no_callback_reason="duplicate"), T0)
    for command in (SetStatus(BOSS, "in_progress"), HandOver(BOSS, 3, "r"), Reassign(BOSS, 3, "r"),
                    Close(BOSS, no_callback_reason="duplicate"), LogCallback(BOSS, "scheduled", closing=True)):
        with pytest.raises(OrderClosed):
            decide(closed, command, T0)


# Ownership ---------------------------------------------------------------------------------------------


def test_the_owner_hands_over_with_a_reason_and_the_first_owner_stays() -> None:
    with pytest.raises(InvalidInput, match="reason"):
        decide(order_in("in_progress"), HandOver(OWNER, 2, "  "), T0)
    after, change = decide(order_in("in_progress"), HandOver(OWNER, 2, "下班交接"), T0)
    assert (after.owner_id, after.first_owner_id, after.status) == (2, OWNER.user_id, "in_progress")
    assert (change.action, change.from_owner_id, change.to_owner_id, change.note) == (
        "handed_over", 1, 2, "下班交接")
    again, _ = decide(after, HandOver(OTHER, 3, "再交接"), T0)  # the new owner may hand it on
    assert (again.owner_id, again.first_owner_id) == (3, 1)


def test_handover_to_the_owner_is_refused_and_others_cannot_hand_it_over() -> None:
    with pytest.raises(InvalidInput, match="already belongs"):
        decide(order_in("new"), HandOver(OWNER, OWNER.user_id, "r"), T0)
    with pytest.raises(Forbidden):
        decide(order_in("new"), HandOver(OTHER, 3, "not mine"), T0)


def test_only_a_supervisor_reassigns_and_it_needs_a_reason() -> None:
    with pytest.raises(Forbidden, match="supervisor"):
        decide(order_in("new"), Reassign(OWNER, 2, "r"), T0)
    with pytest.raises(InvalidInput):
        decide(order_in("new"), Reassign(BOSS, 2, ""), T0)
    after, change = decide(order_in("new"), Reassign(BOSS, 2, "原话务员离职"), T0)
    assert (after.owner_id, after.first_owner_id, change.action, change.actor_id) == (2, 1, "reassigned", 9)


# Time limits -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("category", CATEGORIES)
def test_due_at_is_created_at_plus_the_categorys_limit(category: str) -> None:
    limits = TimeLimits({"repair": 24, "leak": 2.5, "consultation": 48, "complaint": 72, "query": 24,
                         "suggestion": 168})
    order, change = open_order(category, 5, 6, T0, limits)  # type: ignore[arg-type]
    assert order.due_at == T0 + timedelta(hours=limits.hours[category])  # type: ignore[index]
    assert (order.status, order.owner_id, order.first_owner_id) == ("new", 5, 5)
    assert (change.action, change.actor_id, change.to_status, change.to_owner_id) == ("created", 6, "new", 5)


def test_default_limits() -> None:
    assert DEFAULT_LIMITS.due_at("leak", T0) == T0 + timedelta(hours=4)
    assert DEFAULT_LIMITS.due_at("suggestion", T0) == T0 + timedelta(days=7)


def test_overdue_at_the_boundary() -> None:
    due = T0 + timedelta(hours=4)
    assert not is_overdue("in_progress", due, due) and remaining_seconds("in_progress", due, due) == 0
    assert remaining_seconds("new", due, due - timedelta(seconds=90.5)) == 90
    later = due + timedelta(microseconds=1)
    assert is_overdue("in_progress", due, later) and remaining_seconds("in_progress", due, later) == -1
    assert remaining_seconds("dispatched", due, due + timedelta(hours=1)) == -3600
    assert not is_overdue("closed", due, later) and remaining_seconds("closed", due, later) is None


# Invariants over random command sequences ---------------------------------------------------------------

actors = st.sampled_from([Actor(1), Actor(2), Actor(3), Actor(9, supervisor=True)])
texts = st.sampled_from(["", " ", "交接", "<b>x</b>"])
commands = st.one_of(
    st.builds(SetStatus, actors, st.sampled_from(STATUSES), texts, st.sampled_from(["", "抢修一队"])),
    st.builds(HandOver, actors, st.sampled_from([1, 2, 3]), texts),
    st.builds(Reassign, actors, st.sampled_from([1, 2, 3]), texts),
    st.builds(Close, actors, texts, st.one_of(st.none(), st.sampled_from(NO_CALLBACK_REASONS))),
    st.builds(LogCallback, actors, st.sampled_from(["scheduled", "completed", "failed", "cancelled"]),
              st.booleans(), texts, st.one_of(st.none(), st.integers(1, 5))),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(commands, max_size=30))
def test_random_command_sequences_keep_the_invariants(sequence: list[Command]) -> None:
    order, first = open_order("repair", 1, 1, T0)
    history, accepted, now = [first], 0, T0
    for command in sequence:
        now += timedelta(minutes=7)
        before = order
        try:
            order, change = decide(order, command, now)
        except QingquanError:
            assert order is before  # refused: nothing changed
            continue
        accepted += 1
        assert before.status != "closed", "a closed order changed"
        history.append(change)
        assert change.at == now and change.actor_id == command.actor.user_id
        assert order.status == before.status or order.status in TRANSITIONS[before.status]
    assert len(history) == accepted + 1  # one entry per accepted change, plus "created"
    assert order.owner_id in (1, 2, 3) and order.first_owner_id == 1
    assert sum(c.action == "closed" for c in history) == (order.status == "closed")
    if order.status == "closed":
        assert history[-1].action == "closed" and order.closed_at == history[-1].at
        assert order.closing_reason == "callback" or order.closing_reason in NO_CALLBACK_REASONS
    owners = [1] + [c.to_owner_id for c in history[1:] if c.to_owner_id is not None]
    assert owners[-1] == order.owner_id  # the history tells who owns it
    statuses = ["new"] + [c.to_status for c in history[1:] if c.to_status is not None]
    assert statuses[-1] == order.status  # and where it stands
