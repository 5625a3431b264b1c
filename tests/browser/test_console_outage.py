"""The console while the server cannot store a work order, in a real Chromium on a real hotline. The outage is
simulated at the HTTP level here (the browser hotline's database cannot be stopped under the running app): its
503 ``database_unavailable`` with Retry-After is what the real server answers while the database is away
(tests/db/test_database_outage.py stops a real PostgreSQL for that). The order waits as pending (待提交), survives
a reload, is sent again on its own with backoff under one Idempotency-Key, and is written exactly once — even when
the answer to a write that succeeded is lost on the way back. A pending order the server refuses comes back to
the form with the reason."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from playwright.sync_api import Page, Route, expect

from tests.support.hotline import RunningHotline

ORDERS = "**/api/work-orders"  # the creation only: the lists' URLs carry a query string
UNAVAILABLE = {"error": "database_unavailable", "message": "database unavailable, retry"}
RETRIES_MS = 30_000  # backoff of 2, 4, 8 s (±20 %): generous on a busy machine


def database_away(route: Route) -> None:
    route.fulfill(status=503, headers={"Retry-After": "1"}, content_type="application/json",
                  body=json.dumps(UNAVAILABLE))


def submit_order(page: Page, description: str) -> None:
    page.get_by_test_id("wo-category").select_option("leak")
    page.get_by_test_id("wo-description").fill(description)
    page.get_by_test_id("wo-submit").click()


def test_an_order_sent_during_an_outage_waits_as_pending_and_is_written_once(
        console_hotline: RunningHotline, open_page: Callable[..., Page]) -> None:
    page = open_page("agent1")
    description = f"停电后小区无水 {uuid.uuid4().hex[:8]}"
    keys: list[str | None] = []
    phase = {"now": "down"}

    def server(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        keys.append(route.request.headers.get("idempotency-key"))
        if phase["now"] == "down":
            database_away(route)
        elif phase["now"] == "answer_lost":  # written by the real server, but the answer never arrives
            route.fetch()
            phase["now"] = "up"
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(ORDERS, server)
    submit_order(page, description)
    expect(page.get_by_test_id("wo-msg")).to_contain_text("待提交")
    pending = page.get_by_test_id("wo-pending-item")
    expect(pending).to_have_count(1)
    expect(pending.get_by_test_id("wo-pending-tag")).to_have_text("待提交")
    expect(pending.locator(".desc")).to_have_text(description)
    expect(page.get_by_test_id("wo-description")).to_have_value("")  # the agent may go on with the next call

    page.reload()
    page.locator("body[data-live=up]").wait_for(state="attached")
    expect(pending.locator(".desc")).to_have_text(description)  # kept on this computer
    expect(pending).to_have_attribute("data-attempts", "2", timeout=RETRIES_MS)  # sent again on its own
    phase["now"] = "answer_lost"
    expect(pending).to_have_attribute("data-attempts", "3", timeout=RETRIES_MS)
    expect(pending).to_have_count(0, timeout=RETRIES_MS)  # the database is back: written
    expect(page.get_by_test_id("wo-msg")).to_contain_text("待提交的工单已写入")
    expect(page.get_by_test_id("wo-list").locator("li", has_text=description)).to_have_count(1)

    rows = console_hotline.query("SELECT client_key FROM work_order WHERE description = :d", d=description)
    assert len(rows) == 1 and len(keys) == 4 and set(keys) == {rows[0]["client_key"]}, (rows, keys)


def test_a_pending_order_the_server_refuses_comes_back_to_the_form(open_page: Callable[..., Page]) -> None:
    page = open_page("agent1", language="en")
    refusal = {"detail": [{"loc": ["body", "description"], "msg": "cannot be stored", "type": "value_error"}]}
    answers = iter([database_away, lambda route: route.fulfill(status=422, content_type="application/json",
                                                               body=json.dumps(refusal))])
    page.route(ORDERS, lambda route: next(answers)(route))
    submit_order(page, "burst main on Beijing Road")
    pending = page.get_by_test_id("wo-pending-item")
    expect(pending.get_by_test_id("wo-pending-tag")).to_have_text("pending")
    pending.get_by_test_id("wo-pending-retry").click()
    expect(pending).to_have_count(0)  # never dropped: back in the empty form, with the reason
    expect(page.get_by_test_id("wo-description")).to_have_value("burst main on Beijing Road")
    expect(page.get_by_test_id("wo-description-error")).to_have_text("cannot be stored")
    expect(page.get_by_test_id("wo-msg")).to_contain_text("Not saved")
