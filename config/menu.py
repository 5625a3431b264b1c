"""The IVR menu as this hotline's settings shape it: queue names checked against the ACD's, the account
number's length, and each company's own queues (同城同号)."""

from __future__ import annotations

from typing import Any

from config.billing import account_rule
from config.settings import Settings
from ivr.menu_source import Build
from ivr.menu_tree import MenuTree, parse_menu


def menu_builder(settings: Settings) -> Build:
    queues = [q.name for q in settings.acd.queues]
    company_queues = {c.code: dict(c.queues) for c in settings.companies}
    rule = account_rule(settings)

    def build(document: Any) -> MenuTree:
        return parse_menu(document, queues=queues, default_queue=settings.acd.queue,
                          account_rule=rule, company_queues=company_queues)

    return build
