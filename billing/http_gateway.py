"""Billing gateway adapter for a utility's billing system over HTTP.

For each lookup: ``GET url_template.format(account=<account number, URL-quoted>)``, for example
``http://billing.example/api/accounts/{account}``, with ``Accept: application/json`` and, when a token is
configured, ``Authorization: Bearer <token>``. Redirects are not followed.

The billing system answers:

* **200** with a JSON object, the account's current bill::

    {
      "account_number": "10001234",       optional; when present, the number asked for
      "name": "张伟",                      optional, default ""
      "address": "盘龙区北京路100号",        optional, default ""
      "supply_zone": "north",             optional, default ""
      "phone": "13800000001",             optional, a string or null
      "company": "",                      optional, the water company; "" = the default one
      "amount_due": "123.45",             required, yuan: a number or a string holding one
      "due_date": "2026-12-15",           required, ISO date or null
      "payment_status": "unpaid",         required: "paid", "unpaid" or "overdue"
      "last_reading": "1024.50",          required, the meter in m³: number, string or null
      "last_reading_date": "2026-11-10",  required, ISO date or null
      "usage": "35.80"                    required, m³ billed in the current bill: number, string or null
    }

  Numbers may be JSON numbers (read exactly, never through float) or strings; readings and usage must not be
  negative, and every number must be below 100 million. Unknown keys are ignored.
* **404** for an account it does not know: :meth:`HttpBillingGateway.bill_for` returns None.

Anything else is :class:`BillingUnavailable` with a message saying what went wrong, and the caller hears an
apology and reaches an agent: no answer within ``timeout_seconds`` (the whole exchange, connecting included),
connection refused, any other status (a 5xx, a 401 for a wrong token, a redirect), a body that is not JSON, or
a bill with a field missing or of the wrong kind.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote, urlsplit

import httpx

from billing.bill_json import MalformedBill, bill_from_json
from billing.gateway import Bill, BillingUnavailable

__all__ = ["HttpBillingGateway", "check_url_template"]

log = logging.getLogger(__name__)


def check_url_template(url_template: str) -> None:
    """``ValueError`` unless ``url_template`` is an http(s) URL with ``{account}`` and no other placeholder."""
    if "{account}" not in url_template:
        raise ValueError(f"billing URL {url_template!r} must contain {{account}}")
    try:
        url = url_template.format(account="0")
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"billing URL {url_template!r} may hold no placeholder but {{account}} "
                         f"(write a literal brace twice): {exc!r}") from None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"billing URL {url_template!r} must start with http:// or https:// and a host")


class HttpBillingGateway:
    """One HTTP client (a connection pool) per gateway; :meth:`aclose` releases it."""

    def __init__(self, url_template: str, timeout_seconds: float, token: str = "") -> None:
        check_url_template(url_template)
        if not timeout_seconds > 0:
            raise ValueError(f"billing timeout must be positive, got {timeout_seconds}")
        self._url_template = url_template
        self._timeout = timeout_seconds
        parts = urlsplit(url_template.format(account="0"))
        # Where the billing system is, for messages and logs: no user or password, path, account or token.
        self.system = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(timeout_seconds),
                                         follow_redirects=False)

    async def bill_for(self, account_number: str) -> Bill | None:
        response = await self._get(self._url_template.format(account=quote(account_number, safe="")))
        if response.status_code == httpx.codes.NOT_FOUND:
            return None
        if response.status_code != httpx.codes.OK:
            raise BillingUnavailable(f"billing system {self.system} answered HTTP {response.status_code}")
        try:
            return bill_from_json(account_number, response.content)
        except MalformedBill as exc:
            message = f"billing system {self.system} sent a bill that cannot be read: {exc}"
            raise BillingUnavailable(message) from None

    async def _get(self, url: str) -> httpx.Response:
        try:
            async with asyncio.timeout(self._timeout):
                return await self._client.get(url)
        except (TimeoutError, httpx.TimeoutException):
            raise BillingUnavailable(f"billing system {self.system} did not answer within "
                                     f"{self._timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise BillingUnavailable(f"billing system {self.system} cannot be reached: "
                                     f"{exc.__class__.__name__} {exc}".rstrip()) from exc
        except Exception as exc:  # never anything but BillingUnavailable for the caller; log it, it is a bug
            log.exception("unexpected error asking the billing system %s", self.system)
            message = f"billing system {self.system}: unexpected {exc.__class__.__name__}"
            raise BillingUnavailable(message) from exc

    async def aclose(self) -> None:
        await self._client.aclose()
