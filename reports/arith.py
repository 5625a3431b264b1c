"""Shared arithmetic of the reports: durations as SQL expressions (SQLite and PostgreSQL), safe ratios and
means, and the check that an instant has a time zone."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, extract, func

from kernel.errors import InvalidInput

SECONDS_DIGITS = 3


def seconds_between(dialect: str, later: SQLColumnExpression[Any],
                    earlier: SQLColumnExpression[Any]) -> ColumnElement[Any]:
    """``later − earlier`` in seconds, as a SQL expression (NULL when either is NULL)."""
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    if dialect == "postgresql":
        return extract("epoch", later - earlier)
    raise NotImplementedError(f"reports support SQLite and PostgreSQL, not {dialect}")


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``, or None when there is nothing to divide by (a rate of nothing is not 0 %)."""
    return part / whole if whole else None


def rounded_seconds(value: float | Decimal | None) -> float | None:
    """A duration read from the database, rounded to the millisecond (SQLite's resolution)."""
    if value is None:
        return None
    return round(float(value), SECONDS_DIGITS)


def mean_seconds(total: float, count: int) -> float | None:
    """A mean duration per item, rounded like every duration of the reports; None when there are no items."""
    return rounded_seconds(total / count) if count else None


def require_aware(value: datetime, name: str) -> None:
    """Refuses a naive datetime: a report's instants are always in a known zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must be a timezone-aware datetime")
