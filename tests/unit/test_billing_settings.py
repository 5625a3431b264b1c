"""Billing settings: the adapter, its URL and timeout, and the IVR's account-number rule."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import sessionmaker

from billing.account_rule import AccountRule
from billing.http_gateway import HttpBillingGateway
from billing.local_gateway import LocalBillingGateway
from config.billing import account_rule, billing_gateway
from config.settings import Settings

URL = "https://billing.example/api/accounts/{account}"


def test_bills_come_from_the_local_database_by_default() -> None:
    settings = Settings()
    assert settings.billing.adapter == "local"
    assert isinstance(billing_gateway(settings, sessionmaker()), LocalBillingGateway)


async def test_the_http_adapter_with_its_url_timeout_and_token() -> None:
    settings = Settings.model_validate({"billing": {"adapter": "http", "url": URL, "timeout_seconds": 3.5,
                                                    "token": "t0ken"}})
    gateway = billing_gateway(settings, sessionmaker())
    assert isinstance(gateway, HttpBillingGateway)
    assert gateway.system == "https://billing.example"
    await gateway.aclose()


def test_the_environment_chooses_the_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QINGQUAN_BILLING__ADAPTER", "http")
    monkeypatch.setenv("QINGQUAN_BILLING__URL", URL)
    assert (Settings().billing.adapter, Settings().billing.url) == ("http", URL)


@pytest.mark.parametrize(
    ("billing", "message"),
    [
        ({"adapter": "http"}, r"billing\.url \(adapter http\).*must contain \{account\}"),
        ({"adapter": "http", "url": "https://billing.example/api/accounts"}, r"must contain \{account\}"),
        ({"adapter": "http", "url": "billing.example/{account}"}, "must start with http"),
        ({"adapter": "soap", "url": URL}, "adapter"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"timeout_seconds": 31}, "timeout_seconds"),
    ],
)
def test_bad_billing_settings_are_refused(billing: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings.model_validate({"billing": billing})


def test_a_url_is_not_needed_for_the_local_adapter() -> None:
    assert Settings.model_validate({"billing": {"url": "anything"}}).billing.adapter == "local"


def test_the_account_rule_comes_from_the_ivr_settings() -> None:
    assert account_rule(Settings()) == AccountRule(4, 12, "none")
    settings = Settings.model_validate({"ivr": {"account_min_digits": 8, "account_max_digits": 10,
                                                "account_check": "luhn"}})
    assert account_rule(settings) == AccountRule(8, 10, "luhn")


@pytest.mark.parametrize("ivr", [{"account_min_digits": 13}, {"account_min_digits": 0},
                                 {"account_check": "crc"}, {"account_min_digits": 6, "account_max_digits": 5}])
def test_bad_account_rules_are_refused(ivr: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="account_"):
        Settings.model_validate({"ivr": ivr})
