"""Fixtures for the billing adapters' tests on real parts (a real HTTP server; no Asterisk)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.billing.support import BillingSystem


@pytest.fixture
def billing_system() -> Iterator[BillingSystem]:
    system = BillingSystem()
    system.start()
    yield system
    system.stop()
