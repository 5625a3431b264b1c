"""/api/work-orders on a real database (SQLite, and PostgreSQL when configured): opening from a call, the lists
(mine, overdue, unowned, all), the status flow, handover and reassignment with their history, closing, the
denials of each role, 404 for another agent's order, validation, and migration 0007's backfill."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from agent_console.models import User
from kernel.database import MIGRATIONS_DIR, transaction
from tests.db.console_desk import ACCOUNT, T0, Desk, open_desk
from work_orders.store import open_order_owner


@pytest.fixture
def desk(session_factory: sessionmaker[Session]) -> Iterator[Desk]:
    with open_desk(session_factory) as opened:
        yield opened


def test_an_order_opened_from_a_call_is_owned_by_the_agent_who_took_it(desk: Desk) -> None:
    desk.call("c1", "agent1")
    order = desk.order("agent1", linkedid="c1", account_number=None)
    agent1 = desk.users["agent1"]
    assert (order["owner_id"], order["first_owner_id"], order["created_by_id"]) == (agent1, agent1, agent1)
    assert order["owner"] == {"id": agent1, "name": "agent1名"} and order["first_owner"]["id"] == agent1
    assert order["account_number"] == ACCOUNT and order["contact_id"] is not None
    assert (order["status"], order["category"], order["category_name"]) == ("new", "leak", "报漏")
    assert order["due_at"] == (T0 + timedelta(hours=4)).isoformat()
    assert (order["overdue"], order["remaining_seconds"]) == (False, 4 * 3600)
    assert [h["action"] for h in order["history"]] == ["created"] and order["callbacks"] == []

    refused = desk.post("/api/work-orders", "agent2", {"linkedid": "c1", "category": "leak", "description": "x"})
    assert refused.status_code == 403  # only the agent who took the call opens its order
    by_supervisor = desk.order("super1", linkedid="c1", account_number=None)
    assert by_supervisor["owner_id"] == agent1 and by_supervisor["created_by_id"] == desk.users["super1"]
    assert desk.post("/api/work-orders", "agent1", {"linkedid": "nope", "category": "query",
                                                    "description": "x"}).status_code == 404


def test_another_agents_order_is_not_found_never_forbidden(desk: Desk) -> None:
    order_id = desk.order("agent1")["id"]
    missing = desk.get("/api/work-orders/99999", "agent2")
    for response in (desk.get(f"/api/work-orders/{order_id}", "agent2"),
                     desk.post(f"/api/work-orders/{order_id}/status", "agent2", {"status": "in_progress"}),
                     desk.post(f"/api/work-orders/{order_id}/handover", "agent2", {"to_agent_id": 1, "reason": "r"}),
                     desk.post(f"/api/work-orders/{order_id}/close", "agent2", {"no_callback_reason": "duplicate"}),
                     desk.post("/api/callbacks", "agent2", {"work_order_id": order_id, "number": "13800000001",
                                                           "due_at": T0.isoformat(), "kind": "promised"})):
        assert response.status_code == 404, response.text
        assert response.json()["error"] == "not_found"
    assert missing.status_code == 404
    assert missing.json()["message"].replace("99999", "") == \
        desk.get(f"/api/work-orders/{order_id}", "agent2").json()["message"].replace(str(order_id), "")
    assert desk.get("/api/work-orders", "agent2").json() == []
    for reader in ("agent1", "super1", "manager1", "admin1"):
        assert desk.get(f"/api/work-orders/{order_id}", reader).status_code == 200


def test_every_route_needs_a_login_and_supervisor_routes_deny_agents(desk: Desk) -> None:
    order_id = desk.order("agent1")["id"]
    assert desk.client.get("/api/work-orders").status_code == 401
    assert desk.client.get("/api/work-orders", headers={"Authorization": "Bearer forged"}).status_code == 401
    assert desk.client.post("/api/work-orders", json={"category": "leak", "description": "x"}).status_code == 401
    assert desk.client.get("/api/callbacks").status_code == 401
    assert desk.client.get(f"/api/accounts/{ACCOUNT}").status_code == 401
    assert desk.get("/api/work-orders", "visitor").status_code == 403  # a role the console does not know
    for scope in ("overdue", "unowned", "all"):
        denied = desk.get("/api/work-orders", "agent1", scope=scope)
        assert (denied.status_code, denied.json()["error"]) == (403, "forbidden")
        for boss in ("super1", "manager1", "admin1"):
            assert desk.get("/api/work-orders", boss, scope=scope).status_code == 200
    denied = desk.post(f"/api/work-orders/{order_id}/reassign", "agent1",
                       {"to_agent_id": desk.users["agent2"], "reason": "r"})
    assert denied.status_code == 403
    assert desk.get("/api/callbacks", "agent1", scope="all").status_code == 403
    for boss in ("manager1", "admin1"):
        assert desk.get("/api/callbacks", boss, scope="all").status_code == 200


def test_the_status_flow_with_history_and_an_illegal_move_that_changes_nothing(desk: Desk) -> None:
    order_id = desk.order("agent1")["id"]
    path = f"/api/work-orders/{order_id}/status"
    desk.clock.advance(minutes=5)
    desk.ok(desk.post(path, "agent1", {"status": "in_progress", "note": "已联系客户"}))
    missing_crew = desk.post(path, "agent1", {"status": "dispatched"})
    assert (missing_crew.status_code, missing_crew.json()["error"]) == (422, "invalid_input")
    desk.clock.advance(minutes=5)
    order = desk.ok(desk.post(path, "agent1", {"status": "dispatched", "crew": "抢修二队", "note": "<b>急</b>"}))
    assert (order["status"], order["crew"]) == ("dispatched", "抢修二队")

    illegal = desk.post(path, "agent1", {"status": "new"})
    assert (illegal.status_code, illegal.json()["error"]) == (409, "illegal_transition")
    assert "dispatched to new" in illegal.json()["message"]
    closing = desk.post(f"/api/work-orders/{order_id}/close", "agent1", {"no_callback_reason": "duplicate"})
    assert (closing.status_code, closing.json()["error"]) == (409, "illegal_transition")
    after = desk.ok(desk.get(f"/api/work-orders/{order_id}", "agent1"))
    assert after["status"] == "dispatched" and after["updated_at"] == order["updated_at"]
    assert [(h["action"], h["from_status"], h["to_status"]) for h in after["history"]] == [
        ("created", None, "new"), ("status_changed", "new", "in_progress"),
        ("status_changed", "in_progress", "dispatched")]
    assert after["history"][2]["note"] == "crew: 抢修二队\n<b>急</b>"  # stored as typed
    assert after["history"][1]["at"] == (T0 + timedelta(minutes=5)).isoformat()
    assert after["history"][1]["actor"] == {"id": desk.users["agent1"], "name": "agent1名"}


def test_closing_needs_the_callback_or_a_reason(desk: Desk) -> None:
    order_id = desk.order("agent1")["id"]
    desk.ok(desk.post(f"/api/work-orders/{order_id}/status", "agent1", {"status": "in_progress"}))
    refused = desk.post(f"/api/work-orders/{order_id}/close", "agent1", {"note": "修好了"})
    assert (refused.status_code, refused.json()["error"]) == (409, "closing_callback_required")
    assert "no_callback_reason" in refused.json()["message"]
    other = desk.post(f"/api/work-orders/{order_id}/close", "agent1", {"no_callback_reason": "other"})
    assert other.status_code == 422
    empty = desk.post(f"/api/work-orders/{order_id}/close", "agent1", {"no_callback_reason": ""})
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["body", "no_callback_reason"]
    blank = desk.post(f"/api/work-orders/{order_id}/close", "agent1", {"no_callback_reason": "  "})
    assert (blank.status_code, blank.json()["error"]) == (422, "invalid_input")
    long = desk.post(f"/api/work-orders/{order_id}/close", "agent1", {"no_callback_reason": "x" * 501})
    assert long.status_code == 422
    closed = desk.ok(desk.post(f"/api/work-orders/{order_id}/close", "agent1",
                               {"no_callback_reason": "no_phone_number", "note": "客户未留电话"}))
    assert (closed["status"], closed["closing_reason"], closed["closed_at"]) == (
        "closed", "no_phone_number", T0.isoformat())
    assert (closed["overdue"], closed["remaining_seconds"]) == (False, None)
    again = desk.post(f"/api/work-orders/{order_id}/status", "super1", {"status": "in_progress"})
    assert (again.status_code, again.json()["error"]) == (409, "order_closed")
    assert desk.get("/api/work-orders", "agent1").json() == []
    assert [o["id"] for o in desk.get("/api/work-orders", "agent1", include_closed=True).json()] == [order_id]


def test_a_reason_in_the_agents_own_words_is_stored_as_other(desk: Desk) -> None:
    order_id = desk.order("agent1")["id"]
    closed = desk.ok(desk.post(f"/api/work-orders/{order_id}/close", "agent1",
                               {"no_callback_reason": "客户电话停机", "note": "已短信告知"}))
    assert closed["closing_reason"] == "other"
    assert closed["history"][-1]["note"] == "客户电话停机\n已短信告知"


def test_dispatch_names_the_crew_or_says_who_in_the_note(desk: Desk) -> None:
    order_id = desk.order("agent1")["id"]
    order = desk.ok(desk.post(f"/api/work-orders/{order_id}/status", "agent1",
                              {"status": "dispatched", "note": "已派维修班"}))
    assert (order["status"], order["crew"], order["history"][-1]["note"]) == ("dispatched", "", "已派维修班")


def test_handover_and_reassignment_keep_the_first_owner_and_the_history(desk: Desk) -> None:
    agent1, agent2, boss = desk.users["agent1"], desk.users["agent2"], desk.users["super1"]
    order_id = desk.order("agent1")["id"]
    no_reason = desk.post(f"/api/work-orders/{order_id}/handover", "agent1", {"to_agent_id": agent2, "reason": ""})
    assert no_reason.status_code == 422
    blank = desk.post(f"/api/work-orders/{order_id}/handover", "agent1", {"to_agent_id": agent2, "reason": "  "})
    assert (blank.status_code, blank.json()["error"]) == (422, "invalid_input")
    nobody = desk.post(f"/api/work-orders/{order_id}/handover", "agent1", {"to_agent_id": 4242, "reason": "r"})
    assert nobody.status_code == 422 and "not an active user" in nobody.json()["message"]

    handed = desk.ok(desk.post(f"/api/work-orders/{order_id}/handover", "agent1",
                               {"to_agent_id": agent2, "reason": "下班交接"}))
    assert (handed["owner_id"], handed["first_owner_id"]) == (agent2, agent1)
    assert desk.get(f"/api/work-orders/{order_id}", "agent1").status_code == 404  # no longer theirs
    assert [o["id"] for o in desk.get("/api/work-orders", "agent2").json()] == [order_id]

    reassigned = desk.ok(desk.post(f"/api/work-orders/{order_id}/reassign", "super1",
                                   {"to_agent_id": agent1, "reason": "agent2 病假"}))
    assert (reassigned["owner_id"], reassigned["first_owner_id"]) == (agent1, agent1)
    assert [(h["action"], h["actor_id"], h["from_owner_id"], h["to_owner_id"], h["note"])
            for h in reassigned["history"][1:]] == [("handed_over", agent1, agent1, agent2, "下班交接"),
                                                    ("reassigned", boss, agent2, agent1, "agent2 病假")]
    by_boss = desk.ok(desk.post(f"/api/work-orders/{order_id}/handover", "manager1",
                                {"to_agent_id": agent2, "reason": "排班"}))
    assert by_boss["owner_id"] == agent2


def test_overdue_orders_and_the_countdown(desk: Desk) -> None:
    leak = desk.order("agent1", category="leak")  # 4 hours
    repair = desk.order("agent2", category="repair")  # 24 hours
    desk.clock.advance(hours=4)
    assert desk.get("/api/work-orders", "super1", scope="overdue").json() == []  # due exactly now: not yet
    assert desk.get(f"/api/work-orders/{leak['id']}", "agent1").json()["remaining_seconds"] == 0
    desk.clock.advance(seconds=1)
    overdue = desk.get("/api/work-orders", "super1", scope="overdue").json()
    assert [(o["id"], o["overdue"], o["remaining_seconds"]) for o in overdue] == [(leak["id"], True, -1)]
    everything = desk.get("/api/work-orders", "super1", scope="all").json()
    assert [o["id"] for o in everything] == [leak["id"], repair["id"]]  # soonest due first
    assert everything[1]["remaining_seconds"] == 20 * 3600 - 1 and not everything[1]["overdue"]
    desk.ok(desk.post(f"/api/work-orders/{leak['id']}/close", "agent1", {"no_callback_reason": "duplicate"}))
    assert desk.get("/api/work-orders", "super1", scope="overdue").json() == []


def test_orders_of_an_agent_who_left_are_unowned_until_reassigned(desk: Desk,
                                                                    session_factory: sessionmaker[Session]) -> None:
    kept = desk.order("agent2")
    orphan = desk.order("agent1", account_number="10009999")
    assert desk.get("/api/work-orders", "super1", scope="unowned").json() == []
    with session_factory() as session:
        assert open_order_owner(session, "10009999") == desk.users["agent1"]
    with transaction(session_factory) as session:
        session.execute(update(User).where(User.username == "agent1").values(active=False))
    unowned = desk.get("/api/work-orders", "super1", scope="unowned").json()
    assert [o["id"] for o in unowned] == [orphan["id"]]
    with session_factory() as session:
        assert open_order_owner(session, "10009999") is None  # a repeat caller does not wait for someone who left
    refused = desk.post(f"/api/work-orders/{kept['id']}/reassign", "super1",
                        {"to_agent_id": desk.users["agent1"], "reason": "r"})
    assert refused.status_code == 422  # not to someone who left
    desk.ok(desk.post(f"/api/work-orders/{orphan['id']}/reassign", "super1",
                      {"to_agent_id": desk.users["agent2"], "reason": "原话务员离职"}))
    assert desk.get("/api/work-orders", "super1", scope="unowned").json() == []
    assert {o["id"] for o in desk.get("/api/work-orders", "agent2").json()} == {kept["id"], orphan["id"]}


def test_first_responder_routing_finds_the_owner_of_the_open_order(desk: Desk,
                                                                   session_factory: sessionmaker[Session]) -> None:
    order = desk.order("agent1")
    with session_factory() as session:
        assert open_order_owner(session, ACCOUNT) == desk.users["agent1"]
    desk.ok(desk.post(f"/api/work-orders/{order['id']}/handover", "agent1",
                      {"to_agent_id": desk.users["agent2"], "reason": "交接"}))
    with session_factory() as session:
        assert open_order_owner(session, ACCOUNT) == desk.users["agent2"]
    desk.ok(desk.post(f"/api/work-orders/{order['id']}/close", "agent2", {"no_callback_reason": "duplicate"}))
    with session_factory() as session:
        assert open_order_owner(session, ACCOUNT) is None


@pytest.mark.parametrize(("body", "field"), [
    ({"category": "flood", "description": "x"}, "category"),
    ({"category": "leak", "description": ""}, "description"),
    ({"category": "leak", "description": "x" * 4001}, "description"),
    ({"category": "leak", "description": "x", "priority": "asap"}, "priority"),
    ({"category": "leak", "description": "x", "account_number": "12a4"}, "account_number"),
    ({"category": "leak", "description": "x", "owner_id": 3}, "owner_id"),
])
def test_bad_input_is_a_422_naming_the_field(desk: Desk, body: dict[str, object], field: str) -> None:
    response = desk.post("/api/work-orders", "agent1", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_whitespace_description_and_bad_status_bodies(desk: Desk) -> None:
    blank = desk.post("/api/work-orders", "agent1", {"category": "leak", "description": "   "})
    assert (blank.status_code, blank.json()["error"]) == (422, "invalid_input")
    order_id = desk.order()["id"]
    for body in ({"status": "done"}, {"status": "in_progress", "note": "x" * 2001},
                 {"status": "dispatched", "crew": "x" * 101}):
        assert desk.post(f"/api/work-orders/{order_id}/status", "agent1", body).status_code == 422
    assert desk.get("/api/work-orders", "super1", scope="everything").status_code == 422
    assert desk.get("/api/work-orders", "agent1", limit=0).status_code == 422


def _alembic(engine: Engine, action: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_migration_0007_backfills_due_first_owner_and_closed_at(engine: Engine) -> None:
    _alembic(engine, "downgrade", "0006")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO app_user (id, username, display_name, password_hash, role, active, "
                                "created_at, skills, queues) VALUES (1, 'a', 'A', 'x', 'agent', :t, :at, '{}', "
                                "'[]')"), {"t": True, "at": T0})
        for oid, category, status in ((1, "leak", "new"), (2, "suggestion", "closed"), (3, "oddity", "new")):
            connection.execute(text(
                "INSERT INTO work_order (id, category, priority, status, description, address, owner_id, "
                "created_by_id, created_at, updated_at) VALUES (:id, :c, 'normal', :s, 'd', '', 1, 1, :at, :up)"),
                {"id": oid, "c": category, "s": status, "at": T0, "up": T0 + timedelta(hours=1)})
    _alembic(engine, "upgrade", "head")
    from work_orders.models import WorkOrder

    with sessionmaker(engine)() as session:
        rows = {o.id: o for o in session.scalars(select(WorkOrder))}
    assert rows[1].due_at == T0 + timedelta(hours=4) and rows[1].closed_at is None
    assert rows[2].due_at == T0 + timedelta(days=7) and rows[2].closed_at == T0 + timedelta(hours=1)
    assert rows[3].due_at == T0 + timedelta(hours=24)
    assert {o.first_owner_id for o in rows.values()} == {1} and {o.crew for o in rows.values()} == {""}
