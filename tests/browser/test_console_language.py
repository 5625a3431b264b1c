"""The language switch: Chinese by default, English on demand, remembered across a reload; both languages have
every string the page uses."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect


def test_the_language_switch_changes_every_label_and_is_remembered(open_page: Callable[..., Page]) -> None:
    page = open_page()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_test_id("login-submit")).to_have_text("登录")
    page.get_by_test_id("login-lang").select_option("en")
    expect(page.get_by_test_id("login-submit")).to_have_text("Sign in")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_test_id("login-username").fill("agent1")
    page.get_by_test_id("login-password").fill("qingquan-demo")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("btn-ready")).to_have_text("Ready")
    expect(page.get_by_test_id("wo-category").locator("option[value=leak]")).to_have_text("Leak")
    page.get_by_test_id("wo-submit").click()
    expect(page.get_by_test_id("wo-description-error")).to_have_text("Describe the problem")

    page.reload()
    expect(page.get_by_test_id("btn-ready")).to_have_text("Ready")
    expect(page.get_by_test_id("state-label")).to_have_text("Logged out")
    page.get_by_test_id("lang-select").select_option("zh-CN")
    expect(page.get_by_test_id("btn-ready")).to_have_text("示闲")
    expect(page.get_by_test_id("state-label")).to_have_text("未签入")
    expect(page.get_by_test_id("wo-category").locator("option[value=leak]")).to_have_text("报漏")
    expect(page).to_have_title("清泉热线 坐席工作台")


def test_both_languages_have_every_string_the_pages_use(open_page: Callable[..., Page]) -> None:
    page = open_page("super1")
    tables = page.evaluate("import('/static/js/i18n.js').then((m) => [m.tableKeys(), m.groupKeys()])")
    strings, groups = tables
    assert strings["zh-CN"] == strings["en"]
    assert groups["zh-CN"] == groups["en"]
    used = page.evaluate("[...document.querySelectorAll('[data-i18n],[data-i18n-placeholder],[data-i18n-title]')]"
                         ".map((n) => n.dataset.i18n || n.dataset.i18nPlaceholder || n.dataset.i18nTitle)")
    assert set(used) <= set(strings["zh-CN"])
    for language in ("en", "zh-CN"):
        page.get_by_test_id("lang-select").select_option(language)
        page.get_by_test_id("tab-wallboard").click()
        expect(page.locator("#wb-agents tr[data-agent-id]").first).to_be_visible()
        page.get_by_test_id("tab-reports").click()
        expect(page.locator("#report-figures .figure").first).to_be_visible()
        page.get_by_test_id("tab-console").click()
    missing = page.evaluate("import('/static/js/i18n.js').then((m) => [...m.missingKeys])")
    assert missing == []
