"""The post-call survey on the contact record: the score is kept whether the caller's hang-up is recorded
before or after it, and never changes how the call ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contacts.record import changes_for, is_contact_event, valid_score
from kernel.call_events import (
    AgentLegEnded,
    CallArrived,
    CallEnded,
    CallOffered,
    CallQueued,
    OfferAnswered,
    SurveyAnswered,
    SurveyOffered,
)
from kernel.events import Event

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def fold(events: list[Event]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for event in events:
        row.update(changes_for(row, event))
    return row


def agent_call() -> list[Event]:
    return [CallArrived(at=at(0), linkedid="1", channel="PJSIP/trunk-1", caller_number="138", dialed_number="96106"),
            CallQueued(at=at(10), linkedid="1", channel="PJSIP/trunk-1", queue="general", account_number=None,
                       priority=0, ivr_path="main>agent>queue", caller_number="138"),
            OfferAnswered(at=at(12), linkedid="1", seat="seat1001"),
            AgentLegEnded(at=at(60), linkedid="1", seat="seat1001"),
            SurveyOffered(at=at(60), linkedid="1")]


ENDED = CallEnded(at=at(75), linkedid="1", channel="PJSIP/trunk-1", cause="Normal Clearing")
ANSWERED = SurveyAnswered(at=at(70), linkedid="1", score=4)


@pytest.mark.parametrize("last_two", [(ANSWERED, ENDED), (ENDED, ANSWERED)], ids=["answer-first", "end-first"])
def test_the_score_is_stored_in_either_order(last_two: tuple[Event, Event]) -> None:
    row = fold([*agent_call(), *last_two])
    assert (row["satisfaction"], row["satisfaction_at"]) == (4, at(70))
    assert (row["outcome"], row["ended_at"], row["answered_at"]) == ("answered", at(75), at(12))


def test_offered_and_not_answered_leaves_no_score() -> None:
    row = fold([*agent_call(), ENDED])
    assert "satisfaction" not in row and row["outcome"] == "answered"


def test_survey_events_are_contact_events() -> None:
    assert is_contact_event(SurveyOffered(at=T0, linkedid="1"))
    assert is_contact_event(ANSWERED)
    assert changes_for({}, SurveyOffered(at=T0, linkedid="1")) == {}  # kept in the event log only


@pytest.mark.parametrize("score", [0, 6, -1, True])
def test_a_score_out_of_range_is_ignored(score: int) -> None:
    assert not valid_score(score)
    assert changes_for({"satisfaction": 3}, SurveyAnswered(at=T0, linkedid="1", score=score)) == {}


def offered(seat: str = "seat1001") -> CallOffered:
    return CallOffered(at=at(11), linkedid="1", agent_id=7, seat=seat, channel="PJSIP/trunk-1", queue="general",
                       account_number=None, caller_number="138", ivr_path="main>agent>queue")


def test_the_talk_ends_when_the_agent_hangs_up_not_after_the_survey() -> None:
    events = agent_call()
    row = fold([*events[:2], offered(), *events[2:], ANSWERED, ENDED])
    assert (row["answered_at"], row["talk_ended_at"], row["ended_at"]) == (at(12), at(60), at(75))


def test_another_seats_leg_ending_is_not_the_end_of_the_talk() -> None:
    events = agent_call()
    other = AgentLegEnded(at=at(13), linkedid="1", seat="seat1002")  # a ring-all seat that did not answer
    row = fold([*events[:2], offered(), events[2], other, ENDED])
    assert row["talk_ended_at"] == at(75)  # the caller hung up first: the talk ended with the call


def test_an_unanswered_call_has_no_talk() -> None:
    events = agent_call()
    row = fold([*events[:2], offered(), ENDED])
    assert "talk_ended_at" not in row
