"""Fixtures for the console in a real headless Chromium (Debian's, driven by Playwright): one real hotline for
the whole browser session (real Asterisk, database and HTTP), pages signed in as its demo users, and the real
SIP phones of the integration tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.hotline import RunningHotline, start_hotline

CHROMIUM = Path("/usr/bin/chromium")

if not CHROMIUM.exists() or shutil.which("asterisk") is None or shutil.which("baresip") is None:
    pytest.skip("the browser tests need Debian's chromium, Asterisk and baresip: run `make setup`",
                allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

from tests.integration.conftest import phones  # noqa: E402, F401  (the SIP phones, shared with the integration tests)

Browser = sync_api.Browser
Page = sync_api.Page
WAIT_MS = 10_000


@pytest.fixture(scope="package")
def console_hotline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHotline]:
    """One hotline for every browser test; wrap-up lasts long enough to see its countdown and press "done"."""
    running = start_hotline(tmp_path_factory.mktemp("browser") / "hotline", acd={"wrapup_seconds": 60.0})
    yield running
    running.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Package-scoped: Playwright's sync API keeps an event loop running in this thread while it is open, which
    the asyncio tests of the other folders must not find there."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser: Browser, console_hotline: RunningHotline) -> Iterator[Callable[..., Page]]:
    """Opens the console in a fresh browser profile (its own storage), optionally signed in as ``username``.
    Fails the test if any page threw an uncaught JavaScript error or broke the Content-Security-Policy."""
    contexts = []
    errors: list[str] = []

    def make(username: str | None = None, *, language: str | None = None) -> Page:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{username}: {error}"))
        page.on("console", lambda message: errors.append(f"{username}: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text else None)
        page.goto(console_hotline.base_url + "/")
        if language:
            page.get_by_test_id("login-lang").select_option(language)
        if username:
            sign_in(page, username)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, errors


def sign_in(page: Page, username: str, password: str = "qingquan-demo") -> None:
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    page.locator("body[data-live=up]").wait_for(state="attached")  # signed in, the live feed said hello
