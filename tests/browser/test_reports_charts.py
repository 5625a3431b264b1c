"""The reports tab's charts in a real Chromium, on hand-built history written into the hotline's database: three
past days of calls (known calls per hour, waits, abandons) and one day of agent1's state changes. Each chart must
be drawn (a canvas of non-zero size with ink on it) from the numbers the report API gives, relabel when the
language changes, and an export must download a CSV that parses; no JavaScript error, no CSP violation (the
open_page fixture fails the test on either)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from acd.models import AgentStateChange
from contacts.models import Contact
from tests.support.hotline import RunningHotline

TZ = ZoneInfo("Asia/Shanghai")  # the hotline's default settings.timezone
TODAY = datetime.now(TZ).date()
DAYS = [TODAY - timedelta(days=n) for n in (12, 11, 10)]  # well before the calls other browser tests make
CHARTS = ("chart-heatmap", "chart-rates", "chart-abandon", "chart-timeline")

# (day index, local hour, minute, wait in queue or None for IVR only, answered?, short abandon?)
CALLS = [(0, 9, 5, 5, True, False), (0, 9, 20, 15, True, False), (0, 9, 40, 30, True, False),
         (0, 14, 10, 25, False, False), (1, 10, 15, 8, True, False), (1, 10, 30, 3, False, True),
         (1, 20, 0, None, False, False), (2, 9, 0, 50, True, False)]
CELLS = {(0, 9): 3, (0, 14): 1, (1, 10): 2, (1, 20): 1, (2, 9): 1}  # (day, hour) -> calls


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).astimezone(UTC)


def hand_built_contacts(agent_id: int) -> list[Contact]:
    contacts = []
    for n, (day, hour, minute, wait, answered, short) in enumerate(CALLS):
        arrived = local(DAYS[day], hour, minute)
        queued = arrived + timedelta(seconds=20) if wait is not None else None
        common: dict[str, Any] = {"linkedid": f"charts-{n}", "caller_number": f"1380000{n:04d}",
                                  "dialed_number": "96106", "arrived_at": arrived, "ivr_path": "main"}
        if queued is None:
            contacts.append(Contact(**common, outcome="self_service", ended_at=arrived + timedelta(seconds=60)))
        elif answered:
            answer = queued + timedelta(seconds=wait or 0)
            contacts.append(Contact(**common, queue="general", queued_at=queued, offered_at=answer,
                                    answered_at=answer, talk_ended_at=answer + timedelta(seconds=120),
                                    ended_at=answer + timedelta(seconds=120), agent_id=agent_id,
                                    outcome="answered", wait_seconds=wait, offer_count=1))
        else:
            contacts.append(Contact(**common, queue="general", queued_at=queued,
                                    ended_at=queued + timedelta(seconds=wait or 0), outcome="abandoned",
                                    wait_seconds=wait, short_abandon=short))
    return contacts


def hand_built_states(agent_id: int) -> list[AgentStateChange]:
    """agent1's last day: ready at 09:00, a call, wrap-up, ready, a meal break, logged out at 11:00."""
    steps = [(9, 0, "logged_out", "ready", ""), (9, 0, "ready", "offered", ""), (9, 1, "offered", "on_call", ""),
             (9, 3, "on_call", "wrap_up", ""), (9, 4, "wrap_up", "ready", ""), (10, 0, "ready", "not_ready", "meal"),
             (11, 0, "not_ready", "logged_out", "")]
    return [AgentStateChange(agent_id=agent_id, from_state=a, to_state=b, reason=reason,
                             at=local(DAYS[2], hour, minute) + timedelta(seconds=i))
            for i, (hour, minute, a, b, reason) in enumerate(steps)]


def agent1_id(hotline: RunningHotline) -> int:
    return int(hotline.query("SELECT id FROM app_user WHERE username = 'agent1'")[0]["id"])


@pytest.fixture(scope="module")
def history(console_hotline: RunningHotline) -> Iterator[RunningHotline]:
    """The hand-built rows, written once into the shared hotline's own database."""
    url = console_hotline.database_url or f"sqlite:///{console_hotline.root / 'var' / 'qingquan.db'}"
    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        agent_id = agent1_id(console_hotline)
        with Session(engine) as session, session.begin():
            session.add_all([*hand_built_contacts(agent_id), *hand_built_states(agent_id)])
    finally:
        engine.dispose()
    yield console_hotline


def api(hotline: RunningHotline, path: str, **params: str) -> Any:
    with hotline.client(hotline.login("super1")) as client:
        response = client.get(path, params=params)
        response.raise_for_status()
        return response.json()


def run_report(page: Page, first: date, last: date) -> None:
    """Sets the period, runs the report and waits until every part has loaded (the tab loads today's first)."""
    page.locator("#tab-reports[data-loaded]").wait_for(state="attached")
    page.get_by_test_id("report-from").fill(first.isoformat())
    page.get_by_test_id("report-to").fill(last.isoformat())
    reload_and_wait(page, lambda: page.get_by_test_id("report-refresh").click())


def reload_and_wait(page: Page, action: Callable[[], object]) -> None:
    before = page.evaluate("document.getElementById('tab-reports').dataset.loaded || ''")
    action()
    page.wait_for_function("(before) => (document.getElementById('tab-reports').dataset.loaded || '') !== before",
                           arg=before)


def option(page: Page, chart: str) -> Any:
    return page.evaluate("(id) => echarts.getInstanceByDom(document.getElementById(id)).getOption()", chart)


INK = """(id) => {
  const canvas = document.querySelector('#' + id + ' canvas');
  if (!canvas) return null;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i + 3] > 0 && !(pixels[i] > 245 && pixels[i + 1] > 245 && pixels[i + 2] > 245)) inked++;
  }
  return { width: canvas.width, height: canvas.height, inked };
}"""


def test_each_chart_is_drawn_from_the_report_numbers(open_page: Callable[..., Page],
                                                     history: RunningHotline) -> None:
    page = open_page("super1")
    page.get_by_test_id("tab-reports").click()
    run_report(page, DAYS[0], DAYS[-1])

    for chart in CHARTS:
        ink = page.evaluate(INK, chart)
        assert ink and ink["width"] > 0 and ink["height"] > 0, chart
        assert ink["inked"] > 500, (chart, ink)  # axes, cells, bars and lines: far more than a blank canvas

    # the heat-map: every hour of every day, the calls of each as the report counts them
    cells = option(page, "chart-heatmap")["series"][0]["data"]
    assert len(cells) == len(DAYS) * 24
    hourly = api(history, "/api/reports/metrics", **{"from": DAYS[0].isoformat(), "to": DAYS[-1].isoformat(),
                                                     "by": "hour"})
    from_api = {(DAYS.index(date.fromisoformat(r["period"][:10])), int(r["period"][11:13])): r["figures"]["calls"]
                for r in hourly["rows"]}
    drawn = {(day, hour): calls for hour, day, calls in cells if calls}
    assert drawn == {k: v for k, v in from_api.items() if v} == CELLS

    # answer rate and service level per day, in percent, and the goal line
    daily = api(history, "/api/reports/metrics", **{"from": DAYS[0].isoformat(), "to": DAYS[-1].isoformat(),
                                                    "by": "day"})
    rates = {r["period"]: r["figures"] for r in daily["rows"]}
    lines = option(page, "chart-rates")["series"]
    for series, figure in ((lines[0], "answer_rate"), (lines[1], "service_level")):
        expected = [None if rates.get(d.isoformat(), {}).get(figure) is None
                    else round(rates[d.isoformat()][figure] * 1000) / 10 for d in DAYS]
        assert series["data"] == expected, figure
    assert lines[2]["data"] == [80, 80, 80]

    # the abandon curve: abandons per wait bucket and the callers still waiting at each
    curve = api(history, "/api/reports/abandon-curve", **{"from": DAYS[0].isoformat(), "to": DAYS[-1].isoformat()})
    bars = option(page, "chart-abandon")["series"]
    assert bars[0]["data"] == [b["abandoned"] for b in curve["buckets"]]
    assert bars[2]["data"] == [b["waiting_at_start"] for b in curve["buckets"]]
    assert sum(bars[0]["data"]) == 1 and sum(bars[1]["data"]) == 1  # one abandon, one short abandon

    # the timeline of the period's last day: agent1's row with a bar per state segment
    expect(page.get_by_test_id("timeline-day")).to_have_value(DAYS[-1].isoformat())
    timeline = option(page, "chart-timeline")
    day = api(history, "/api/reports/agent-timeline", day=DAYS[-1].isoformat())
    agent1 = agent1_id(history)
    assert timeline["yAxis"][0]["data"] == [a["name"] for a in day["agents"] if a["agent_id"] == agent1]
    names = {s["name"]: len(s["data"]) for s in timeline["series"]}
    assert names == {"示闲": 2, "振铃中": 1, "通话中": 1, "话后处理": 1, "示忙": 1}

    # tooltips are drawn on the canvas: showing one breaks no CSP rule (open_page fails the test if it does)
    for chart in CHARTS:
        page.evaluate("(id) => echarts.getInstanceByDom(document.getElementById(id))"
                      ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0})", chart)

    # the charts follow the window's size
    width = page.evaluate("document.querySelector('#chart-heatmap canvas').clientWidth")
    page.set_viewport_size({"width": 1000, "height": 900})
    page.wait_for_function("(w) => document.querySelector('#chart-heatmap canvas').clientWidth < w", arg=width)

    # the agent report table: agent1 handled the five answered calls
    agents = api(history, "/api/reports/agents", **{"from": DAYS[0].isoformat(), "to": DAYS[-1].isoformat()})
    handled = next(r["handled"] for r in agents["rows"] if r["agent_id"] == agent1)
    row = page.locator(f"#report-agents tr[data-agent-id='{agent1}']")
    expect(row.locator("td[data-col=handled]")).to_have_text(str(handled))
    assert handled == 5


def test_the_language_switch_relabels_the_charts(open_page: Callable[..., Page], history: RunningHotline) -> None:
    page = open_page("super1")
    page.get_by_test_id("tab-reports").click()
    run_report(page, DAYS[0], DAYS[-1])
    assert option(page, "chart-heatmap")["series"][0]["name"] == "来电"
    assert option(page, "chart-rates")["series"][0]["name"] == "人工接通率"
    reload_and_wait(page, lambda: page.get_by_test_id("lang-select").select_option("en"))
    assert option(page, "chart-heatmap")["series"][0]["name"] == "Calls"
    assert option(page, "chart-rates")["series"][0]["name"] == "Answer rate"
    assert option(page, "chart-abandon")["series"][0]["name"] == "Abandoned"
    assert {s["name"] for s in option(page, "chart-timeline")["series"]} == {
        "Ready", "Ringing", "On call", "Wrap-up", "Not ready"}
    expect(page.locator("[data-figure=answer_rate] div").first).to_have_text("Answer rate")


def saved_csv(page: Page, test_id: str) -> tuple[str, list[list[str]]]:
    """Clicks an export button; the saved file's name and its rows (the BOM that Excel needs removed)."""
    button = page.get_by_test_id(test_id)
    expect(button).to_be_visible()
    with page.expect_download() as info:
        button.click()
    download = info.value
    with open(download.path(), encoding="utf-8-sig", newline="") as saved:
        rows = list(csv.reader(saved))
    assert len({len(row) for row in rows}) == 1, rows  # every row has the header's columns
    expect(page.get_by_test_id("export-note")).to_contain_text(download.suggested_filename)
    return download.suggested_filename, rows


def test_exports_download_csv_files_that_parse(open_page: Callable[..., Page], history: RunningHotline) -> None:
    page = open_page("super1")
    page.get_by_test_id("tab-reports").click()
    run_report(page, DAYS[0], DAYS[-1])
    name, rows = saved_csv(page, "export-calls-csv")
    assert name.endswith(f"{DAYS[0]}_{DAYS[-1]}.csv")
    assert len(rows) == 1 + len(CALLS)  # the header, then every call of the period
    name, rows = saved_csv(page, "export-metrics-csv")  # the figures per day
    assert name.startswith("metrics-day-") and name.endswith(f"{DAYS[0]}_{DAYS[-1]}.csv")
    calls = rows[0].index("来电总数 calls")
    assert sum(int(row[calls]) for row in rows[1:]) == len(CALLS)
