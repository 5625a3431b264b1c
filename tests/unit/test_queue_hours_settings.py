"""Opening hours, holidays, make-up working days and the night service in the settings: checked strictly with
messages that say what is wrong, read from TOML, and handed to the ACD policy and the night service."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from acd.hours import ALWAYS_OPEN, TimeRange
from config.acd_policy import acd_policy
from config.hours import night_modes
from config.settings import Settings, load_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


def with_queue(**queue: Any) -> Settings:
    return Settings(acd={"queues": [{"name": "general", **queue}]})


def test_by_default_every_queue_is_open_around_the_clock_with_a_message_at_night() -> None:
    settings = Settings()
    assert acd_policy(settings).queue("general").hours == ALWAYS_OPEN
    assert acd_policy(settings).timezone == SHANGHAI
    assert night_modes(settings) == {"general": "message"}


def test_hours_holidays_and_workdays_become_the_queues_opening_hours() -> None:
    settings = with_queue(hours={"mon-fri": ["08:00-18:00"], "sat": ["09:00-12:00", "22:00-02:00"]},
                          holidays=["2026-10-01"], workdays=[date(2026, 10, 10)], workday_hours="fri",
                          night_service="callback")
    policy = acd_policy(settings)
    hours = policy.queue("general").hours
    assert hours.week[0] == (TimeRange(480, 1080),) and hours.week[6] == ()
    assert hours.week[5] == (TimeRange(540, 720), TimeRange(1320, 120))
    assert (hours.holidays, hours.workdays, hours.workday_hours) == (
        frozenset({date(2026, 10, 1)}), frozenset({date(2026, 10, 10)}), 4)
    assert not policy.is_open("general", datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI))
    assert policy.is_open("general", datetime(2026, 10, 10, 17, 0, tzinfo=SHANGHAI))
    assert night_modes(settings) == {"general": "callback"}


@pytest.mark.parametrize(("queue", "message"), [
    ({"hours": {"monday": ["08:00-18:00"]}}, r"acd\.queues\[general\]\.hours: unknown day 'monday'"),
    ({"hours": {"mon": ["25:00-26:00"]}}, r"bad range '25:00-26:00': hours are 00-23"),
    ({"hours": {"mon": ["8h-18h"]}}, r"write HH:MM-HH:MM"),
    ({"hours": {"mon": ["08:00-12:00", "11:00-18:00"]}}, r"mon 08:00-12:00 overlaps mon 11:00-18:00"),
    ({"hours": {"mon-fri": ["08:00-18:00"], "wed": ["19:00-20:00"]}}, r"wed is given twice"),
    ({"hours": {"sun": []}}, r"never open"),
    ({"hours": {"mon": ["08:00-18:00"]}, "holidays": ["2026-10-01"], "workdays": ["2026-10-01"]},
     r"2026-10-01 is both a holiday and a make-up working day"),
    ({"workdays": ["2026-10-10"]}, r"workdays need hours"),
    ({"holidays": ["2026-02-30"]}, r"holidays"),
    ({"workday_hours": "monday"}, r"workday_hours"),
    ({"night_service": "voicemail"}, r"night_service"),
])
def test_bad_hours_are_refused_with_a_clear_message(queue: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        with_queue(**queue)


def test_the_timezone_must_be_known() -> None:
    with pytest.raises(ValidationError, match="not a known IANA time zone"):
        Settings(timezone="Asia/Beijing")


def test_hours_read_from_a_toml_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "settings.toml"
    toml.write_text('''
[acd]
queue = "general"

[[acd.queues]]
name = "general"

[[acd.queues]]
name = "billing"
hours = { mon-fri = ["08:00-18:00"], sat = ["09:00-12:00"] }
holidays = [2026-10-01, 2026-10-02]
workdays = [2026-10-10]
night_service = "callback"
''')
    monkeypatch.setenv("QINGQUAN_SETTINGS_FILE", str(toml))  # as load_settings(toml) does, undone after the test
    settings = load_settings()
    billing = acd_policy(settings).queue("billing").hours
    assert billing.holidays == {date(2026, 10, 1), date(2026, 10, 2)} and billing.workdays == {date(2026, 10, 10)}
    assert billing.week[4] == (TimeRange(480, 1080),)
    assert acd_policy(settings).queue("general").hours.always_open
    assert night_modes(settings) == {"general": "message", "billing": "callback"}
