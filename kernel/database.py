"""The database: one declarative base for every capability's tables, the engine and session factory the
composition root builds once, and the Alembic upgrade that start-up runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The database cannot be reached for now: down, restarting, refusing connections, or no pooled connection free in
# time. Worth retrying; never a fault of the request. (SQLite's "database is locked" is an OperationalError too.)
UNREACHABLE: tuple[type[SQLAlchemyError], ...] = (OperationalError, InterfaceError, PoolTimeout)
# A dead or unreachable PostgreSQL server fails a connection within this many seconds (libpq's connect_timeout)
# and a request waits as long at most for a pooled connection, so a request never hangs on a lost database.
CONNECT_TIMEOUT_SECONDS = 5

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """Stores timezone-aware UTC datetimes; SQLite hands back naive values, which are UTC by contract."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # psycopg prepares a statement on the server after its fifth run on a connection, and PostgreSQL then
    # switches to a generic plan, blind to the parameters: for a report's time range that plan was 300 times
    # slower (a week of calls: 0.16 s planned for its range, 54 s generic). Every statement is planned for
    # its own values; preparing still saves the parsing.
    return create_engine(url, pool_pre_ping=True, pool_timeout=CONNECT_TIMEOUT_SECONDS,
                         connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS,
                                       "options": "-c plan_cache_mode=force_custom_plan"})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with factory() as session, session.begin():
        yield session


def upgrade_schema(engine: Engine) -> None:
    """Brings the database to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


async def write_until_stored(write: Callable[[], None], what: str, retry_seconds: float = 1.0, *,
                             log_failure: bool = True) -> bool:
    """Runs a blocking write in a thread. While the database is unreachable (``UNREACHABLE``) it retries,
    so nothing is lost while the database is away; any other database error is logged with ``what`` (enough
    to replay the write by hand) and the caller moves on rather than blocking every later write. False when
    the write was refused (logged only with ``log_failure``: a caller that tries again another way)."""
    while True:
        try:
            await asyncio.to_thread(write)
            return True
        except UNREACHABLE as exc:
            log.warning("%s not written yet (%s); retrying in %s s", what, exc.__class__.__name__, retry_seconds)
            await asyncio.sleep(retry_seconds)
        except SQLAlchemyError:
            if log_failure:
                log.exception("%s could not be written and is dropped", what)
            else:
                log.warning("%s could not be written together; writing them one by one", what)
            return False
