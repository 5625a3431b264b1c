"""The callback rules as a pure core (回访 and promised call-backs), and the work-order settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from config.settings import Settings
from kernel.errors import Forbidden, InvalidInput
from work_orders.callback_rules import (
    OUTCOMES,
    Callback,
    CallbackClosed,
    Cancel,
    Place,
    QueueCallbackReadOnly,
    RecordOutcome,
    completes_closing,
    decide_callback,
)
from work_orders.rules import Actor

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
OWNER, OTHER, BOSS = Actor(1), Actor(2), Actor(9, supervisor=True)


def scheduled(kind: str = "closing") -> Callback:
    return Callback(kind=kind, status="scheduled", owner_id=OWNER.user_id)  # type: ignore[arg-type]


@pytest.mark.parametrize(("outcome", "status"), [("reached", "done"), ("declined", "done"), ("no_answer", "failed"),
                                                 ("busy", "failed"), ("wrong_number", "failed")])
def test_each_outcome_ends_the_callback(outcome: str, status: str) -> None:
    score = 4 if outcome == "reached" else None
    after = decide_callback(scheduled(), RecordOutcome(OWNER, outcome, score), T0)  # type: ignore[arg-type]
    assert (after.status, after.outcome, after.satisfaction, after.done_at) == (status, outcome, score, T0)
    assert completes_closing(after) == (status == "done")
    assert set(OUTCOMES) == {"reached", "declined", "no_answer", "busy", "wrong_number"}


def test_a_closing_callback_that_reached_the_customer_needs_the_score() -> None:
    with pytest.raises(InvalidInput, match="satisfaction"):
        decide_callback(scheduled(), RecordOutcome(OWNER, "reached"), T0)
    promised = decide_callback(scheduled("promised"), RecordOutcome(OWNER, "reached"), T0)
    assert promised.status == "done" and not completes_closing(promised)


@pytest.mark.parametrize("score", [0, 6, True])
def test_the_score_is_1_to_5(score: int) -> None:
    with pytest.raises(InvalidInput, match="1 to 5"):
        decide_callback(scheduled(), RecordOutcome(OWNER, "reached", score), T0)


def test_no_score_without_reaching_the_customer() -> None:
    with pytest.raises(InvalidInput, match="only when the customer was reached"):
        decide_callback(scheduled(), RecordOutcome(OWNER, "no_answer", 3), T0)


def test_placed_then_outcome() -> None:
    placed = decide_callback(scheduled(), Place(OWNER, "1700000000.42"), T0)
    assert (placed.status, placed.placed_linkedid) == ("placed", "1700000000.42")
    done = decide_callback(placed, RecordOutcome(OWNER, "reached", 5), T0 + timedelta(minutes=2))
    assert (done.status, done.satisfaction, done.placed_linkedid) == ("done", 5, "1700000000.42")


def test_a_finished_callback_never_changes() -> None:
    for finished in (decide_callback(scheduled(), RecordOutcome(OWNER, "busy"), T0),
                     decide_callback(scheduled(), Cancel(OWNER, "客户已来电"), T0)):
        for command in (Place(BOSS, "x"), RecordOutcome(BOSS, "reached", 5), Cancel(BOSS, "again")):
            with pytest.raises(CallbackClosed):
                decide_callback(finished, command, T0)


def test_cancel_needs_a_reason_and_only_the_owner_or_a_supervisor_changes_it() -> None:
    with pytest.raises(InvalidInput, match="reason"):
        decide_callback(scheduled(), Cancel(OWNER, " "), T0)
    with pytest.raises(Forbidden):
        decide_callback(scheduled(), RecordOutcome(OTHER, "busy"), T0)
    assert decide_callback(scheduled(), Cancel(BOSS, "重复"), T0).status == "cancelled"


def test_queue_callbacks_are_the_acds() -> None:
    with pytest.raises(QueueCallbackReadOnly):
        decide_callback(scheduled("queue"), Cancel(BOSS, "no"), T0)


def test_work_order_settings_fill_defaults_and_refuse_nonsense() -> None:
    limits = Settings.model_validate({"work_orders": {"time_limits": {"leak": 2}}}).work_orders.limits()
    assert limits.hours == {"repair": 24, "leak": 2, "consultation": 48, "complaint": 72, "query": 24,
                            "suggestion": 168}
    with pytest.raises(ValidationError, match="unknown categories leek"):
        Settings.model_validate({"work_orders": {"time_limits": {"leek": 2}}})
    with pytest.raises(ValidationError, match="more than 0"):
        Settings.model_validate({"work_orders": {"time_limits": {"leak": 0}}})
    with pytest.raises(ValidationError, match="closing_callback_hours"):
        Settings.model_validate({"work_orders": {"closing_callback_hours": -1}})
