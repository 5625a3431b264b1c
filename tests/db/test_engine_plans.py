"""On PostgreSQL every statement is planned for its own parameters, however often it runs on a connection:
psycopg prepares a statement on the server after its fifth run, and PostgreSQL's generic plan for it (blind to
the report's time range) made a week's call tallies 300 times slower."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from reports.metrics_query import metrics

T0 = datetime(2026, 11, 20, tzinfo=UTC)


def test_statements_are_planned_for_their_own_values(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        return  # SQLite plans every statement afresh
    with Session(engine) as session:
        for day in range(8):  # past psycopg's prepare threshold (5) on this one connection
            metrics(session, T0 + timedelta(days=day), T0 + timedelta(days=day + 1), by="hour", now=T0)
        assert session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
        generic = session.scalar(text("SELECT count(*) FROM pg_prepared_statements WHERE generic_plans > 0 "
                                      "AND cardinality(parameter_types) > 0"))  # no parameters: one plan
        assert generic == 0
