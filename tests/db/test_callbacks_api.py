"""/api/callbacks on a real database: the closing callback (回访) scheduled when an order awaits it, its outcome
with the customer's satisfaction closing the loop, promised callbacks, the queue callbacks the ACD owes listed
read-only, who sees which, and callbacks following their order on a handover."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from contacts.recorder import ContactRecorder
from kernel.call_events import CallbackRequested, SurveyAnswered
from tests.db.console_desk import T0, Desk, open_desk
from work_orders.callback_store import mark_placed
from work_orders.store import record_satisfaction


@pytest.fixture
def desk(session_factory: sessionmaker[Session]) -> Iterator[Desk]:
    with open_desk(session_factory) as opened:
        yield opened


def awaiting(desk: Desk, who: str = "agent1", **order: object) -> dict[str, object]:
    order_id = desk.order(who, **order)["id"]
    desk.ok(desk.post(f"/api/work-orders/{order_id}/status", who, {"status": "in_progress"}))
    return desk.ok(desk.post(f"/api/work-orders/{order_id}/status", who, {"status": "awaiting_callback"}))  # type: ignore[no-any-return]


def test_the_closing_callback_loop(desk: Desk) -> None:
    """A call, its order, awaiting callback: the 回访 is in the owner's list; reached with satisfaction 5, the
    order closes with the score beside (not over) the post-call survey's."""
    desk.call("c1", "agent1", caller="13912345678")
    order = desk.order("agent1", linkedid="c1", account_number=None)
    ContactRecorder(desk.factory, copy_score=record_satisfaction).record(  # the post-call survey: 2
        SurveyAnswered(at=T0 + timedelta(minutes=2), linkedid="c1", score=2))
    desk.ok(desk.post(f"/api/work-orders/{order['id']}/status", "agent1", {"status": "in_progress"}))
    order = desk.ok(desk.post(f"/api/work-orders/{order['id']}/status", "agent1", {"status": "awaiting_callback"}))
    [callback] = order["callbacks"]
    assert (callback["kind"], callback["status"], callback["number"], callback["owner_id"]) == (
        "closing", "scheduled", "13912345678", desk.users["agent1"])  # the number the customer called from
    assert callback["due_at"] == (T0 + timedelta(hours=24)).isoformat()
    assert order["history"][-1]["action"] == "callback_scheduled"

    mine = desk.ok(desk.get("/api/callbacks", "agent1"))
    assert [c["id"] for c in mine] == [callback["id"]] and not mine[0]["read_only"]
    assert desk.ok(desk.get("/api/callbacks", "agent2")) == []
    assert [c["id"] for c in desk.ok(desk.get("/api/callbacks", "super1", scope="all"))] == [callback["id"]]

    refused = desk.post(f"/api/work-orders/{order['id']}/close", "agent1", {})
    assert refused.json()["error"] == "closing_callback_required"
    no_score = desk.post(f"/api/callbacks/{callback['id']}/outcome", "agent1", {"outcome": "reached"})
    assert (no_score.status_code, no_score.json()["error"]) == (422, "invalid_input")
    desk.clock.advance(hours=2)
    done = desk.ok(desk.post(f"/api/callbacks/{callback['id']}/outcome", "agent1",
                             {"outcome": "reached", "satisfaction": 5, "note": "客户满意"}))
    assert (done["status"], done["outcome"], done["satisfaction"], done["outcome_note"]) == (
        "done", "reached", 5, "客户满意")
    assert done["done_at"] == (T0 + timedelta(hours=2)).isoformat()
    assert desk.ok(desk.get("/api/callbacks", "agent1")) == []  # open ones only, by default
    assert [c["status"] for c in desk.ok(desk.get("/api/callbacks", "agent1", include_closed=True))] == ["done"]

    closed = desk.ok(desk.post(f"/api/work-orders/{order['id']}/close", "agent1", {"note": "已回访"}))
    assert (closed["status"], closed["closing_reason"], closed["callback_satisfaction"]) == ("closed", "callback", 5)
    assert closed["satisfaction"] == 2  # the post-call survey's score stays its own
    assert [h["action"] for h in closed["history"]] == [
        "created", "status_changed", "status_changed", "callback_scheduled", "callback_completed", "closed"]
    assert closed["history"][4]["note"] == "closing callback reached, satisfaction 5: 客户满意"


def test_awaiting_callback_again_does_not_schedule_a_second_one(desk: Desk) -> None:
    order = awaiting(desk)
    order_id = order["id"]
    desk.ok(desk.post(f"/api/work-orders/{order_id}/status", "agent1", {"status": "in_progress", "note": "未修好"}))
    again = desk.ok(desk.post(f"/api/work-orders/{order_id}/status", "agent1", {"status": "awaiting_callback"}))
    assert len(again["callbacks"]) == 1
    twice = desk.post("/api/callbacks", "agent1", {"work_order_id": order_id, "number": "13800000001",
                                                   "due_at": T0.isoformat(), "kind": "closing"})
    assert (twice.status_code, twice.json()["error"]) == (409, "closing_callback_exists")


def test_without_a_number_no_callback_is_scheduled_and_the_order_closes_with_a_reason(desk: Desk) -> None:
    order = awaiting(desk, account_number="10009999")  # no call, and the account has no phone
    assert order["callbacks"] == [] and order["status"] == "awaiting_callback"
    closed = desk.ok(desk.post(f"/api/work-orders/{order['id']}/close", "agent1",
                               {"no_callback_reason": "no_phone_number"}))
    assert closed["closing_reason"] == "no_phone_number"


def test_a_failed_callback_does_not_close_the_order_a_second_one_does(desk: Desk) -> None:
    order = awaiting(desk)  # the account's phone is called
    first = order["callbacks"][0]
    assert first["number"] == "13800000001"
    failed = desk.ok(desk.post(f"/api/callbacks/{first['id']}/outcome", "agent1", {"outcome": "no_answer"}))
    assert failed["status"] == "failed"
    assert desk.post(f"/api/work-orders/{order['id']}/close", "agent1", {}).status_code == 409
    again = desk.post(f"/api/callbacks/{first['id']}/outcome", "agent1", {"outcome": "reached", "satisfaction": 4})
    assert (again.status_code, again.json()["error"]) == (409, "callback_closed")
    second = desk.ok(desk.post("/api/callbacks", "agent1", {
        "work_order_id": order["id"], "number": "13800000001", "kind": "closing", "note": "晚上再打",
        "due_at": "2026-11-26T19:00:00"}), 201)  # no offset: the hotline's time (Asia/Shanghai)
    assert second["due_at"] == "2026-11-26T11:00:00+00:00" and second["note"] == "晚上再打"
    desk.ok(desk.post(f"/api/callbacks/{second['id']}/outcome", "agent1", {"outcome": "declined"}))
    closed = desk.ok(desk.post(f"/api/work-orders/{order['id']}/close", "agent1", {}))
    assert (closed["closing_reason"], closed["callback_satisfaction"]) == ("callback", None)


def test_closing_an_order_cancels_its_open_callbacks(desk: Desk) -> None:
    order = awaiting(desk)
    closed = desk.ok(desk.post(f"/api/work-orders/{order['id']}/close", "agent1",
                               {"no_callback_reason": "customer_declined", "note": "客户来电说不用回访"}))
    assert [(c["status"], c["outcome_note"]) for c in closed["callbacks"]] == [
        ("cancelled", "the work order was closed")]
    late = desk.post("/api/callbacks", "agent1", {"work_order_id": order["id"], "number": "13800000001",
                                                  "due_at": T0.isoformat(), "kind": "promised"})
    assert (late.status_code, late.json()["error"]) == (409, "order_closed")


def test_callbacks_follow_their_order_on_a_handover(desk: Desk) -> None:
    order = awaiting(desk)
    callback_id = order["callbacks"][0]["id"]
    desk.ok(desk.post(f"/api/work-orders/{order['id']}/handover", "agent1",
                      {"to_agent_id": desk.users["agent2"], "reason": "下班"}))
    assert desk.ok(desk.get("/api/callbacks", "agent1")) == []
    assert [c["id"] for c in desk.ok(desk.get("/api/callbacks", "agent2"))] == [callback_id]
    assert desk.post(f"/api/callbacks/{callback_id}/outcome", "agent1", {"outcome": "busy"}).status_code == 404
    desk.ok(desk.post(f"/api/callbacks/{callback_id}/outcome", "agent2", {"outcome": "reached", "satisfaction": 3}))
    assert desk.ok(desk.post(f"/api/work-orders/{order['id']}/close", "agent2", {}))["callback_satisfaction"] == 3


def test_promised_callbacks_and_who_sees_them(desk: Desk) -> None:
    promised = desk.ok(desk.post("/api/callbacks", "agent2", {
        "number": "+8613800000002", "due_at": (T0 + timedelta(hours=1)).isoformat(), "note": "账单问题回电"}), 201)
    assert (promised["kind"], promised["owner_id"], promised["work_order_id"]) == (
        "promised", desk.users["agent2"], None)
    for action, body in (("outcome", {"outcome": "busy"}), ("cancel", {"reason": "x"})):
        denied = desk.post(f"/api/callbacks/{promised['id']}/{action}", "agent1", body)
        assert (denied.status_code, denied.json()["error"]) == (404, "not_found")
    assert desk.post(f"/api/callbacks/{promised['id']}/cancel", "agent2", {"reason": ""}).status_code == 422
    desk.clock.advance(hours=2)
    listed = desk.ok(desk.get("/api/callbacks", "agent2"))
    assert listed[0]["overdue"] is True
    cancelled = desk.ok(desk.post(f"/api/callbacks/{promised['id']}/cancel", "super1", {"reason": "客户已来电"}))
    assert (cancelled["status"], cancelled["outcome_note"]) == ("cancelled", "客户已来电")
    no_order = desk.post("/api/callbacks", "agent2", {"number": "13800000002", "kind": "closing",
                                                      "due_at": desk.clock.now().isoformat()})
    assert no_order.status_code == 422 and "work_order_id" in no_order.json()["message"]


@pytest.mark.parametrize(("body", "field"), [
    ({"number": "call-me", "due_at": "2026-11-26T09:00:00+08:00"}, "number"),
    ({"number": "13800000001", "due_at": "tomorrow"}, "due_at"),
    ({"number": "13800000001", "due_at": "2026-11-26T09:00:00+08:00", "kind": "queue"}, "kind"),
    ({"number": "13800000001", "due_at": "2026-11-26T09:00:00+08:00", "note": "x" * 2001}, "note"),
    ({"number": "13800000001", "due_at": "2026-11-26T09:00:00+08:00", "owner_id": 1}, "owner_id"),
])
def test_bad_callback_input_is_a_422_naming_the_field(desk: Desk, body: dict[str, object], field: str) -> None:
    response = desk.post("/api/callbacks", "agent1", body)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == field


def test_bad_outcomes_and_due_times(desk: Desk) -> None:
    callback_id = awaiting(desk)["callbacks"][0]["id"]
    for body in ({"outcome": "reached", "satisfaction": 6}, {"outcome": "reached", "satisfaction": "5"},
                 {"outcome": "maybe"}, {"outcome": "reached", "satisfaction": 5, "note": "x" * 2001}):
        assert desk.post(f"/api/callbacks/{callback_id}/outcome", "agent1", body).status_code == 422, body
    no_score_then = desk.post(f"/api/callbacks/{callback_id}/outcome", "agent1", {"outcome": "busy", "satisfaction": 2})
    assert no_score_then.json()["error"] == "invalid_input"
    past = desk.post("/api/callbacks", "agent1", {"number": "13800000001", "due_at": "2026-11-01T09:00:00+08:00"})
    assert past.status_code == 422 and "90 days" in past.json()["message"]


def test_queue_callbacks_the_acd_owes_are_listed_read_only(desk: Desk) -> None:
    recorder = ContactRecorder(desk.factory)
    desk.call("q1", "agent1")  # an earlier call of the account
    order = desk.order("agent1")
    desk.call("q2", "agent2", ended=False)
    recorder.record(CallbackRequested(at=T0 + timedelta(minutes=1), linkedid="q2", number="13800000001",
                                      queue="general", position=1))
    for who, scope in (("super1", "all"), ("agent1", "mine")):
        [item] = desk.ok(desk.get("/api/callbacks", who, scope=scope))
        assert (item["kind"], item["read_only"], item["id"], item["linkedid"], item["queue"], item["number"]) == (
            "queue", True, None, "q2", "general", "13800000001")
    assert desk.ok(desk.get("/api/callbacks", "agent2")) == []  # not their account's order
    desk.ok(desk.post(f"/api/work-orders/{order['id']}/close", "agent1", {"no_callback_reason": "duplicate"}))
    assert desk.ok(desk.get("/api/callbacks", "agent1")) == []


def test_the_telephony_side_marks_a_callback_placed(desk: Desk) -> None:
    from agent_console.auth import Principal
    from kernel.database import transaction

    callback_id = awaiting(desk)["callbacks"][0]["id"]
    agent1 = Principal(desk.users["agent1"], "agent1", "agent")
    with transaction(desk.factory) as session:
        mark_placed(session, agent1, callback_id, "1764118800.17", T0)
    [listed] = desk.ok(desk.get("/api/callbacks", "agent1"))
    assert (listed["status"], listed["placed_linkedid"]) == ("placed", "1764118800.17")
    done = desk.ok(desk.post(f"/api/callbacks/{callback_id}/outcome", "agent1", {"outcome": "reached",
                                                                                  "satisfaction": 4}))
    assert (done["status"], done["placed_linkedid"]) == ("done", "1764118800.17")
