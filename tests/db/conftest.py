"""Database fixtures: every test in tests/db runs on a freshly migrated database.

``session_factory`` is parametrized by back-end. It always runs on SQLite (a new file in ``tmp_path``). When
the environment variable ``QINGQUAN_TEST_DATABASE_URL`` is set (for example
``postgresql://postgres@127.0.0.1:5432/test``) each test runs a second time on that database: every table
in it is dropped first (all tables found there, which covers ``Base.metadata`` and ``alembic_version``), then
the Alembic migrations run. That database is therefore wiped by the tests: point the variable at a scratch
database only, and do not run two test sessions against it at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData
from sqlalchemy.orm import Session, sessionmaker

from kernel.database import make_engine, make_session_factory, upgrade_schema

TEST_DATABASE_URL_VARIABLE = "QINGQUAN_TEST_DATABASE_URL"


def _backends() -> list[str]:
    return ["sqlite", "external"] if os.environ.get(TEST_DATABASE_URL_VARIABLE) else ["sqlite"]


def _wipe(engine: Engine) -> None:
    """Drops every table of the database, whatever created it."""
    existing = MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)


@pytest.fixture(params=_backends())
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'qingquan.db'}")
    else:
        engine = make_engine(os.environ[TEST_DATABASE_URL_VARIABLE])
        _wipe(engine)
    upgrade_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory on a freshly migrated database (SQLite, and also the external one if configured)."""
    return make_session_factory(engine)
