"""The bill as a utility's billing system sends it in JSON (see billing.http_gateway for the format). Pure.

:func:`bill_from_json` turns the body of a 200 answer into a :class:`Bill`, or raises :class:`MalformedBill`
naming the first thing wrong. Every field the IVR reads aloud must be present (``null`` where the bill may
lack it), so an API that changed fails loudly instead of telling a caller they owe nothing.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from billing.gateway import Bill, PaymentStatus

__all__ = ["MAX_NUMBER", "MalformedBill", "bill_from_json"]

MAX_NUMBER = Decimal(100_000_000)
"""Amounts, readings and usage must be smaller than this (the IVR reads numbers below 100 million)."""

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class MalformedBill(ValueError):
    """The billing system's answer is not a bill in the agreed format."""


def bill_from_json(account_number: str, body: bytes) -> Bill:
    """The bill in ``body``, the answer for ``account_number``; :class:`MalformedBill` if it is not one."""
    data = _object(body)
    answered_for = _text(data, "account_number", account_number)
    if answered_for != account_number:
        raise MalformedBill(f"the answer is for account {answered_for!r}, not {account_number!r}")
    return Bill(
        account_number=account_number,
        name=_text(data, "name", ""),
        address=_text(data, "address", ""),
        supply_zone=_text(data, "supply_zone", ""),
        amount_due=_required_number(data, "amount_due", allow_negative=True),
        due_date=_date(data, "due_date"),
        last_reading=_number(data, "last_reading"),
        phone=_optional_text(data, "phone"),
        last_reading_date=_date(data, "last_reading_date"),
        usage=_number(data, "usage"),
        payment_status=_status(data),
        company=_text(data, "company", ""),
    )


def _object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise MalformedBill(f"the body is not JSON ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise MalformedBill(f"the body is a JSON {type(data).__name__}, not an object")
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _field(data: dict[str, Any], field: str) -> Any:
    if field not in data:
        raise MalformedBill(f"{field} is missing")
    return data[field]


def _text(data: dict[str, Any], field: str, default: str) -> str:
    value = data.get(field, default)
    if not isinstance(value, str):
        raise MalformedBill(f"{field} must be a string")
    return value


def _optional_text(data: dict[str, Any], field: str) -> str | None:
    value = data.get(field)
    if value is not None and not isinstance(value, str):
        raise MalformedBill(f"{field} must be a string or null")
    return value


def _required_number(data: dict[str, Any], field: str, *, allow_negative: bool = False) -> Decimal:
    value = _number(data, field, allow_negative=allow_negative)
    if value is None:
        raise MalformedBill(f"{field} must not be null")
    return value


def _number(data: dict[str, Any], field: str, *, allow_negative: bool = False) -> Decimal | None:
    """A required key whose value is a number, a string holding one, or null."""
    value = _field(data, field)
    if value is None:
        return None
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        value = value.strip()
    elif isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise MalformedBill(f"{field} must be a number or a string holding one")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise MalformedBill(f"{field} must be a number or a string holding one") from None
    if number < 0 and not allow_negative:
        raise MalformedBill(f"{field} must not be negative")
    if abs(number) >= MAX_NUMBER:
        raise MalformedBill(f"{field} is too large")
    return number


def _date(data: dict[str, Any], field: str) -> date | None:
    """A required key whose value is an ISO date (YYYY-MM-DD) or null."""
    value = _field(data, field)
    if value is None:
        return None
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise MalformedBill(f"{field} must be a date (YYYY-MM-DD) or null")


def _status(data: dict[str, Any]) -> PaymentStatus:
    value = _field(data, "payment_status")
    try:
        return PaymentStatus(value)
    except ValueError:
        choices = ", ".join(status.value for status in PaymentStatus)
        raise MalformedBill(f"payment_status must be one of {choices}") from None
