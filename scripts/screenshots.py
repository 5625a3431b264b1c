"""Screenshots of the console and the wallboard for the README: starts a demo hotline on free ports (its own
private Asterisk and database), registers a SIP seat phone, drives a real call through the IVR to agent1 and
queues a second one, then saves docs/console.png and docs/wallboard.png with Debian's headless Chromium; then
writes a week of generated history (reports.history) and a day of agent states, and saves the reports tab as
docs/reports.png.

    .venv/bin/python scripts/screenshots.py [OUTPUT_DIR]                 # docs/ by default
    .venv/bin/python scripts/screenshots.py --reports-only [OUTPUT_DIR]  # only docs/reports.png (no calls)
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlalchemy  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from acd.models import AgentStateChange  # noqa: E402
from reports.history import generate, write_history  # noqa: E402
from tests.support.baresip import BaresipPhone, free_port, free_sip_port  # noqa: E402
from tests.support.hotline import RunningHotline, start_hotline, wait_for  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1440, "height": 1000}
TZ = ZoneInfo("Asia/Shanghai")  # the demo hotline's timezone
REPORT_DAYS = 7


def phone(root: Path, user: str, hotline: RunningHotline, seat: str | None = None) -> BaresipPhone:
    started = BaresipPhone(workdir=root / f"phone-{user}", sip_port=free_sip_port(), ctrl_port=free_port(),
                           user=seat or user, registrar_port=hotline.sip_port if seat else None,
                           password=hotline.seats[seat] if seat else None, auto_answer=seat is not None)
    started.start()
    return started


def sign_in(page: Page, hotline: RunningHotline, username: str) -> None:
    page.goto(hotline.base_url + "/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill("qingquan-demo")
    page.get_by_test_id("login-submit").click()
    page.locator("body[data-live=up]").wait_for(state="attached")


def dial(caller: BaresipPhone, hotline: RunningHotline) -> None:
    caller.dial(f"sip:96106@127.0.0.1:{hotline.sip_port}")
    caller.wait_event("CALL_ESTABLISHED", timeout=10)
    time.sleep(1.0)


def agent_day(agent_id: int, day: date, rng: random.Random) -> list[AgentStateChange]:
    """A plausible shift: ready, offered, on call, wrap-up, again and again, a meal at noon and a short break."""
    changes: list[AgentStateChange] = []
    state, at = "logged_out", datetime(day.year, day.month, day.day, 8, 30 + rng.randrange(20), tzinfo=TZ)

    def to(new: str, reason: str = "") -> None:
        nonlocal state
        changes.append(AgentStateChange(agent_id=agent_id, from_state=state, to_state=new, reason=reason,
                                        at=at.astimezone(UTC)))
        state = new

    to("ready")
    while at.hour < 17 or (at.hour == 17 and at.minute < 30):
        if at.hour == 12 and state == "ready":
            to("not_ready", "meal")
            at = at.replace(hour=13, minute=rng.randrange(5))
            to("ready")
        elif at.hour == 15 and at.minute < 10 and state == "ready":
            to("not_ready", "break")
            at += timedelta(minutes=15)
            to("ready")
        at += timedelta(seconds=rng.uniform(60, 600))
        to("offered")
        at += timedelta(seconds=rng.uniform(3, 12))
        to("on_call")
        at += timedelta(seconds=rng.lognormvariate(5.1, 0.4))
        to("wrap_up", "after_call_work")
        at += timedelta(seconds=rng.uniform(20, 60))
        to("ready")
    to("logged_out")
    return changes


def seed_report_history(hotline: RunningHotline, last_day: date) -> None:
    """The week up to ``last_day`` from the history generator, and that day's shifts of the demo agents."""
    url = hotline.database_url or f"sqlite:///{hotline.root / 'var' / 'qingquan.db'}"
    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    first = datetime.combine(last_day - timedelta(days=REPORT_DAYS - 1), datetime.min.time(), TZ)
    rows = (row for row in generate(last_day, 1, 150_000, seed=96106) if row["arrived_at"] >= first)
    written = write_history(sessionmaker(engine), rows)
    rng = random.Random(6)
    agents = hotline.query("SELECT id FROM app_user WHERE username IN ('agent1', 'agent2') ORDER BY username")
    with Session(engine) as session, session.begin():
        session.add_all([change for agent in agents for change in agent_day(agent["id"], last_day, rng)])
    engine.dispose()
    print(f"wrote {written} calls of {REPORT_DAYS} days up to {last_day}")


def reports_shot(browser: Browser, hotline: RunningHotline, out: Path) -> None:
    last_day = datetime.now(TZ).date() - timedelta(days=1)
    seed_report_history(hotline, last_day)
    page = browser.new_context(viewport=VIEWPORT, timezone_id="Asia/Shanghai").new_page()  # the hotline's zone
    sign_in(page, hotline, "super1")
    page.get_by_test_id("tab-reports").click()
    page.locator("#tab-reports[data-loaded]").wait_for(state="attached")
    page.get_by_test_id("report-from").fill((last_day - timedelta(days=REPORT_DAYS - 1)).isoformat())
    page.get_by_test_id("report-to").fill(last_day.isoformat())
    before = page.evaluate("document.getElementById('tab-reports').dataset.loaded || ''")
    page.get_by_test_id("report-refresh").click()
    page.wait_for_function("(b) => (document.getElementById('tab-reports').dataset.loaded || '') !== b", arg=before)
    page.wait_for_timeout(500)
    page.screenshot(path=str(out / "reports.png"), full_page=True)
    print(f"saved {out / 'reports.png'}")


def reports_only(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        hotline = start_hotline(Path(tempfile.mkdtemp(prefix="qq-screens-")) / "hotline")
        stack.callback(hotline.stop)
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        stack.callback(browser.close)
        reports_shot(browser, hotline, out)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="qq-screens-"))
    with ExitStack() as stack:
        hotline = start_hotline(root / "hotline", acd={"wrapup_seconds": 60.0})
        stack.callback(hotline.stop)
        seat = phone(root, "agent", hotline, seat="seat1001")
        stack.callback(seat.stop)
        token = hotline.login("agent1")
        with hotline.client(token) as c:  # an earlier, still open order of the caller's account: the pop shows it
            c.post("/api/work-orders", json={"category": "repair", "priority": "normal", "account_number": "10001234",
                                             "description": "楼道水表箱门损坏，需更换", "address": "五华区青年路 1 号"})
            c.post("/api/work-orders", json={"category": "query", "priority": "low", "account_number": "10005678",
                                             "description": "查询上月用水量"})
            wait_for(lambda: next(s for s in c.get("/api/seats").json() if s["seat"] == "seat1001")["registered"],
                     what="seat1001 to register")

        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        stack.callback(browser.close)
        console = browser.new_context(viewport=VIEWPORT).new_page()
        sign_in(console, hotline, "agent1")
        console.get_by_test_id("seat-select").select_option("seat1001")
        console.get_by_test_id("btn-ready").click()
        expect(console.get_by_test_id("state-badge")).to_have_attribute("data-state", "ready")
        board = browser.new_context(viewport=VIEWPORT).new_page()
        sign_in(board, hotline, "super1")
        board.get_by_test_id("tab-wallboard").click()

        caller = phone(root, "13800000001", hotline)
        stack.callback(caller.stop)
        dial(caller, hotline)
        caller.send_dtmf("1")                  # hear the bill
        time.sleep(1.5)
        caller.send_dtmf("10001234#")          # the demo account
        deadline = time.monotonic() + 40
        while console.get_by_test_id("pop-caller").text_content() != "13800000001":
            if time.monotonic() > deadline:
                raise TimeoutError("no screen pop")
            caller.send_dtmf("0")              # an agent, once the bill has been read
            console.wait_for_timeout(1500)
        expect(console.get_by_test_id("state-badge")).to_have_attribute("data-state", "on_call")
        console.get_by_test_id("wo-category").select_option("leak")
        console.get_by_test_id("wo-priority").select_option("high")
        console.get_by_test_id("wo-description").fill("水表前阀门漏水，用户已关闭总阀，请尽快派人维修。")

        waiting = phone(root, "13900000002", hotline)  # a second caller waits: the agent is busy
        stack.callback(waiting.stop)
        dial(waiting, hotline)
        waiting.send_dtmf("0")
        expect(board.locator("#wb-queues tr[data-queue=general]").get_by_test_id("wb-waiting")).to_have_text(
            "1", timeout=20000)
        expect(board.locator("#wb-agents tr[data-agent-id]", has_text="agent1")
               .get_by_test_id("wb-agent-state")).to_have_text("通话中")
        board.wait_for_timeout(3000)           # the longest wait and the times in state tick
        console.screenshot(path=str(out / "console.png"))
        board.screenshot(path=str(out / "wallboard.png"))
        print(f"saved {out / 'console.png'} and {out / 'wallboard.png'}")
        reports_shot(browser, hotline, out)


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--reports-only"]
    target = Path(arguments[0]) if arguments else REPO / "docs"
    if "--reports-only" in sys.argv:
        reports_only(target)
    else:
        main(target)
