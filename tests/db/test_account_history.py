"""The screen pop's data and /api/accounts on a real database: the account's bill and payment status, the outage
under way in its zone, the IVR path, and its history (past calls, work orders with open ones first); a billing
system that is down still leaves the history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from agent_console.account_history import AccountLookup
from agent_console.screen_pop import ScreenPopBuilder
from billing.gateway import Bill, BillingUnavailable
from billing.local_gateway import LocalBillingGateway
from kernel.call_events import CallOffered
from kernel.database import transaction
from outages.store import cancel_outage, register_outage
from tests.db.console_desk import ACCOUNT, T0, Desk, open_desk


class DownBilling:
    """The billing-gateway port of a billing system that does not answer."""

    async def bill_for(self, account_number: str) -> Bill | None:
        raise BillingUnavailable("billing system timed out")


@pytest.fixture
def desk(session_factory: sessionmaker[Session]) -> Iterator[Desk]:
    with open_desk(session_factory) as opened:
        yield opened


def offer(account_number: str | None = ACCOUNT) -> CallOffered:
    return CallOffered(at=T0, linkedid="c9", agent_id=1, seat="seat1001", channel="PJSIP/trunk-9", queue="general",
                       account_number=account_number, caller_number="13800000001", ivr_path="main>bill>agent>queue")


def outages(desk: Desk) -> dict[str, int]:
    with transaction(desk.factory) as session:
        made = {name: register_outage(session, supply_zone=zone, kind=kind, starts_at=T0 + timedelta(hours=start),
                                      ends_at=T0 + timedelta(hours=end), note=name, created_by=None, now=T0).id
                for name, zone, kind, start, end in (("now", "north", "emergency", -1, 3),
                                                     ("later", "north", "planned", 5, 8),
                                                     ("cancelled", "north", "planned", -1, 3),
                                                     ("elsewhere", "south", "planned", -1, 3),
                                                     ("over", "north", "planned", -5, -1))}
        cancel_outage(session, made["cancelled"], T0 - timedelta(minutes=30))
    return made


def history_with_orders(desk: Desk) -> tuple[int, int, int]:
    """An older open order, a closed one, a newer open one (of another agent); two earlier calls."""
    desk.call("old1", "agent1")
    desk.clock.advance(hours=1)
    desk.call("old2", "agent2")
    older_open = desk.order("agent1", category="repair", description="水压低")["id"]
    closed = desk.order("agent1", category="query", description="查账单")["id"]
    desk.ok(desk.post(f"/api/work-orders/{closed}/close", "agent1", {"no_callback_reason": "customer_declined"}))
    desk.clock.advance(minutes=10)
    newer_open = desk.order("agent2", category="leak", description="<i>漏水</i>")["id"]
    return older_open, closed, newer_open


async def test_the_pop_carries_account_outage_ivr_path_and_history(desk: Desk) -> None:
    made = outages(desk)
    older_open, closed, newer_open = history_with_orders(desk)
    pop = await ScreenPopBuilder(AccountLookup(LocalBillingGateway(desk.factory), desk.factory,
                                               desk.clock)).screen_pop(offer())
    assert (pop["type"], pop["v"], pop["caller_number"], pop["ivr_path"]) == (
        "call.offered", 1, "13800000001", "main>bill>agent>queue")
    assert pop["account"] == {"account_number": ACCOUNT, "name": "张伟", "address": "盘龙区北京路100号",
                              "supply_zone": "north", "amount_due": "123.45", "due_date": T0.date().isoformat(),
                              "payment_status": "overdue", "phone": "13800000001", "company": ""}
    assert [o["id"] for o in pop["outages"]] == [made["now"]]
    assert pop["outages"][0]["kind"] == "emergency"
    history = pop["history"]
    assert [o["id"] for o in history["work_orders"]] == [newer_open, older_open, closed]  # open ones first
    assert history["work_orders"][0]["description"] == "<i>漏水</i>"  # as typed: the console escapes it
    assert history["work_orders"][0]["owner"]["id"] == desk.users["agent2"]
    assert [(c["linkedid"], c["agent_name"], c["outcome"]) for c in history["contacts"]] == [
        ("old2", "agent2名", "answered"), ("old1", "agent1名", "answered")]
    assert pop["work_orders"] == history["work_orders"]


async def test_a_pop_without_an_account_and_with_billing_down(desk: Desk) -> None:
    local = AccountLookup(LocalBillingGateway(desk.factory), desk.factory, desk.clock)
    bare = await ScreenPopBuilder(local).screen_pop(offer(None))
    assert (bare["account"], bare["outages"], bare["history"], bare["work_orders"]) == (None, [], None, [])
    order_id = desk.order("agent1")["id"]
    down = await ScreenPopBuilder(AccountLookup(DownBilling(), desk.factory, desk.clock)).screen_pop(offer())
    assert (down["account"], down["account_error"]) == (None, "billing system unavailable")
    assert [o["id"] for o in down["history"]["work_orders"]] == [order_id]


def test_any_agent_reads_any_accounts_card_and_history(desk: Desk) -> None:
    made = outages(desk)
    older_open, closed, newer_open = history_with_orders(desk)
    card = desk.ok(desk.get(f"/api/accounts/{ACCOUNT}", "agent2"))
    assert card["account"]["name"] == "张伟" and card["account"]["payment_status"] == "overdue"
    assert [o["id"] for o in card["outages"]] == [made["now"]]
    history = desk.ok(desk.get(f"/api/accounts/{ACCOUNT}/history", "agent2"))
    assert history["account_number"] == ACCOUNT
    assert [o["id"] for o in history["work_orders"]] == [newer_open, older_open, closed]
    assert [c["linkedid"] for c in history["contacts"]] == ["old2", "old1"]
    assert desk.get(f"/api/work-orders/{older_open}", "agent2").status_code == 404  # still not theirs to change
    south = desk.ok(desk.get("/api/accounts/10009999", "agent1"))
    assert [o["id"] for o in south["outages"]] == [made["elsewhere"]] and south["account"]["payment_status"] == "paid"
    assert desk.ok(desk.get("/api/accounts/10009999/history", "agent1")) == {
        "account_number": "10009999", "contacts": [], "work_orders": []}
    unknown = desk.get("/api/accounts/55550000", "agent1")
    assert (unknown.status_code, unknown.json()["error"]) == (404, "not_found")
    assert desk.get("/api/accounts/12a4", "agent1").status_code == 422
    assert desk.get(f"/api/accounts/{ACCOUNT}", "visitor").status_code == 403


def test_the_card_says_when_billing_is_down(session_factory: sessionmaker[Session]) -> None:
    with open_desk(session_factory, billing=DownBilling()) as desk:
        down = desk.get(f"/api/accounts/{ACCOUNT}", "agent1")
        assert (down.status_code, down.json()["error"]) == (503, "billing_unavailable")
        assert desk.get(f"/api/accounts/{ACCOUNT}/history", "agent1").status_code == 200

