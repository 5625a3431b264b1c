"""Which outage applies to a supply zone at a moment, and the notice the IVR plays for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ivr.prompts import CATALOGUE
from outages.notice import OutageWindow, applicable_outage, notice_prompts, restoration_hour

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")


def outage(id: int = 1, zone: str = "north", kind: str = "planned", hours: float = 4,
           cancelled_at: datetime | None = None, start: datetime = T0) -> OutageWindow:
    return OutageWindow(id=id, supply_zone=zone, kind="emergency" if kind == "emergency" else "planned",
                        starts_at=start, ends_at=start + timedelta(hours=hours), cancelled_at=cancelled_at)


def test_window_includes_its_start_and_excludes_its_end() -> None:
    o = outage(hours=2)
    assert applicable_outage([o], ["north"], T0) == o
    assert applicable_outage([o], ["north"], T0 - timedelta(microseconds=1)) is None
    assert applicable_outage([o], ["north"], T0 + timedelta(hours=2) - timedelta(microseconds=1)) == o
    assert applicable_outage([o], ["north"], T0 + timedelta(hours=2)) is None


def test_only_the_callers_zones_count() -> None:
    assert applicable_outage([outage(zone="west")], ["north"], T0) is None
    assert applicable_outage([outage(zone="west")], ["north", "west"], T0) is not None
    assert applicable_outage([outage(zone="")], [""], T0) is None
    assert applicable_outage([outage()], [], T0) is None


def test_a_cancelled_outage_stops_applying_when_cancelled() -> None:
    o = outage(cancelled_at=T0 + timedelta(hours=1))
    assert applicable_outage([o], ["north"], T0 + timedelta(minutes=59)) == o
    assert applicable_outage([o], ["north"], T0 + timedelta(hours=1)) is None


def test_emergency_wins_then_the_latest_restoration_then_the_newest() -> None:
    planned_long = outage(1, hours=10)
    emergency = outage(2, kind="emergency", hours=3)
    planned_short = outage(3, hours=5)
    assert applicable_outage([planned_long, emergency, planned_short], ["north"], T0) == emergency
    assert applicable_outage([planned_short, planned_long], ["north"], T0) == planned_long
    assert applicable_outage([outage(4), outage(5)], ["north"], T0).id == 5  # type: ignore[union-attr]


def test_restoration_hour_is_local_and_rounded_up() -> None:
    assert restoration_hour(datetime(2026, 11, 23, 6, 0, tzinfo=UTC), SHANGHAI).hour == 14
    assert restoration_hour(datetime(2026, 11, 23, 6, 1, tzinfo=UTC), SHANGHAI).hour == 15
    late = restoration_hour(datetime(2026, 11, 23, 15, 30, tzinfo=UTC), SHANGHAI)  # 23:30 local
    assert (late.day, late.hour) == (24, 0)


def test_notice_reads_kind_date_and_hour_then_the_choice() -> None:
    o = outage(kind="emergency", hours=5)  # ends 06:00 UTC = 14:00 on 2026-11-23 in Shanghai
    assert notice_prompts(o, SHANGHAI) == (
        "outage-notice", "outage-emergency", "outage-restore",
        "d2", "d0", "d2", "d6", "year", "ten", "d1", "month", "d2", "ten", "d3", "day",
        "ten", "d4", "point", "outage-choice")
    assert notice_prompts(outage(), SHANGHAI)[1] == "outage-planned"


def test_every_notice_prompt_is_in_the_catalogue() -> None:
    for hour in range(24):
        start = datetime(2026, 12, 31, hour, 0, tzinfo=UTC)
        for kind in ("planned", "emergency"):
            assert set(notice_prompts(outage(kind=kind, start=start), SHANGHAI)) <= CATALOGUE.keys()
