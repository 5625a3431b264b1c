"""The HTTP billing gateway against a real HTTP server: a known account, an unknown one, and every way the
billing system can fail, each of which must come out as BillingUnavailable (the caller then hears an apology
and reaches an agent), and soon, whatever the billing system does."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import date
from decimal import Decimal

import pytest

from billing.gateway import Bill, BillingUnavailable, PaymentStatus
from billing.http_gateway import HttpBillingGateway
from tests.billing.support import Answer, BillingSystem

TIMEOUT = 0.5
# Generous, so a loaded machine never fails the test: a gateway that waited for the billing system (which
# holds the answer far longer than this) would still miss it by a wide margin.
GIVES_UP_WITHIN = 10.0
HELD_FOR = 60.0

BILL_JSON = {
    "account_number": "10001234", "name": "张伟", "address": "盘龙区北京路100号", "supply_zone": "north",
    "phone": "13800000001", "amount_due": "123.45", "due_date": "2026-12-15", "payment_status": "unpaid",
    "last_reading": 1024.50, "last_reading_date": "2026-11-10", "usage": "35.80",
}
BILL = Bill(account_number="10001234", name="张伟", address="盘龙区北京路100号", supply_zone="north",
            amount_due=Decimal("123.45"), due_date=date(2026, 12, 15), last_reading=Decimal("1024.50"),
            phone="13800000001", last_reading_date=date(2026, 11, 10), usage=Decimal("35.80"),
            payment_status=PaymentStatus.UNPAID)


def body(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


@pytest.fixture
async def gateway(billing_system: BillingSystem) -> AsyncIterator[HttpBillingGateway]:
    billing_system.answers["10001234"] = Answer(200, body(BILL_JSON))
    gateway = HttpBillingGateway(billing_system.url_template, TIMEOUT, token="s3cret-token")
    yield gateway
    await gateway.aclose()


async def unavailable(gateway: HttpBillingGateway, account: str) -> str:
    """The message of the BillingUnavailable that looking ``account`` up raises, within GIVES_UP_WITHIN."""
    with pytest.raises(BillingUnavailable) as raised:
        await asyncio.wait_for(gateway.bill_for(account), GIVES_UP_WITHIN)
    return raised.value.message


async def test_a_known_account_gives_its_bill(gateway: HttpBillingGateway, billing_system: BillingSystem) -> None:
    assert await gateway.bill_for("10001234") == BILL
    (request,) = billing_system.requests
    assert request.path == "/accounts/10001234"
    assert request.authorization == "Bearer s3cret-token"


async def test_the_client_is_reused_across_lookups(gateway: HttpBillingGateway) -> None:
    assert [await gateway.bill_for("10001234") for _ in range(3)] == [BILL] * 3


async def test_an_unknown_account_is_none(gateway: HttpBillingGateway) -> None:
    assert await gateway.bill_for("99999999") is None


async def test_the_account_number_is_url_quoted(gateway: HttpBillingGateway, billing_system: BillingSystem) -> None:
    assert await gateway.bill_for("12/34 5?x=#") is None
    (request,) = billing_system.requests
    assert request.path == "/accounts/12%2F34%205%3Fx%3D%23"
    assert request.account == "12/34 5?x=#"


async def test_no_token_sends_no_authorization(billing_system: BillingSystem) -> None:
    gateway = HttpBillingGateway(billing_system.url_template, TIMEOUT)
    try:
        assert await gateway.bill_for("10001234") is None
    finally:
        await gateway.aclose()
    assert billing_system.requests[0].authorization is None


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(500, b'{"error": "database down"}'), "answered HTTP 500"),
        (Answer(503, b""), "answered HTTP 503"),
        (Answer(401, b'{"error": "bad token"}'), "answered HTTP 401"),
        (Answer(302, b"", headers=(("Location", "/elsewhere"),)), "answered HTTP 302"),
        (Answer(200, b"<html><body>Service Unavailable</body></html>"), "cannot be read: the body is not JSON"),
        (Answer(200, b'{"amount_due": "12'), "cannot be read: the body is not JSON"),
        (Answer(200, body({k: v for k, v in BILL_JSON.items() if k not in ("payment_status", "account_number")})),
         "cannot be read: payment_status is missing"),
        (Answer(200, body(BILL_JSON | {"account_number": "20000001", "due_date": "15.12.2026"})),
         "cannot be read: due_date must be a date"),
        (Answer(200, body(BILL_JSON | {"account_number": "10005678"})), "the answer is for account '10005678'"),
    ],
    ids=["500", "503", "401", "redirect", "html", "truncated-json", "missing-field", "bad-date", "other-account"],
)
async def test_a_failing_billing_system_is_unavailable(gateway: HttpBillingGateway, billing_system: BillingSystem,
                                                       answer: Answer, message: str) -> None:
    billing_system.answers["20000001"] = answer
    text = await unavailable(gateway, "20000001")
    assert message in text
    assert text.startswith("billing system http://127.0.0.1:")


async def test_a_slow_answer_is_given_up_after_the_timeout(gateway: HttpBillingGateway,
                                                           billing_system: BillingSystem) -> None:
    billing_system.answers["20000002"] = Answer(200, body(BILL_JSON), delay=HELD_FOR)
    assert "did not answer within 0.5 s" in await unavailable(gateway, "20000002")


async def test_an_answer_that_trickles_in_is_given_up_after_the_timeout(gateway: HttpBillingGateway,
                                                                        billing_system: BillingSystem) -> None:
    """Each byte comes well within the timeout, the whole answer never does: the timeout bounds the exchange."""
    billing_system.answers["20000003"] = Answer(200, body(BILL_JSON), trickle=TIMEOUT / 5)
    assert "did not answer within 0.5 s" in await unavailable(gateway, "20000003")


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port of 127.0.0.1 that is bound (so nobody else takes it) but does not listen: connections are refused."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield int(bound.getsockname()[1])


async def test_nothing_listening_is_unavailable(closed_port: int) -> None:
    gateway = HttpBillingGateway(f"http://127.0.0.1:{closed_port}/accounts/{{account}}", TIMEOUT)
    try:
        assert "cannot be reached: ConnectError" in await unavailable(gateway, "10001234")
    finally:
        await gateway.aclose()


async def test_the_token_never_appears_in_a_message(billing_system: BillingSystem) -> None:
    billing_system.answers["20000004"] = Answer(401, b"bad token s3cret-token")
    gateway = HttpBillingGateway(billing_system.url_template, TIMEOUT, token="s3cret-token")
    try:
        assert "s3cret" not in await unavailable(gateway, "20000004")
    finally:
        await gateway.aclose()


@pytest.mark.parametrize("template", ["http://127.0.0.1/accounts", "http://127.0.0.1/{account}/{other}"])
def test_a_bad_url_template_is_refused_at_once(template: str) -> None:
    with pytest.raises(ValueError, match="billing URL"):
        HttpBillingGateway(template, TIMEOUT)


async def test_a_password_in_the_url_never_appears_in_a_message(closed_port: int) -> None:
    gateway = HttpBillingGateway(f"http://hotline:pa55word@127.0.0.1:{closed_port}/a/{{account}}", TIMEOUT)
    try:
        assert gateway.system == f"http://127.0.0.1:{closed_port}"
        assert "pa55word" not in await unavailable(gateway, "10001234")
    finally:
        await gateway.aclose()
