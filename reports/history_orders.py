"""Work orders (工单) of the generated history (:mod:`reports.history`): pure and deterministic.

About a third of answered calls open an order, of a category that fits the queue, due after the category's
default time limit (``work_orders.rules.DEFAULT_LIMITS``). Most are closed in time after a closing callback
(回访) that reaches the customer, who is mostly very satisfied (5 of 5); a few are closed late, a few without a
callback (unreachable, or the customer declined it); orders whose closing would fall after the end of the
history are still open then. Rows: ``work_order`` with its ``work_order_history`` (created, closed) and the
closing ``callback``, ids numbered from 1 (the writer shifts them past the rows already stored)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from work_orders.rules import CATEGORY_NAMES, DEFAULT_LIMITS, DEFAULT_TIME_LIMIT_HOURS, Category

ORDER_SHARE = 0.3
CATEGORY_BY_QUEUE: dict[str, tuple[tuple[Category, ...], tuple[float, ...]]] = {
    "repair": (("repair", "leak", "complaint"), (60, 35, 5)),
    "billing": (("query", "consultation", "complaint"), (55, 35, 10)),
    "general": (("repair", "leak", "consultation", "complaint", "query", "suggestion"), (20, 10, 30, 8, 27, 5)),
}
CALLBACK_SCORES = ((5, 4, 3, 2, 1), (93, 5, 1.2, 0.5, 0.3))


class OrderMaker:
    """Numbers the orders and callbacks; :meth:`rows` gives the rows of one answered call's order, if any."""

    def __init__(self, horizon: datetime) -> None:
        self.horizon = horizon  # the end of the history: nothing closes after it
        self.orders = 0
        self.callbacks = 0

    def rows(self, rng: random.Random, contact: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        if rng.random() >= ORDER_SHARE:
            return
        categories, weights = CATEGORY_BY_QUEUE.get(contact["queue"], CATEGORY_BY_QUEUE["general"])
        category = rng.choices(categories, weights)[0]
        created: datetime = contact["talk_ended_at"]
        due = DEFAULT_LIMITS.due_at(category, created)
        limit = timedelta(hours=DEFAULT_TIME_LIMIT_HOURS[category])
        fate = rng.random()
        closed: datetime | None = created + limit * (rng.uniform(0.1, 0.95) if fate < 0.95 else rng.uniform(1.05, 2))
        if closed is not None and closed > self.horizon:
            closed = None
        agent = contact["agent_id"]
        self.orders += 1
        order = self.orders
        reason, score = _closing(rng) if closed else (None, None)
        yield "work_order", {
            "id": order, "contact_id": contact["id"], "account_number": contact["account_number"],
            "category": category, "priority": "high" if category == "leak" else "normal",
            "status": "closed" if closed else rng.choice(("in_progress", "dispatched", "awaiting_callback")),
            "description": f"{CATEGORY_NAMES[category]} (generated history)", "address": "",
            "owner_id": agent, "first_owner_id": agent, "created_by_id": agent, "created_at": created,
            "updated_at": closed or created, "due_at": due, "closed_at": closed, "closing_reason": reason,
            "crew": "crew-1" if category in ("repair", "leak") else "", "satisfaction": contact["satisfaction"],
            "callback_satisfaction": score}
        yield "work_order_history", _history(order, created, agent, "created", None, "new", agent)
        if closed is None:
            return
        if reason in ("callback", "unreachable"):
            self.callbacks += 1
            placed = max(created, closed - timedelta(seconds=rng.uniform(300, 3600)))
            yield "callback", {
                "id": self.callbacks, "work_order_id": order, "contact_id": contact["id"],
                "account_number": contact["account_number"], "number": contact["caller_number"],
                "kind": "closing", "owner_id": agent, "created_by_id": agent, "due_at": created + limit,
                "status": "done" if reason == "callback" else "failed",
                "outcome": "reached" if reason == "callback" else "no_answer", "satisfaction": score,
                "note": "", "outcome_note": "", "created_at": created, "done_at": placed, "placed_linkedid": None}
        yield "work_order_history", _history(order, closed, agent, "closed", "awaiting_callback", "closed", None)


def _closing(rng: random.Random) -> tuple[str, int | None]:
    chance = rng.random()
    if chance < 0.92:
        return "callback", rng.choices(*CALLBACK_SCORES)[0]
    return ("unreachable", None) if chance < 0.97 else ("customer_declined", None)


def _history(order: int, at: datetime, actor: int, action: str, from_status: str | None, to_status: str,
             to_owner: int | None) -> dict[str, Any]:
    return {"work_order_id": order, "at": at, "actor_id": actor, "action": action, "from_status": from_status,
            "to_status": to_status, "from_owner_id": None, "to_owner_id": to_owner, "note": ""}
