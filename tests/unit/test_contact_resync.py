"""What a resync with Asterisk does to an open contact record (contacts.resync): pure, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from contacts.resync import resynced
from kernel.call_events import ChannelsResynced

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def seen(live: tuple[str, ...] = (), waiting: tuple[str, ...] = (), talking: dict[str, str] | None = None,
         when: float = 100) -> ChannelsResynced:
    talking = talking or {}
    return ChannelsResynced(at=at(when), live=live, waiting=waiting, talking=tuple(talking),
                            talking_seats=tuple(talking.values()))


def contact(**fields: Any) -> dict[str, Any]:
    return {"arrived_at": at(0), "queued_at": at(10), "answered_at": None, "talk_ended_at": None,
            "outcome": None, "offer_state": None, **fields}


def test_a_call_found_talking_keeps_its_answer_and_is_marked() -> None:
    found = resynced(contact(answered_at=at(20), seat="seat1001"), "c", seen(("c",), talking={"c": "seat1001"}),
                     short_abandon_seconds=5)
    assert found.parts == ("in_call",)
    assert found.changes == {"reconstructed": True}


def test_a_call_found_talking_whose_answer_was_never_seen_is_answered_at_the_resync() -> None:
    found = resynced(contact(offer_state="ringing"), "c", seen(("c",), talking={"c": "seat1002"}),
                     short_abandon_seconds=5)
    assert found.parts == ("in_call", "answered_at")
    assert found.changes["answered_at"] == at(100) and found.changes["seat"] == "seat1002"
    assert found.changes["wait_seconds"] == 90.0


def test_a_talk_that_ended_unseen_ends_at_the_resync_with_its_talk() -> None:
    found = resynced(contact(answered_at=at(20), seat="seat1001"), "c", seen(("other",)), short_abandon_seconds=5)
    assert found.parts == ("ended_at", "talk_ended_at")
    assert found.changes["ended_at"] == found.changes["talk_ended_at"] == at(100)
    assert found.changes["outcome"] == "answered" and found.changes["reconstructed"] is True


def test_a_wait_that_ended_unseen_is_an_abandon_at_the_resync() -> None:
    found = resynced(contact(), "c", seen(()), short_abandon_seconds=5)
    assert found.parts == ("ended_at",)
    assert found.changes["outcome"] == "abandoned" and found.changes["abandon_stage"] == "queue"


def test_a_caller_on_hold_is_marked_waiting_and_a_call_in_the_ivr_is_left_alone() -> None:
    assert resynced(contact(), "c", seen(("c",), waiting=("c",)), short_abandon_seconds=5).parts == ("waiting",)
    untouched = resynced(contact(queued_at=None), "c", seen(("c",)), short_abandon_seconds=5)
    assert untouched.parts == () and untouched.changes == {}
