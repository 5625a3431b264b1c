"""Opening hours: weekly ranges (past midnight too), holidays, make-up working days (调休), and the next
opening, in Shanghai (no daylight saving) and in zones that have it; with Hypothesis properties and a
minute-by-minute oracle for the next opening."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from acd.hours import (
    ALWAYS_OPEN,
    FULL_DAY,
    OpeningHours,
    TimeRange,
    is_open,
    next_opening,
    week_from,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # daylight saving of half an hour
ZONES = (SHANGHAI, NEW_YORK, BERLIN, LORD_HOWE)

OFFICE = week_from({"mon-fri": ["08:00-18:00"], "sat": ["09:00-12:00"]})
NATIONAL_DAY = date(2026, 10, 1)  # a Thursday
MAKE_UP_SATURDAY = date(2026, 10, 10)  # 调休: worked like a Monday


def sh(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


# Parsing and validation ----------------------------------------------------------------------------------


def test_ranges_parse_and_print() -> None:
    assert TimeRange.parse("08:00-18:00") == TimeRange(480, 1080)
    assert TimeRange.parse(" 8:30-12:00 ") == TimeRange(510, 720)
    assert TimeRange.parse("00:00-24:00") == FULL_DAY
    night = TimeRange.parse("22:00-02:00")
    assert night.past_midnight and night.minutes == 240 and str(night) == "22:00-02:00"
    assert TimeRange.parse("22:00-00:00").minutes == 120  # to midnight, like 22:00-24:00


@pytest.mark.parametrize(("text", "message"), [
    ("25:00-26:00", "hours are 00-23"),
    ("08:00-24:30", "24:00 only as an end"),
    ("08:60-09:00", "minutes 00-59"),
    ("24:00-08:00", "hours are 00-23"),
    ("8-18", "write HH:MM-HH:MM"),
    ("08:00-08:00", "empty"),
])
def test_bad_ranges_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TimeRange.parse(text)


def test_a_week_names_days_or_spans_and_leaves_unnamed_days_closed() -> None:
    assert OFFICE[0] == OFFICE[4] == (TimeRange(480, 1080),)
    assert OFFICE[5] == (TimeRange(540, 720),) and OFFICE[6] == ()
    assert week_from({"fri-mon": ["10:00-11:00"]})[1:4] == ((), (), ())  # a span may wrap past Sunday
    assert week_from({"mon": ["14:00-18:00", "08:00-12:00"]})[0] == (TimeRange(480, 720), TimeRange(840, 1080))
    assert week_from({}) == ALWAYS_OPEN.week


@pytest.mark.parametrize(("schedule", "message"), [
    ({"monday": ["08:00-18:00"]}, "unknown day 'monday'"),
    ({"mon-fry": ["08:00-18:00"]}, "unknown day 'fry'"),
    ({"mon-fri": ["08:00-18:00"], "fri": ["09:00-10:00"]}, "fri is given twice"),
    ({"mon": ["08:00-12:00", "11:00-13:00"]}, "mon 08:00-12:00 overlaps mon 11:00-13:00"),
    ({"mon": ["22:00-02:00"], "tue": ["01:00-05:00"]}, "mon 22:00-02:00 overlaps tue 01:00-05:00"),
    ({"sun": ["23:00-01:00"], "mon": ["00:30-02:00"]}, "overlaps sun 23:00-01:00"),
    ({"sat": []}, "never open"),
])
def test_bad_weeks_say_what_is_wrong(schedule: dict[str, list[str]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        week_from(schedule)


def test_touching_ranges_do_not_overlap() -> None:
    week_from({"mon": ["08:00-12:00", "12:00-18:00"], "tue": ["00:00-24:00"], "wed": ["00:00-24:00"]})


def test_a_date_cannot_be_a_holiday_and_a_make_up_working_day() -> None:
    with pytest.raises(ValueError, match="both a holiday and a make-up working day"):
        OpeningHours(OFFICE, holidays=frozenset({NATIONAL_DAY}), workdays=frozenset({NATIONAL_DAY}))


def test_times_must_be_aware() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        is_open(ALWAYS_OPEN, datetime(2026, 1, 1, 12), SHANGHAI)


# Examples --------------------------------------------------------------------------------------------------


def test_office_hours_open_at_the_start_and_close_at_the_end() -> None:
    hours = OpeningHours(OFFICE)
    monday = date(2026, 9, 28)
    assert not is_open(hours, sh(monday, 7, 59), SHANGHAI)
    assert is_open(hours, sh(monday, 8), SHANGHAI)
    assert is_open(hours, sh(monday, 17, 59) + timedelta(seconds=59), SHANGHAI)
    assert not is_open(hours, sh(monday, 18), SHANGHAI)
    assert is_open(hours, sh(date(2026, 10, 3), 11), SHANGHAI)  # Saturday morning
    assert not is_open(hours, sh(date(2026, 10, 4), 11), SHANGHAI)  # Sunday


def test_the_same_instant_read_in_another_zone() -> None:
    hours = OpeningHours(OFFICE)
    instant = datetime(2026, 9, 28, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai, Sunday 21:00 in New York
    assert is_open(hours, instant, SHANGHAI) and not is_open(hours, instant, NEW_YORK)


def test_a_range_past_midnight_belongs_to_the_day_it_starts() -> None:
    hours = OpeningHours(week_from({"fri": ["22:00-02:00"]}))
    friday, saturday = date(2026, 10, 2), date(2026, 10, 3)
    assert is_open(hours, sh(friday, 23), SHANGHAI)
    assert is_open(hours, sh(saturday, 1, 59), SHANGHAI)
    assert not is_open(hours, sh(saturday, 2), SHANGHAI)
    assert not is_open(hours, sh(friday, 1), SHANGHAI)  # Thursday has no range
    assert next_opening(hours, sh(saturday, 2), SHANGHAI) == sh(date(2026, 10, 9), 22)


def test_a_holiday_is_closed_all_day_even_after_midnight_of_the_day_before() -> None:
    hours = OpeningHours(week_from({"mon-sun": ["22:00-02:00"]}), holidays=frozenset({NATIONAL_DAY}))
    assert not is_open(hours, sh(NATIONAL_DAY, 1), SHANGHAI)  # the 30th's range runs into a holiday
    assert not is_open(hours, sh(NATIONAL_DAY, 23), SHANGHAI)
    assert not is_open(hours, sh(NATIONAL_DAY + timedelta(days=1), 1), SHANGHAI)  # the holiday's range never began
    assert next_opening(hours, sh(NATIONAL_DAY, 0), SHANGHAI) == sh(NATIONAL_DAY + timedelta(days=1), 22)


def test_a_make_up_working_day_follows_mondays_hours_or_the_configured_day() -> None:
    holidays = frozenset(NATIONAL_DAY + timedelta(days=n) for n in range(7))  # 国庆 1-7 October
    hours = OpeningHours(OFFICE, holidays=holidays, workdays=frozenset({MAKE_UP_SATURDAY}))
    assert is_open(hours, sh(MAKE_UP_SATURDAY, 17), SHANGHAI)  # a Saturday worked like a Monday
    assert not is_open(hours, sh(date(2026, 10, 3), 10), SHANGHAI)  # a Saturday inside the holidays
    assert next_opening(hours, sh(date(2026, 9, 30), 18), SHANGHAI) == sh(date(2026, 10, 8), 8)
    like_saturday = OpeningHours(OFFICE, workdays=frozenset({MAKE_UP_SATURDAY}), workday_hours=5)
    assert not is_open(like_saturday, sh(MAKE_UP_SATURDAY, 17), SHANGHAI)
    assert is_open(like_saturday, sh(MAKE_UP_SATURDAY, 11), SHANGHAI)


def test_next_opening_is_now_when_open_and_none_beyond_the_search() -> None:
    hours = OpeningHours(OFFICE)
    now = sh(date(2026, 9, 28), 9, 30)
    assert next_opening(hours, now, SHANGHAI) == now
    everything_off = frozenset(date(2026, 9, 28) + timedelta(days=n) for n in range(30))
    closed = OpeningHours(OFFICE, holidays=everything_off)
    assert next_opening(closed, now, SHANGHAI) is None
    assert next_opening(closed, now, SHANGHAI, within=timedelta(days=40)) == sh(date(2026, 10, 28), 8)


def test_a_range_in_the_skipped_hour_opens_when_the_clock_jumps_into_it() -> None:
    hours = OpeningHours(week_from({"mon-sun": ["02:30-04:00"]}))
    opened = next_opening(hours, datetime(2026, 3, 8, 0, 0, tzinfo=NEW_YORK), NEW_YORK)  # clocks go 02:00 -> 03:00
    assert opened == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


def test_a_range_in_the_repeated_hour_opens_at_its_second_reading_too() -> None:
    hours = OpeningHours(week_from({"mon-sun": ["01:30-01:45"]}))
    after_first = datetime(2026, 11, 1, 1, 50, tzinfo=NEW_YORK)  # 01:50 EDT; then 01:00 again, in EST
    assert next_opening(hours, after_first, NEW_YORK) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


# Properties ------------------------------------------------------------------------------------------------

MOMENTS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))
CLOCK_CHANGES = (date(2026, 3, 8), date(2026, 11, 1), date(2026, 3, 29), date(2026, 10, 25), date(2026, 4, 5),
                 date(2026, 10, 4))  # New York, Berlin and Lord Howe change their clocks on these days
NEAR_CLOCK_CHANGES = st.builds(
    lambda day, minutes: datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minutes),
    st.sampled_from(CLOCK_CHANGES), st.integers(-3 * 1440, 1440))


@st.composite
def weeks(draw: st.DrawFn) -> tuple[tuple[TimeRange, ...], ...]:
    days = []
    for _ in range(7):
        marks = sorted(draw(st.sets(st.integers(0, 1440), max_size=4)))
        ranges = [TimeRange(a, b) for a, b in zip(marks[::2], marks[1::2], strict=False) if a < 1440]
        if draw(st.booleans()) and not marks:
            start = draw(st.integers(1, 1439))
            ranges.append(TimeRange(start, draw(st.integers(0, start - 1))))  # past midnight
        days.append(tuple(ranges))
    return tuple(days)


@st.composite
def schedules(draw: st.DrawFn, near: datetime) -> OpeningHours:
    week = draw(weeks())
    local = near.date()
    around = st.integers(-2, 10).map(lambda n: local + timedelta(days=n))
    holidays = draw(st.frozensets(around, max_size=4))
    workdays = draw(st.frozensets(around, max_size=2)) - holidays
    try:
        return OpeningHours(week, holidays, workdays, draw(st.integers(0, 6)))
    except ValueError:
        assume(False)
        raise


def first_open_minute(hours: OpeningHours, at: datetime, tz: tzinfo, within: timedelta) -> datetime | None:
    """The oracle: ``at`` if open, else the first whole UTC minute after it that is open."""
    if is_open(hours, at, tz):
        return at
    moment = at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while moment <= at + within:
        if is_open(hours, moment, tz):
            return moment
        moment += timedelta(minutes=1)
    return None


@settings(max_examples=300, deadline=None)
@given(data=st.data(), at=st.one_of(MOMENTS, NEAR_CLOCK_CHANGES), tz=st.sampled_from(ZONES))
def test_next_opening_is_open_and_nothing_opens_earlier(data: st.DataObject, at: datetime, tz: tzinfo) -> None:
    hours = data.draw(schedules(at))
    within = timedelta(days=3)  # the oracle walks every minute
    opened = next_opening(hours, at, tz, within=within)
    assert opened == first_open_minute(hours, at, tz, within)
    if opened is not None:
        assert is_open(hours, opened, tz) and opened >= at


@given(data=st.data(), at=MOMENTS, tz=st.sampled_from(ZONES))
def test_a_holiday_is_closed_at_every_instant(data: st.DataObject, at: datetime, tz: tzinfo) -> None:
    hours = data.draw(schedules(at))
    local_day = at.astimezone(tz).date()
    with_holiday = OpeningHours(hours.week, hours.holidays | {local_day}, hours.workdays - {local_day},
                                hours.workday_hours)
    assert not is_open(with_holiday, at, tz)


@given(at=MOMENTS, tz=st.sampled_from(ZONES))
def test_always_open_is_open_at_every_instant(at: datetime, tz: tzinfo) -> None:
    assert ALWAYS_OPEN.always_open
    assert is_open(ALWAYS_OPEN, at, tz) and next_opening(ALWAYS_OPEN, at, tz) == at


@given(data=st.data(), at=MOMENTS, tz=st.sampled_from(ZONES))
def test_a_make_up_working_day_is_open_when_its_weekday_would_be(data: st.DataObject, at: datetime,
                                                                   tz: tzinfo) -> None:
    hours = data.draw(schedules(at))
    local = at.astimezone(tz)
    day, before = local.date(), local.date() - timedelta(days=1)
    assume(day not in hours.holidays and before not in hours.holidays | hours.workdays)
    worked = OpeningHours(hours.week, hours.holidays, hours.workdays | {day}, hours.workday_hours)
    minute = local.hour * 60 + local.minute
    expected = (any(r.covers_same_day(minute) for r in hours.week[hours.workday_hours])
                or any(r.covers_next_day(minute) for r in hours.week[before.weekday()]))
    assert is_open(worked, at, tz) == expected
