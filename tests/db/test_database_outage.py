"""The database away for a while, for real: the whole console API on a PostgreSQL cluster of the test's own,
stopped mid-test and started again. While it is down every request answers 503 ``database_unavailable`` with
Retry-After (never a 500, never a hang); once it is back, the work order sent again with the same
Idempotency-Key is written exactly once, and a further retry returns that same order."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kernel.database import make_engine, make_session_factory, transaction
from tests.db.test_auth_roles import console_app, token
from tests.db.test_work_order_idempotency import ORDER
from work_orders.models import WorkOrder

if TYPE_CHECKING:
    from tests.db.conftest import _PrivatePostgres


def test_an_order_sent_while_postgresql_is_down_is_refused_then_written_once(own_postgres: _PrivatePostgres) -> None:
    _, url = own_postgres.fresh_database()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    app, _, users = console_app(factory)
    key = str(uuid.uuid4())
    headers = {**token(users["agent1"], "agent"), "Idempotency-Key": key}
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            assert client.get("/api/work-orders", headers=headers).status_code == 200  # a pooled connection
            own_postgres.cluster.stop()
            for refused in (client.post("/api/work-orders", json=ORDER, headers=headers),
                            client.get("/api/work-orders", headers=headers),
                            client.post("/api/auth/login", json={"username": "agent1", "password": "long-enough-1"})):
                assert refused.status_code == 503, refused.text
                assert refused.json() == {"error": "database_unavailable", "message": "database unavailable, retry"}
                assert int(refused.headers["Retry-After"]) > 0

            own_postgres.cluster.start()
            created = client.post("/api/work-orders", json=ORDER, headers=headers)
            assert created.status_code == 201, created.text
            again = client.post("/api/work-orders", json=ORDER, headers=headers)
            assert (again.status_code, again.json()["id"]) == (200, created.json()["id"])
        with transaction(factory) as session:
            assert session.scalar(select(func.count()).select_from(WorkOrder)) == 1
    finally:
        engine.dispose()
