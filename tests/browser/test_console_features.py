"""Features whose API is built on other branches (callbacks, click-to-call, recordings, the order's status flow,
supervision, overdue and unowned orders): the console reads which routes the server has from its OpenAPI
document and hides, or marks unavailable, what is missing. Against the agreed shapes, the same console is driven
here with those routes served by the test (the real server answers everything else): what a user clicks is
sent as the API expects, and what comes back is shown."""

from __future__ import annotations

import io
import json
import math
import re
import struct
import wave
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from playwright.sync_api import Page, Route, expect

from tests.support.hotline import RunningHotline

AGREED = {  # route -> operation, as the other branches define them
    "/api/callbacks": {"get": {"parameters": [{"name": "scope", "in": "query"}]}},
    "/api/callbacks/{callback_id}/outcome": {"post": {}},
    "/api/agent/dial": {"post": {}},
    "/api/agent/transfer": {"post": {}},
    "/api/recordings": {"get": {"parameters": [{"name": "linkedid", "in": "query"}]}},
    "/api/recordings/{recording_id}/audio": {"get": {}},
    "/api/work-orders/{order_id}/status": {"post": {}},
    "/api/work-orders/{order_id}/handover": {"post": {}},
    "/api/work-orders/{order_id}/reassign": {"post": {}},
    "/api/work-orders/{order_id}/close": {"post": {}},
    "/api/supervision/spy": {"post": {}},
}


def served_paths(hotline: RunningHotline) -> dict[str, Any]:
    return dict(httpx.get(hotline.base_url + "/openapi.json", timeout=10).json()["paths"])


def test_features_the_server_lacks_are_hidden_or_unavailable(console_hotline: RunningHotline,
                                                             open_page: Callable[..., Page]) -> None:
    paths = served_paths(console_hotline)
    page = open_page("agent1")
    expect(page.get_by_test_id("callbacks-unavailable")).to_be_visible(visible="/api/callbacks" not in paths)
    expect(page.get_by_test_id("recordings-unavailable")).to_be_visible(visible="/api/recordings" not in paths)
    expect(page.locator("#wo-status-form")).to_be_hidden()  # shown only in an order's detail, if the route exists
    board = open_page("super1")
    board.get_by_test_id("tab-wallboard").click()
    expect(board.get_by_test_id("wb-spy-unavailable")).to_be_visible(visible="/api/supervision/spy" not in paths)
    scoped = any(p["name"] == "scope" for p in paths["/api/work-orders"]["get"].get("parameters", []))
    expect(board.get_by_test_id("wb-orders-unavailable")).to_be_visible(visible=not scoped)


class AgreedApi:
    """The routes of the other branches, served with the agreed shapes; records what the page sends."""

    def __init__(self, page: Page) -> None:
        self.sent: list[tuple[str, str, Any]] = []
        self.page = page
        page.route("**/openapi.json", self.openapi)

    def openapi(self, route: Route) -> None:
        doc = route.fetch().json()
        doc["paths"].update(AGREED)
        doc["paths"]["/api/work-orders"]["get"].setdefault("parameters", []).append({"name": "scope", "in": "query"})
        route.fulfill(status=200, content_type="application/json", body=json.dumps(doc))

    def serve(self, fragment: str, answer: Any, status: int = 200, content_type: str = "application/json") -> None:
        """Answers every request whose URL contains ``fragment`` (after the host, ``*`` matching anything)."""
        pattern = re.compile(r"^https?://[^/]+" + ".*".join(map(re.escape, fragment.split("*"))) + "$")

        def handle(route: Route) -> None:
            request = route.request
            body = request.post_data_json if request.method in ("POST", "PUT") else None
            self.sent.append((request.method, request.url, body))
            payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            route.fulfill(status=status, content_type=content_type, body=payload)
        self.page.route(pattern, handle)

    def bodies(self, method: str, fragment: str) -> list[Any]:
        return [body for m, url, body in self.sent if m == method and fragment in url]


def tone_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
                               for n in range(int(seconds * rate))))
    return buffer.getvalue()


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def test_callbacks_click_to_call_and_the_outcome(open_page: Callable[..., Page]) -> None:
    page = open_page()
    api = AgreedApi(page)
    api.serve("/api/callbacks?scope=mine", [
        {"id": 7, "kind": "closing", "number": "13900001111", "due_at": iso(timedelta(hours=1)), "status": "pending",
         "work_order_id": 3}])
    api.serve("/api/agent/dial", {"ok": True})
    api.serve("/api/callbacks/7/outcome", {"id": 7, "status": "done"})
    page.get_by_test_id("login-username").fill("agent1")
    page.get_by_test_id("login-password").fill("qingquan-demo")
    page.get_by_test_id("login-submit").click()

    row = page.locator("#cb-list li[data-callback-id='7']")
    expect(row.get_by_test_id("cb-number")).to_have_text("13900001111")
    expect(row).to_contain_text("办结回访")
    row.get_by_test_id("cb-call").click()
    expect(page.get_by_test_id("toast")).to_contain_text("13900001111")
    assert api.bodies("POST", "/api/agent/dial") == [{"number": "13900001111", "callback_id": 7, "work_order_id": 3}]

    expect(page.get_by_test_id("cb-outcome-form")).to_be_visible()
    page.get_by_test_id("cb-outcome").select_option("reached")
    page.get_by_test_id("cb-outcome-submit").click()
    expect(page.locator("#cb-outcome-form .form-msg")).to_have_text("已接通的回访请选择满意度")
    page.get_by_test_id("cb-satisfaction").select_option("5")
    page.get_by_test_id("cb-note").fill("用户表示满意 <img src=x onerror=alert(1)>")
    page.get_by_test_id("cb-outcome-submit").click()
    expect(page.get_by_test_id("cb-outcome-form")).to_be_hidden()
    assert api.bodies("POST", "/api/callbacks/7/outcome") == [
        {"outcome": "reached", "note": "用户表示满意 <img src=x onerror=alert(1)>", "satisfaction": 5}]


def test_a_calls_recording_plays_in_the_page(open_page: Callable[..., Page]) -> None:
    page = open_page()
    api = AgreedApi(page)
    api.serve("/api/calls?*", [{"linkedid": "1700000000.11", "caller_number": "13800000001", "account_number": None,
                                "queue": "general", "ivr_path": "main>agent>queue",
                                "arrived_at": iso(-timedelta(minutes=5)),
                                "answered_at": iso(-timedelta(minutes=4)), "ended_at": iso(-timedelta(minutes=2)),
                                "wait_seconds": 3.2, "talk_seconds": 95.0, "outcome": "answered"}])
    api.serve("/api/recordings?linkedid=*", [{"id": 3, "started_at": iso(-timedelta(minutes=4)),
                                              "duration_seconds": 1.0, "agent_id": 1}])
    api.serve("/api/recordings/3/audio", tone_wav(), content_type="audio/wav")
    page.get_by_test_id("login-username").fill("agent1")
    page.get_by_test_id("login-password").fill("qingquan-demo")
    page.get_by_test_id("login-submit").click()

    page.locator("#calls-table tr[data-linkedid='1700000000.11']").get_by_test_id("calls-recordings").click()
    expect(page.get_by_test_id("rec-for")).to_contain_text("1700000000.11")
    page.get_by_test_id("rec-play").click()
    audio = page.get_by_test_id("rec-audio")
    expect(audio).to_have_attribute("data-recording-id", "3")
    page.wait_for_function("document.querySelector('#rec-audio').src.startsWith('blob:')"
                           " && document.querySelector('#rec-audio').duration > 0.9")
    assert any("/api/recordings/3/audio" in url for _, url, _ in api.sent)


def test_an_orders_status_flow_and_a_supervisors_reassign(open_page: Callable[..., Page]) -> None:
    page = open_page()
    api = AgreedApi(page)
    api.serve("/api/work-orders/*/status", {"ok": True})
    page.get_by_test_id("login-username").fill("agent1")
    page.get_by_test_id("login-password").fill("qingquan-demo")
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("wo-category").select_option("repair")
    page.get_by_test_id("wo-description").fill("小区水压低")
    page.get_by_test_id("wo-submit").click()
    page.get_by_test_id("wo-list").locator("li", has_text="小区水压低").click()
    expect(page.get_by_test_id("wo-detail-description")).to_have_text("小区水压低")
    expect(page.locator("#wo-handover-form")).to_be_visible()
    expect(page.locator("#wo-close-form")).to_be_visible()
    page.get_by_test_id("wo-status").select_option("dispatched")
    page.get_by_test_id("wo-status-note").fill("已派维修班")
    page.get_by_test_id("wo-status-submit").click()
    expect(page.get_by_test_id("toast")).to_have_text("已保存")
    assert api.bodies("POST", "/status") == [{"status": "dispatched", "note": "已派维修班"}]
    page.locator("#wo-handover-form button[type=submit]").click()
    expect(page.locator("#wo-handover-form .form-msg")).to_have_text("请填写原因")

    board = open_page()
    boss = AgreedApi(board)
    overdue = {"id": 91, "category": "leak", "priority": "urgent", "status": "in_progress", "description": "主管爆裂",
               "address": "", "owner_id": 1, "due_at": iso(-timedelta(hours=2)), "overdue": True,
               "remaining_seconds": -7200}
    unowned = {"id": 92, "category": "complaint", "priority": "normal", "status": "new", "description": "无人处理",
               "address": "", "owner_id": None, "due_at": iso(timedelta(hours=20)), "overdue": False,
               "remaining_seconds": 72000}
    boss.serve("/api/work-orders?scope=overdue", [overdue])
    boss.serve("/api/work-orders?scope=unowned", [unowned])
    boss.serve("/api/work-orders/91/reassign", {"ok": True})
    board.get_by_test_id("login-username").fill("super1")
    board.get_by_test_id("login-password").fill("qingquan-demo")
    board.get_by_test_id("login-submit").click()
    board.get_by_test_id("tab-wallboard").click()
    late = board.locator("#wb-orders tr[data-order-id='91']")
    expect(late).to_contain_text("超时 2:0")
    expect(board.locator("#wb-orders tr[data-order-id='92']")).to_contain_text("无人负责")
    expect(board.locator("#wb-agents button[data-spy=listen]").first).to_be_disabled()  # nobody is on a call
    late.get_by_test_id("wb-reassign-to").select_option(label="话务员二 (agent2)")
    late.get_by_test_id("wb-reassign-reason").fill("原责任人休假")
    late.locator("button", has_text="改派").click()
    expect(board.get_by_test_id("toast")).to_have_text("已保存")
    agent2 = next(p for p in httpx.get(board.url.rstrip("/") + "/api/users", headers={
        "Authorization": "Bearer " + board.evaluate("sessionStorage.getItem('qq.token')")}).json()
        if p["username"] == "agent2")
    assert boss.bodies("POST", "/reassign") == [{"to_agent_id": agent2["id"], "reason": "原责任人休假"}]
