"""Shared arithmetic of the reports: durations as SQL expressions (SQLite and PostgreSQL) and safe ratios."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, extract, func

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
