"""The billing side of the composition: which billing gateway the hotline uses, and the account-number rule
the IVR applies before asking it."""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from billing.account_rule import AccountRule
from billing.gateway import BillingGateway
from billing.http_gateway import HttpBillingGateway
from billing.local_gateway import LocalBillingGateway
from config.settings import Settings

log = logging.getLogger(__name__)


class ClosableBillingGateway(BillingGateway, Protocol):
    async def aclose(self) -> None:
        """Releases what the gateway holds (the HTTP adapter's connections); called once, at stop."""
        ...


def billing_gateway(settings: Settings, factory: sessionmaker[Session]) -> ClosableBillingGateway:
    """The adapter ``settings.billing.adapter`` names: the local database, or the billing system over HTTP."""
    billing = settings.billing
    if billing.adapter == "http":
        gateway = HttpBillingGateway(billing.url, billing.timeout_seconds, billing.token)
        log.info("bills come from the billing system %s (timeout %g s)", gateway.system, billing.timeout_seconds)
        return gateway
    log.info("bills come from the local database (qingquan import-accounts)")
    return LocalBillingGateway(factory)


def account_rule(settings: Settings) -> AccountRule:
    """The account-number rule of ``settings.ivr``."""
    ivr = settings.ivr
    return AccountRule(ivr.account_min_digits, ivr.account_max_digits, ivr.account_check)
