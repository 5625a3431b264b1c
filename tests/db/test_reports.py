"""The summary figures and call log on hand-built contact sets whose answers are known."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from contacts.models import Contact
from kernel.errors import InvalidInput
from reports.summary import (
    DEFINITIONS,
    Summary,
    call_log,
    day_bounds,
    local_date,
    range_bounds,
    summarize,
)

DAY = date(2026, 11, 23)  # Shanghai: 2026-11-22 16:00 UTC .. 2026-11-23 16:00 UTC
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def contact(linkedid: str, arrived: datetime, *, queued: float | None = None, answered: float | None = None,
            ended: float | None = None, agent_id: int | None = None, queue: str | None = None,
            outcome: str | None = None, caller: str = "13800138000", short: bool = False) -> Contact:
    """A contact arriving at ``arrived``; the other times are seconds after arrival. A queued call that ended
    unanswered is abandoned (``short``: a short abandon) unless ``outcome`` says otherwise, as the contact
    record marks it."""

    def later(offset: float | None) -> datetime | None:
        return None if offset is None else arrived + timedelta(seconds=offset)

    if outcome is None and queued is not None and answered is None and ended is not None:
        outcome = "abandoned"
    return Contact(linkedid=linkedid, caller_number=caller, dialed_number="96106", arrived_at=arrived,
                   queued_at=later(queued), answered_at=later(answered), ended_at=later(ended),
                   agent_id=agent_id, queue=queue, outcome=outcome, ivr_path="main>billing",
                   offer_count=1 if answered is not None else 0, short_abandon=short)


def add(factory: sessionmaker[Session], *contacts: Contact) -> None:
    with factory() as session, session.begin():
        session.add_all(contacts)


def summary_for_day(factory: sessionmaker[Session], **filters: object) -> Summary:
    start, end = day_bounds(DAY)
    with factory() as session:
        return summarize(session, start, end, **filters)  # type: ignore[arg-type]


@pytest.fixture
def typical_day(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    add(session_factory,
        # answered after 10 s and 30 s in queue: ASA 20 s
        contact("a1", at(0), queued=20, answered=30, ended=200, agent_id=7, queue="billing"),
        contact("a2", at(600), queued=15, answered=45, ended=300, agent_id=8, queue="repair"),
        # abandoned after 50 s in queue: the longest wait
        contact("ab", at(1200), queued=10, ended=60, queue="billing"),
        # IVR only: self-served, not offered
        contact("ivr", at(1800), ended=90, outcome="self_service"),
        # IVR only, hung up in the menu: a call, but neither offered nor self-served
        contact("menu", at(2400), ended=20),
        # still waiting in queue: offered, neither answered nor abandoned, no wait yet
        contact("wait", at(3000), queued=5, queue="billing"))
    return session_factory


def test_typical_day(typical_day: sessionmaker[Session]) -> None:
    assert summary_for_day(typical_day) == Summary(
        calls=6, offered=4, answered=2, abandoned=1, answer_rate=0.5, abandon_rate=0.25,
        asa_seconds=20.0, longest_wait_seconds=50.0, self_served=1, short_abandoned=0,
        answered_within_target=1, service_level=pytest.approx(1 / 3))


def test_filters_by_queue_and_agent(typical_day: sessionmaker[Session]) -> None:
    billing = summary_for_day(typical_day, queue="billing")
    assert (billing.calls, billing.offered, billing.answered, billing.abandoned) == (3, 3, 1, 1)
    assert billing.asa_seconds == 10.0
    agent = summary_for_day(typical_day, agent_id=8)
    assert (agent.calls, agent.answered, agent.answer_rate, agent.asa_seconds) == (1, 1, 1.0, 30.0)


def test_one_answered_of_one_offered_is_100_percent(session_factory: sessionmaker[Session]) -> None:
    add(session_factory, contact("only", at(0), queued=3, answered=4.5, ended=60, agent_id=1))
    summary = summary_for_day(session_factory)
    assert (summary.offered, summary.answered, summary.answer_rate, summary.abandon_rate) == (1, 1, 1.0, 0.0)
    assert summary.asa_seconds == 1.5
    assert summary.longest_wait_seconds == 1.5


def test_empty_day_gives_zeros_and_no_rates(session_factory: sessionmaker[Session]) -> None:
    add(session_factory, contact("other-day", at(-86400), queued=1, answered=2, ended=3))
    assert summary_for_day(session_factory) == Summary(
        calls=0, offered=0, answered=0, abandoned=0, answer_rate=None, abandon_rate=None,
        asa_seconds=None, longest_wait_seconds=None, self_served=0, short_abandoned=0,
        answered_within_target=0, service_level=None)


def test_call_across_local_midnight_counts_on_the_day_it_arrived(
        session_factory: sessionmaker[Session]) -> None:
    start, end = day_bounds(DAY)
    add(session_factory,
        # 23:59:30 Shanghai, answered and ended on the next local day
        contact("late", end - timedelta(seconds=30), queued=10, answered=40, ended=600, agent_id=3),
        # the first instant of the day counts; the first instant of the next day does not
        contact("first", start, ended=5, outcome="self_service"),
        contact("next", end, queued=1, answered=2, ended=9))
    summary = summary_for_day(session_factory)
    assert (summary.calls, summary.answered, summary.self_served, summary.asa_seconds) == (2, 1, 1, 30.0)
    with session_factory() as session:
        next_day = summarize(session, *day_bounds(DAY + timedelta(days=1)))
    assert (next_day.calls, next_day.answered) == (1, 1)


def test_call_log_newest_first_with_all_fields(typical_day: sessionmaker[Session]) -> None:
    start, end = day_bounds(DAY)
    with typical_day() as session:
        log = call_log(session, start, end)
        assert [entry.linkedid for entry in log] == ["wait", "menu", "ivr", "ab", "a2", "a1"]
        assert [entry.linkedid for entry in call_log(session, start, end, limit=2, offset=1)] == [
            "menu", "ivr"]
        assert [entry.linkedid for entry in call_log(session, start, end, agent_id=8)] == ["a2"]
    a2 = log[4]
    assert (a2.caller_number, a2.account_number, a2.agent_id, a2.queue, a2.ivr_path, a2.outcome) == (
        "13800138000", None, 8, "repair", "main>billing", None)
    assert (a2.arrived_at, a2.queued_at, a2.answered_at, a2.ended_at) == (
        at(600), at(615), at(645), at(900))
    assert (a2.wait_seconds, a2.talk_seconds) == (30.0, 255.0)
    abandoned = log[3]
    assert (abandoned.wait_seconds, abandoned.talk_seconds) == (50.0, None)
    waiting, ivr = log[0], log[2]
    assert (waiting.wait_seconds, waiting.ended_at) == (None, None)
    assert (ivr.queued_at, ivr.wait_seconds, ivr.outcome) == (None, None, "self_service")
    assert all(entry.arrived_at.tzinfo is not None for entry in log)


def test_call_log_rejects_bad_paging(session_factory: sessionmaker[Session]) -> None:
    start, end = day_bounds(DAY)
    with session_factory() as session:
        for limit, offset in ((0, 0), (1001, 0), (10, -1)):
            with pytest.raises(InvalidInput):
                call_log(session, start, end, limit=limit, offset=offset)
        with pytest.raises(InvalidInput):
            summarize(session, start.replace(tzinfo=None), end)
        with pytest.raises(InvalidInput):
            summarize(session, end, start)


def test_day_and_range_bounds() -> None:
    assert day_bounds(DAY) == (datetime(2026, 11, 22, 16, tzinfo=UTC), datetime(2026, 11, 23, 16, tzinfo=UTC))
    assert day_bounds(DAY, "UTC") == (datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC))
    assert range_bounds(date(2026, 11, 1), date(2026, 11, 30)) == (
        datetime(2026, 10, 31, 16, tzinfo=UTC), datetime(2026, 11, 30, 16, tzinfo=UTC))
    # a 23-hour day where clocks spring forward
    start, end = day_bounds(date(2026, 3, 8), "America/New_York")
    assert end - start == timedelta(hours=23)
    assert local_date(datetime(2026, 11, 23, 16, 30, tzinfo=UTC)) == date(2026, 11, 24)
    with pytest.raises(InvalidInput):
        range_bounds(date(2026, 11, 2), date(2026, 11, 1))
    with pytest.raises(InvalidInput):
        day_bounds(DAY, "Mars/Olympus")


def test_every_figure_has_a_definition() -> None:
    assert set(DEFINITIONS) == set(Summary.__dataclass_fields__)
    assert DEFINITIONS["answer_rate"] == "answered / (offered − short_abandoned) (人工接通率)"


def test_short_abandons_are_kept_apart_and_left_out_of_the_rates(session_factory: sessionmaker[Session]) -> None:
    add(session_factory,
        contact("ans", at(0), queued=10, answered=25, ended=100, agent_id=1),      # 15 s: within 20 s
        contact("late", at(60), queued=10, answered=40, ended=100, agent_id=1),    # 30 s: answered late
        contact("gone", at(120), queued=10, ended=70),                             # abandoned after 60 s
        contact("blip", at(180), queued=10, ended=12, short=True),                 # short abandon
        contact("blip2", at(240), queued=10, ended=13, short=True))
    summary = summary_for_day(session_factory)
    assert (summary.offered, summary.answered, summary.abandoned, summary.short_abandoned) == (5, 2, 1, 2)
    assert summary.answer_rate == pytest.approx(2 / 3)      # answered / (offered − short abandons)
    assert summary.abandon_rate == pytest.approx(1 / 3)
    assert summary.answered_within_target == 1
    assert summary.service_level == pytest.approx(1 / 3)    # (answered − late) / (answered + abandoned)
    with session_factory() as session:
        tight = summarize(session, *day_bounds(DAY), service_target_seconds=10)
    assert (tight.answered_within_target, tight.service_level) == (0, 0.0)


def test_only_short_abandons_give_no_rates(session_factory: sessionmaker[Session]) -> None:
    add(session_factory, contact("blip", at(0), queued=10, ended=11, short=True))
    summary = summary_for_day(session_factory)
    assert (summary.offered, summary.short_abandoned, summary.abandoned) == (1, 1, 0)
    assert (summary.answer_rate, summary.abandon_rate, summary.service_level) == (None, None, None)


def test_a_queue_exit_other_than_hanging_up_is_not_an_abandon(session_factory: sessionmaker[Session]) -> None:
    add(session_factory,
        contact("cb", at(0), queued=10, ended=40, outcome="callback_requested"),
        contact("gone", at(60), queued=10, ended=40))
    summary = summary_for_day(session_factory)
    assert (summary.offered, summary.abandoned, summary.short_abandoned) == (2, 1, 0)


def test_call_log_shows_the_recorded_wait_and_abandon_details(session_factory: sessionmaker[Session]) -> None:
    ringing = contact("ring", at(0), queued=10, ended=14, short=True)
    ringing.wait_seconds, ringing.abandon_stage = 4.0, "ringing"
    add(session_factory, ringing)
    with session_factory() as session:
        [entry] = call_log(session, *day_bounds(DAY))
    assert (entry.outcome, entry.wait_seconds, entry.abandon_stage, entry.short_abandon) == (
        "abandoned", 4.0, "ringing", True)


def test_csat_is_the_share_of_4_and_5_ratings_with_the_response_rate(session_factory: sessionmaker[Session]) -> None:
    from contacts.models import ContactEvent
    from kernel.call_events import SurveyOffered

    rated = [contact(f"r{n}", at(60 * n), queued=5, answered=10, ended=200, agent_id=7) for n in range(4)]
    for row, score in zip(rated, (5, 4, 3, 5), strict=True):
        row.satisfaction = score
    unrated = contact("u", at(600), queued=5, answered=10, ended=200, agent_id=7)  # asked, hung up instead
    not_asked = contact("n", at(700), queued=5, answered=10, ended=200, agent_id=7)  # caller hung up first
    add(session_factory, *rated, unrated, not_asked)
    with session_factory() as session, session.begin():
        session.add_all([ContactEvent(linkedid=c.linkedid, type=SurveyOffered.wire_type, at=at(200), data={})
                         for c in (*rated, unrated)])
    figures = summary_for_day(session_factory)
    assert (figures.survey_offered, figures.survey_responses, figures.satisfied) == (5, 4, 3)
    assert figures.csat == 0.75 and figures.survey_response_rate == 0.8
    assert {"csat", "survey_response_rate"} <= DEFINITIONS.keys()
