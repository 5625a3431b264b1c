"""Alembic environment: runs on the connection Qingquan hands over (see kernel.database.upgrade_schema),
or on QINGQUAN_DATABASE_URL when run from the alembic command line to autogenerate a revision."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from config.schema import Base
from kernel.database import make_engine

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        engine = make_engine(os.environ.get("QINGQUAN_DATABASE_URL", "sqlite:///var/qingquan.db"))
        with engine.begin() as own_connection:
            _migrate(own_connection)
    else:
        _migrate(connection)


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
