"""The IVR menu as this hotline's settings shape it: queue names checked against the ACD's, the account
number's length, and each company's own queues (同城同号)."""

from __future__ import annotations

from typing import Any

from config.settings import Settings
from ivr.menu_source import Build
from ivr.menu_tree import MenuTree, parse_menu


def menu_builder(settings: Settings) -> Build:
    queues = [q.name for q in settings.acd.queues]
    company_queues = {c.code: dict(c.queues) for c in settings.companies}

    def build(document: Any) -> MenuTree:
        return parse_menu(document, queues=queues, default_queue=settings.acd.queue,
                          account_min_digits=settings.ivr.account_min_digits,
                          account_max_digits=settings.ivr.account_max_digits, company_queues=company_queues)

    return build
