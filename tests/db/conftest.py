"""Database fixtures: every test in tests/db runs on a freshly migrated database, on each back-end.

``engine`` (and so ``session_factory``) is parametrized by back-end:

- ``sqlite``: a new file in ``tmp_path``;
- ``postgresql``: when the environment variable ``QINGQUAN_TEST_DATABASE_URL`` is set (for example
  ``postgresql://postgres@127.0.0.1:5432/test``), that database: every table in it is dropped first (all
  tables found there, which covers ``Base.metadata`` and ``alembic_version``), then the Alembic migrations
  run. That database is therefore wiped by the tests: point the variable at a scratch database only, and do
  not run two test sessions against it at once. When the variable is unset, the session starts its own
  throwaway cluster (``tests.support.postgres``) on the first PostgreSQL test, migrates a template database
  once, and gives each test a fresh copy of it (``CREATE DATABASE … TEMPLATE``, far quicker than migrating);
  the cluster is stopped and removed at the end of the session. Without PostgreSQL's server binaries the
  PostgreSQL runs are skipped, saying so.

``own_postgres``: a throwaway cluster for one test, which it may stop and start (a database outage).
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData
from sqlalchemy.orm import Session, sessionmaker

from kernel.database import make_engine, make_session_factory, upgrade_schema
from tests.support.postgres import MISSING, PostgresCluster, server_binaries

TEST_DATABASE_URL_VARIABLE = "QINGQUAN_TEST_DATABASE_URL"
TEMPLATE = "qq_template"


def _wipe(engine: Engine) -> None:
    """Drops every table of the database, whatever created it."""
    existing = MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)


class _PrivatePostgres:
    """The session's own cluster with a migrated template database; one fresh copy per test."""

    def __init__(self) -> None:
        self._workdir = Path(tempfile.mkdtemp(prefix="qingquan-pg-"))
        self._workdir.chmod(0o755)  # the server may run as another user (root cannot run it)
        self.cluster = PostgresCluster(self._workdir / "data")
        self._numbers = itertools.count(1)
        self.cluster.start()
        engine = make_engine(self.cluster.create_database(TEMPLATE))
        try:
            upgrade_schema(engine)
        finally:
            engine.dispose()

    def fresh_database(self) -> tuple[str, str]:
        name = f"qq_test_{next(self._numbers)}"
        return name, self.cluster.create_database(name, template=TEMPLATE)

    def close(self) -> None:
        try:
            self.cluster.stop()
        finally:
            shutil.rmtree(self._workdir, ignore_errors=True)


def _throwaway_cluster() -> Iterator[_PrivatePostgres]:
    if server_binaries() is None:
        pytest.skip(MISSING)
    server = _PrivatePostgres()
    yield server
    server.close()


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[_PrivatePostgres]:
    yield from _throwaway_cluster()


@pytest.fixture
def own_postgres() -> Iterator[_PrivatePostgres]:
    """A cluster of the test's own (with the migrated template), which the test may stop and start again without
    disturbing the session's cluster or a configured database."""
    yield from _throwaway_cluster()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'qingquan.db'}")
        upgrade_schema(engine)
        yield engine
        engine.dispose()
    elif os.environ.get(TEST_DATABASE_URL_VARIABLE):
        engine = make_engine(os.environ[TEST_DATABASE_URL_VARIABLE])
        _wipe(engine)
        upgrade_schema(engine)
        yield engine
        engine.dispose()
    else:
        server: _PrivatePostgres = request.getfixturevalue("private_postgres")
        name, url = server.fresh_database()
        engine = make_engine(url)
        yield engine
        engine.dispose()
        server.cluster.drop_database(name)


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory on a freshly migrated database (SQLite, and PostgreSQL)."""
    return make_session_factory(engine)
