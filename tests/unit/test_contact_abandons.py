"""The caller's wait, the abandon stage and short abandons, folded from a call's events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from contacts.record import changes_for, final_outcome
from kernel.call_events import AgentRinging, CallEnded, OfferAnswered, OfferFailed
from kernel.events import Event
from tests.unit.test_contact_record import T0, arrival, at, offered, queued  # queued at 20 s, offered at 21 s


def fold(events: list[Event], short_abandon_seconds: float = 5.0) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for event in events:
        row.update(changes_for(row, event, short_abandon_seconds=short_abandon_seconds))
    return row


def ended(seconds: float) -> CallEnded:
    return CallEnded(at=T0 + timedelta(seconds=seconds), linkedid="1", channel="PJSIP/trunk-1", cause="")


def ringing(seconds: int) -> AgentRinging:
    return AgentRinging(at=at(seconds), linkedid="1", seat="seat7", agent_channel="PJSIP/seat7-1")


def failed(seconds: int, status: str) -> OfferFailed:
    return OfferFailed(at=at(seconds), linkedid="1", seat="seat7", status=status)


def test_answered_call_waited_from_queued_to_answered() -> None:
    row = fold([arrival(), queued(), offered(7), ringing(22),
                OfferAnswered(at=at(26), linkedid="1", seat="seat7"), ended(90)])
    assert (row["outcome"], row["wait_seconds"], row["offer_state"]) == ("answered", 6.0, "answered")
    assert row.get("abandon_stage") is None and not row.get("short_abandon")


def test_hang_up_while_waiting_is_an_abandon_in_the_queue_with_its_wait() -> None:
    row = fold([arrival(), queued(), ended(50)])
    assert (row["outcome"], row["abandon_stage"], row["wait_seconds"], row["short_abandon"]) == (
        "abandoned", "queue", 30.0, False)


@pytest.mark.parametrize(("events", "stage"), [
    ([offered(7)], "ringing"),                                   # offered, before the seat rang
    ([offered(7), ringing(22)], "ringing"),
    ([offered(7), ringing(22), failed(25, "CANCEL")], "ringing"),  # Dial's CANCEL comes before the hang-up
    ([offered(7), ringing(22), failed(28, "NOANSWER")], "queue"),  # back in the queue after no answer
    ([offered(7), failed(22, "REDIRECT_FAILED")], "queue"),
])
def test_abandon_stage_is_where_the_caller_was(events: list[Event], stage: str) -> None:
    row = fold([arrival(), queued(), *events, ended(40)])
    assert (row["outcome"], row["abandon_stage"], row["wait_seconds"]) == ("abandoned", stage, 20.0)


@pytest.mark.parametrize(("waited", "short"), [(4.999, True), (5.0, False), (30.0, False)])
def test_short_abandon_is_below_the_threshold(waited: float, short: bool) -> None:
    row = fold([arrival(), queued(), ended(20 + waited)])
    assert (row["outcome"], row["short_abandon"]) == ("abandoned", short)
    assert row["wait_seconds"] == pytest.approx(waited)


def test_threshold_is_configurable() -> None:
    assert fold([arrival(), queued(), ended(50)], short_abandon_seconds=3600)["short_abandon"] is True
    assert fold([arrival(), queued(), ended(20.5)], short_abandon_seconds=0)["short_abandon"] is False


def test_a_chosen_queue_exit_is_never_an_abandon() -> None:
    current = {"queued_at": at(20), "outcome": "callback_requested"}
    assert final_outcome(current) == "callback_requested"
    changes = changes_for(current, ended(60))
    assert changes == {"ended_at": ended(60).at, "outcome": "callback_requested"}


def test_events_after_the_answer_do_not_move_the_offer_state() -> None:
    row = fold([arrival(), queued(), offered(7), OfferAnswered(at=at(26), linkedid="1", seat="seat7"),
                failed(27, "CANCEL")])
    assert row["offer_state"] == "answered"
