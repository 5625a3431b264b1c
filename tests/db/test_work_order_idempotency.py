"""A work order created with an Idempotency-Key (the console's retry after a lost answer or a database outage)
is written once: the same key again returns the same order (200), on SQLite and PostgreSQL; a key used by
another user or for another order is refused, a key that is not a UUID is bad input; migration 0013's column."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from config.schema import Base
from kernel.database import MIGRATIONS_DIR, transaction
from tests.db.console_desk import Desk, open_desk
from work_orders.models import WorkOrder

ORDER = {"category": "leak", "priority": "high", "description": "水表前阀门漏水", "account_number": "10001234"}


@pytest.fixture
def desk(session_factory: sessionmaker[Session]) -> Iterator[Desk]:
    with open_desk(session_factory) as opened:
        yield opened


def create(desk: Desk, key: str, who: str = "agent1", **body: Any) -> Any:
    return desk.client.post("/api/work-orders", json={**ORDER, **body},
                            headers={**desk.auth(who), "Idempotency-Key": key})


def orders_with(desk: Desk, key: str) -> int:
    with transaction(desk.factory) as session:
        return int(session.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.client_key == key))
                   or 0)


def test_a_retry_with_the_same_key_returns_the_order_already_written(desk: Desk) -> None:
    key = str(uuid.uuid4())
    first = desk.ok(create(desk, key), 201)
    again = desk.ok(create(desk, key), 200)
    shouting = desk.ok(create(desk, key.upper()), 200)  # the same UUID, however it is spelled
    assert again["id"] == shouting["id"] == first["id"] and again["history"] == first["history"]
    assert orders_with(desk, key) == 1
    other = desk.ok(create(desk, str(uuid.uuid4())), 201)
    unkeyed = [desk.ok(desk.post("/api/work-orders", "agent1", ORDER), 201) for _ in range(2)]
    assert len({first["id"], other["id"], *(o["id"] for o in unkeyed)}) == 4  # without a key, no replay


def test_a_key_used_by_another_user_or_for_another_order_is_refused(desk: Desk) -> None:
    key = str(uuid.uuid4())
    desk.ok(create(desk, key), 201)
    for refused in (create(desk, key, "agent2"), create(desk, key, "super1"),
                    create(desk, key, description="另一张工单")):
        assert (refused.status_code, refused.json()["error"]) == (409, "idempotency_key_reused"), refused.text
        assert "水表" not in refused.text  # another user's order is not shown
    assert orders_with(desk, key) == 1


@pytest.mark.parametrize("key", ["", "not-a-uuid", "x" * 36, str(uuid.uuid4()) + "0", "{" + str(uuid.uuid4()) + "}",
                                 str(uuid.uuid4()).replace("-", "")])
def test_a_key_that_is_not_a_uuid_is_bad_input(desk: Desk, key: str) -> None:
    refused = create(desk, key)
    assert refused.status_code == 422, refused.text
    assert "Idempotency-Key" in str(refused.json()["detail"][0]["loc"])
    with transaction(desk.factory) as session:
        assert session.scalar(select(func.count()).select_from(WorkOrder)) == 0


def test_migration_0013_matches_the_model_and_goes_down_and_up(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert [d for d in diff if "client_key" in repr(d)] == []
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0012")
    assert "client_key" not in {c["name"] for c in inspect(engine).get_columns("work_order")}
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert {"ix_work_order_client_key"} <= {i["name"] for i in inspect(engine).get_indexes("work_order")}
