"""The IVR menu as data: a tree of nodes read from configuration (YAML), checked once when it is loaded.

Pure: :func:`parse_menu` takes the parsed document (a mapping) and returns a :class:`MenuTree` or raises
:class:`MenuInvalid` listing every problem, so an operator who edits the menu sees all mistakes at once and a
running hotline keeps its previous menu. Node kinds:

- ``menu``: ask (``prompts``), read one key (or a spoken word listed in ``say``) and go to ``options[key]``.
  A wrong or silent answer is re-asked (``reprompt``) up to ``tries`` times, then the caller goes to
  ``default`` (the safe default: an agent).
- ``bill``: bill self-service. Ask for the account number (keypad or spoken digits), look the bill up, say it,
  then offer ``repeat_key`` (hear it again), ``options`` (e.g. 0 for an agent); silence after the bill ends the
  call at ``finished``. An unknown or malformed account is re-asked up to ``tries`` times, then ``default``;
  a billing system that is down or slow sends the caller to ``unavailable`` (an apology and an agent).
- ``queue``: play ``prompts`` and hand the caller to the ACD queue ``queue`` (the default queue if omitted).
- ``message``: play ``prompts``, then go on to ``next`` (hang up if omitted).
- ``hangup``: play ``prompts`` and hang up.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from billing.account_rule import AccountRule
from ivr.speech_words import MANDARIN_DIGIT_WORDS
from kernel.errors import InvalidInput

NodeKind = Literal["menu", "bill", "queue", "message", "hangup"]
KINDS: tuple[NodeKind, ...] = ("menu", "bill", "queue", "message", "hangup")
KEYS = "0123456789*#"
_NODE_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_PROMPT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")

_FIELDS: dict[NodeKind, frozenset[str]] = {
    "menu": frozenset({"type", "prompts", "reprompt", "options", "say", "tries", "timeout_seconds", "default"}),
    "bill": frozenset({"type", "prompts", "reprompt", "unknown_prompts", "after_prompts", "options", "say",
                       "repeat_key", "repeats", "tries", "after_tries", "timeout_seconds", "default",
                       "unavailable", "finished"}),
    "queue": frozenset({"type", "prompts", "queue", "reason"}),
    "message": frozenset({"type", "prompts", "next"}),
    "hangup": frozenset({"type", "prompts"}),
}
_TOP = frozenset({"start", "nodes", "digit_words"})


class MenuInvalid(InvalidInput):
    code = "menu_invalid"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("the IVR menu is invalid: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class MenuNode:
    id: str
    kind: NodeKind
    prompts: tuple[str, ...] = ()
    reprompt: tuple[str, ...] = ()  # asked again after a wrong or silent answer (menu, bill)
    options: Mapping[str, str] = field(default_factory=dict)  # key -> node id
    say: Mapping[str, str] = field(default_factory=dict)  # spoken word -> key
    tries: int = 3
    timeout_ms: int | None = None  # None: the hotline's ivr.digit_timeout_ms
    default: str = ""  # where the caller goes after the last wrong or silent try
    # bill
    unknown_prompts: tuple[str, ...] = ("account-unknown",)
    after_prompts: tuple[str, ...] = ("after-bill",)
    repeat_key: str = "1"
    repeats: int = 3
    after_tries: int = 2
    unavailable: str = ""
    finished: str = ""
    # queue
    queue: str = ""
    reason: str = ""
    # message
    next: str = ""


@dataclass(frozen=True)
class MenuTree:
    start: str
    nodes: Mapping[str, MenuNode]
    default_queue: str = "general"
    account_rule: AccountRule = field(default_factory=AccountRule)  # length and check digit of an account number
    digit_words: Mapping[str, str] = field(default_factory=lambda: dict(MANDARIN_DIGIT_WORDS))
    # 同城同号: a company's own name for a menu queue (company code -> {menu queue -> company queue})
    company_queues: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def node(self, node_id: str) -> MenuNode:
        return self.nodes[node_id]

    def queue_for(self, node: MenuNode, company: str) -> str:
        queue = node.queue or self.default_queue
        return self.company_queues.get(company, {}).get(queue, queue)

    def prompt_names(self) -> frozenset[str]:
        names: set[str] = set()
        for node in self.nodes.values():
            names.update(node.prompts, node.reprompt)
            if node.kind == "bill":
                names.update(node.unknown_prompts, node.after_prompts)
        return frozenset(names)


def parse_menu(document: Any, *, queues: Collection[str] = (), default_queue: str = "general",
               account_rule: AccountRule | None = None,
               company_queues: Mapping[str, Mapping[str, str]] | None = None) -> MenuTree:
    """The menu tree from a parsed YAML document; ``queues`` are the ACD's queue names (empty: not checked)."""
    problems: list[str] = []
    if not isinstance(document, Mapping):
        raise MenuInvalid(["the menu must be a mapping with 'start' and 'nodes'"])
    problems += [f"unknown top-level key {key!r}" for key in document if key not in _TOP]
    raw_nodes = document.get("nodes")
    if not isinstance(raw_nodes, Mapping) or not raw_nodes:
        raise MenuInvalid([*problems, "'nodes' must be a non-empty mapping of node id -> node"])
    nodes = {}
    for node_id, raw in raw_nodes.items():
        node = _node(str(node_id), raw, problems)
        if node is not None:
            nodes[node.id] = node
    start = document.get("start")
    if start not in raw_nodes:
        problems.append(f"start {start!r} is not a node")
    digit_words = _digit_words(document.get("digit_words"), problems)
    for node in nodes.values():
        _check_links(node, raw_nodes, queues, problems)
    if not problems:
        problems += _silent_loops(nodes)
    if problems:
        raise MenuInvalid(problems)
    return MenuTree(start=str(start), nodes=nodes, default_queue=default_queue,
                    account_rule=account_rule or AccountRule(),
                    digit_words=digit_words, company_queues=dict(company_queues or {}))


def _node(node_id: str, raw: Any, problems: list[str]) -> MenuNode | None:
    where = f"nodes.{node_id}"
    if not _NODE_ID.match(node_id):
        problems.append(f"{where}: a node id is lower-case letters, digits and _ (starting with a letter)")
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: must be a mapping")
        return None
    kind = raw.get("type")
    if kind not in KINDS:
        problems.append(f"{where}.type: {kind!r} is not one of {', '.join(KINDS)}")
        return None
    kind = cast(NodeKind, kind)
    problems += [f"{where}: unknown field {key!r} for a {kind} node" for key in raw if key not in _FIELDS[kind]]
    values: dict[str, Any] = {"id": node_id, "kind": kind}
    for name in ("prompts", "reprompt", "unknown_prompts", "after_prompts"):
        if name in raw:
            values[name] = _prompts(raw[name], f"{where}.{name}", problems)
    if kind in ("menu", "bill") and "reprompt" not in raw:
        values["reprompt"] = values.get("prompts", ())
    for name in ("options", "say"):
        if name in raw:
            values[name] = _key_map(raw[name], f"{where}.{name}", problems, keys_are_digits=name == "options")
    for name, low, high in (("tries", 1, 9), ("repeats", 0, 9), ("after_tries", 1, 9)):
        if name in raw:
            values[name] = _integer(raw[name], f"{where}.{name}", low, high, problems)
    if "timeout_seconds" in raw:
        values["timeout_ms"] = 1000 * _integer(raw["timeout_seconds"], f"{where}.timeout_seconds", 1, 60, problems)
    for name in ("default", "unavailable", "finished", "queue", "reason", "next", "repeat_key"):
        if name in raw:
            values[name] = str(raw[name])
    if kind == "menu" and not values.get("options"):
        problems.append(f"{where}.options: a menu needs at least one option")
    for key in values.get("say", {}).values():
        allowed = set(values.get("options", {})) | ({values.get("repeat_key", "1")} if kind == "bill" else set())
        if key not in allowed:
            problems.append(f"{where}.say: key {key!r} is not one of the node's options")
    if kind == "bill":
        repeat = values.get("repeat_key", "1")
        if len(repeat) != 1 or repeat not in KEYS or repeat in values.get("options", {}):
            problems.append(f"{where}.repeat_key: {repeat!r} must be one key that is not also an option")
    if kind == "queue" and not values.get("reason"):
        values["reason"] = node_id
    return MenuNode(**values)


def _check_links(node: MenuNode, existing: Collection[str], queues: Collection[str], problems: list[str]) -> None:
    where = f"nodes.{node.id}"
    required = {"menu": ("default",), "bill": ("default", "unavailable", "finished")}.get(node.kind, ())
    for name in required:
        if not getattr(node, name):
            problems.append(f"{where}.{name}: required for a {node.kind} node (where the caller goes next)")
    links = [(f"options[{key}]", target) for key, target in node.options.items()]
    links += [(name, getattr(node, name)) for name in ("default", "unavailable", "finished", "next")]
    for name, target in links:
        if target and target not in existing:
            problems.append(f"{where}.{name}: {target!r} is not a node")
    if node.kind == "queue" and node.queue and queues and node.queue not in queues:
        problems.append(f"{where}.queue: {node.queue!r} is not an ACD queue ({', '.join(sorted(queues))})")


def _silent_loops(nodes: Mapping[str, MenuNode]) -> list[str]:
    """A caller who keys nothing must reach an agent or a goodbye: following ``default`` from every node that
    asks, and ``next`` from messages, must end at a leaf, never come round again (messages looping among
    themselves would even play forever)."""
    problems = []
    for start in nodes.values():
        seen: list[str] = []
        node: MenuNode | None = start
        while node is not None:
            if node.id in seen:
                problems.append(f"nodes.{start.id}: a silent caller goes round for ever "
                                f"({' -> '.join([*seen, node.id])}); a default or next must lead to a queue or "
                                "a hang-up")
                break
            seen.append(node.id)
            following = node.default if node.kind in ("menu", "bill") else node.next
            node = nodes.get(following) if following else None
    return problems


def _prompts(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(p, str) and _PROMPT.match(p) for p in items):
        problems.append(f"{where}: a list of prompt names (file names without extension)")
        return ()
    return tuple(items)


def _key_map(value: Any, where: str, problems: list[str], *, keys_are_digits: bool) -> dict[str, str]:
    if not isinstance(value, Mapping):
        problems.append(f"{where}: must be a mapping")
        return {}
    result = {}
    for key, target in value.items():
        key = str(key)
        if keys_are_digits and (len(key) != 1 or key not in KEYS):
            problems.append(f"{where}: {key!r} is not one key of 0-9 * #")
            continue
        result[key] = str(target)
    return result


def _integer(value: Any, where: str, low: int, high: int, problems: list[str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(f"{where}: {value!r} must be a whole number from {low} to {high}")
        return low
    return value


def _digit_words(value: Any, problems: list[str]) -> dict[str, str]:
    if value is None:
        return dict(MANDARIN_DIGIT_WORDS)
    if not isinstance(value, Mapping) or not all(str(d) in "0123456789" and len(str(d)) == 1
                                                  for d in value.values()):
        problems.append("digit_words: a mapping of spoken word -> one digit")
        return {}
    return {str(word): str(digit) for word, digit in value.items()}
