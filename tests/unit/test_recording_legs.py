"""Which answered agent legs owe a recording: judged once both the answer and the end are known, whatever order
the ACD's word and Asterisk's events come in, each leg flagged at most once."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from recordings.legs import LegBook, MissedLeg

T0 = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
END = T0 + timedelta(seconds=5)


def test_an_answered_leg_that_ends_unrecorded_is_flagged_once_with_its_agent() -> None:
    book = LegBook()
    book.seat_answered("c1", "seat1")
    assert book.agent_answered("c1", "seat1", 7) is None  # still talking
    assert book.ended("c1", "seat1", END) == MissedLeg("c1", "seat1", 7, END)
    assert book.ended("c1", "seat1", END) is None
    assert book.calls_gone((), END) == []


def test_the_acds_answer_and_the_end_in_any_order_give_the_same_verdict() -> None:
    steps = {"asterisk": lambda b: b.seat_answered("c1", "seat1"),
             "acd": lambda b: b.agent_answered("c1", "seat1", 7),
             "end": lambda b: b.ended("c1", "seat1", END)}
    for order in itertools.permutations(steps):
        if order.index("asterisk") > order.index("end"):
            continue  # Asterisk tells a leg's answer before its hang-up
        book = LegBook()
        flagged = [m for m in (steps[name](book) for name in order) if m is not None]
        assert [(m.linkedid, m.seat, m.at) for m in flagged] == [("c1", "seat1", END)], order


def test_a_recorded_leg_a_leg_that_never_answered_and_a_ring_all_loser_are_not_flagged() -> None:
    book = LegBook()
    book.seat_answered("c1", "seat1")
    book.recorded("c1", "seat1")
    assert book.ended("c1", "seat1", END) is None
    assert book.agent_answered("c1", "seat1", 7) is None  # the ACD's word after the end of a recorded leg
    assert book.ended("c1", "seat2", END) is None  # rang with seat1, never answered
    assert book.calls_gone((), END) == []


def test_a_seat_rung_again_for_the_same_call_is_a_new_leg() -> None:
    book = LegBook()
    assert book.ended("c1", "seat1", T0) is None  # the first ring: no answer
    book.seat_answered("c1", "seat1")  # the re-offer
    book.recorded("c1", "seat1")
    assert book.agent_answered("c1", "seat1", 7) is None
    assert book.ended("c1", "seat1", END) is None


def test_a_leg_whose_call_is_gone_unseen_ends_at_the_resync() -> None:
    book = LegBook()
    book.agent_answered("c1", "seat1", 7)
    book.agent_answered("c2", "seat2", 8)
    assert book.calls_gone(("c2",), END) == [MissedLeg("c1", "seat1", 7, END)]
    assert book.ended("c1", "seat1", END + timedelta(seconds=1)) is None  # the late hang-up: judged already


def test_an_agents_own_call_owes_a_recording_only_once_the_customer_answered() -> None:
    book = LegBook()
    book.agent_answered("cb", "seat1", 7, talking=False)  # a callback: the agent answered, the customer rings
    assert book.ended("cb", "seat1", END) is None
    book.customer_answered("cb2")  # the customer answered before the ACD named the agent
    book.agent_answered("cb2", "seat2", 8, talking=False)
    assert book.ended("cb2", "seat2", END) == MissedLeg("cb2", "seat2", 8, END)
    book.agent_placed("qqo-1", "seat3", 9)  # click-to-call
    book.customer_answered("qqo-1")
    assert book.ended("qqo-1", "seat3", END) == MissedLeg("qqo-1", "seat3", 9, END)
    book.agent_placed("qqo-2", "seat3", 9)
    assert book.ended("qqo-2", "seat3", END) is None  # the customer never answered


def test_the_book_forgets_the_oldest_legs_beyond_its_capacity() -> None:
    book = LegBook(capacity=2)
    for n in range(3):
        book.seat_answered(f"c{n}", "seat1")
    assert book.ended("c0", "seat1", END) is None  # forgotten
    assert book.ended("c2", "seat1", END) is not None
