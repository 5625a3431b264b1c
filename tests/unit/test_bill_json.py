"""The billing system's JSON bill: what is accepted, and one clear reason for whatever is not."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from billing.bill_json import MalformedBill, bill_from_json
from billing.gateway import Bill, PaymentStatus
from billing.http_gateway import check_url_template

FULL: dict[str, Any] = {
    "account_number": "10001234", "name": "张伟", "address": "盘龙区北京路100号", "supply_zone": "north",
    "phone": "13800000001", "company": "滇池水务", "amount_due": "123.45", "due_date": "2026-12-15",
    "payment_status": "overdue", "last_reading": "1024.50", "last_reading_date": "2026-11-10", "usage": "35.80",
}
REQUIRED = ("amount_due", "due_date", "payment_status", "last_reading", "last_reading_date", "usage")


def parse(data: object, account: str = "10001234") -> Bill:
    return bill_from_json(account, json.dumps(data, ensure_ascii=False).encode())


def test_a_complete_bill() -> None:
    assert parse(FULL) == Bill(
        account_number="10001234", name="张伟", address="盘龙区北京路100号", supply_zone="north",
        amount_due=Decimal("123.45"), due_date=date(2026, 12, 15), last_reading=Decimal("1024.50"),
        phone="13800000001", last_reading_date=date(2026, 11, 10), usage=Decimal("35.80"),
        payment_status=PaymentStatus.OVERDUE, company="滇池水务")


def test_only_the_spoken_fields_are_required_and_null_is_allowed_where_the_bill_may_lack_them() -> None:
    minimal = {"amount_due": 0, "due_date": None, "payment_status": "paid", "last_reading": None,
               "last_reading_date": None, "usage": None}
    assert parse(minimal) == Bill(account_number="10001234", name="", address="", supply_zone="",
                                  amount_due=Decimal("0"), due_date=None, last_reading=None,
                                  payment_status=PaymentStatus.PAID)


def test_json_numbers_are_read_exactly() -> None:
    body = (b'{"amount_due": 0.1, "due_date": null, "payment_status": "unpaid", "last_reading": 1024.50,'
            b' "last_reading_date": null, "usage": 7, "extra": [1, 2]}')
    bill = bill_from_json("1", body)
    assert (bill.amount_due, bill.last_reading, bill.usage) == (Decimal("0.1"), Decimal("1024.50"), Decimal(7))


def test_a_credit_is_a_negative_amount_due() -> None:
    assert parse(FULL | {"amount_due": "-5.00"}).amount_due == Decimal("-5.00")


@pytest.mark.parametrize("field", REQUIRED)
def test_a_missing_spoken_field_is_malformed(field: str) -> None:
    data = {key: value for key, value in FULL.items() if key != field}
    with pytest.raises(MalformedBill, match=f"{field} is missing"):
        parse(data)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount_due": None}, "amount_due must not be null"),
        ({"amount_due": "12,50"}, "amount_due must be a number"),
        ({"amount_due": "1e3"}, "amount_due must be a number"),
        ({"amount_due": True}, "amount_due must be a number"),
        ({"amount_due": [1]}, "amount_due must be a number"),
        ({"amount_due": "100000000"}, "amount_due is too large"),
        ({"usage": "-1"}, "usage must not be negative"),
        ({"last_reading": -0.5}, "last_reading must not be negative"),
        ({"due_date": "15/12/2026"}, "due_date must be a date"),
        ({"due_date": "2026-02-30"}, "due_date must be a date"),
        ({"due_date": "20261215"}, "due_date must be a date"),
        ({"last_reading_date": 20261110}, "last_reading_date must be a date"),
        ({"payment_status": "PAID"}, "payment_status must be one of paid, unpaid, overdue"),
        ({"payment_status": None}, "payment_status must be one of"),
        ({"name": 7}, "name must be a string"),
        ({"phone": 13800000001}, "phone must be a string or null"),
        ({"account_number": "10005678"}, "the answer is for account '10005678', not '10001234'"),
        ({"account_number": 10001234}, "account_number must be a string"),
    ],
)
def test_a_field_of_the_wrong_kind_is_malformed(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(MalformedBill, match=message):
        parse(FULL | changes)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>502 Bad Gateway</html>", "not JSON"),
        (b"", "not JSON"),
        (b'{"amount_due": ', "not JSON"),
        (b"\xff\xfe\xfa", "not JSON"),
        (b'{"amount_due": NaN}', "not JSON"),
        (b"[" * 100_000, "not JSON"),
        (b'["10001234"]', "a JSON list, not an object"),
        (b"null", "a JSON NoneType, not an object"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_malformed(body: bytes, message: str) -> None:
    with pytest.raises(MalformedBill, match=message):
        bill_from_json("10001234", body)


@pytest.mark.parametrize("template", ["http://billing.example/api/accounts/{account}",
                                      "https://10.0.0.5:8443/bill?account={account}&format=json",
                                      "http://[::1]:8080/a/{account}/{{literal}}"])
def test_good_url_templates(template: str) -> None:
    check_url_template(template)


@pytest.mark.parametrize("template", ["http://billing.example/api/accounts/", "http://b.example/{account}/{year}",
                                      "http://b.example/{0}/{account}", "ftp://b.example/{account}",
                                      "billing.example/{account}", "http:///{account}", "http://b/{account"])
def test_bad_url_templates(template: str) -> None:
    with pytest.raises(ValueError, match="billing URL"):
        check_url_template(template)
