"""The IVR menu machine: a pure state machine for one caller's walk through the configured menu tree.

``decide(tree, dialogue, input) -> (dialogue, actions)``. Inputs are what happened (the caller keyed digits or
nothing, said some words, the billing lookup answered); actions are what the runner must do next (play prompts,
collect digits, look an account up, transfer to the ACD, hang up). One retry rule for every node that asks:
a wrong or silent answer is re-asked, and past the node's tries the caller goes to the node's safe default (an
agent). No I/O, no asyncio, no AGI in here; the tree comes from :mod:`ivr.menu_tree`.

The dialogue's ``path`` records every step (node ids, plus ``no_input``, ``invalid``, ``voice``, ``account``,
``unknown``, ``heard``, ``repeat`` and ``queue``) so reports can show where callers go and where they give up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from billing.gateway import Bill
from ivr.bill_speech import bill_prompts
from ivr.menu_tree import MenuNode, MenuTree
from ivr.speech_words import Vocabulary, digits_from, intent_from
from kernel.errors import Conflict


class IllegalInput(Conflict):
    code = "illegal_ivr_input"


# Inputs ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    company: str = ""  # the water company, when the caller's number already tells it
    typed: str = ""  # keys the caller pressed before the menu began (over the outage notice): type-ahead


@dataclass(frozen=True)
class DigitsEntered:
    digits: str  # "" when the caller keyed nothing before the timeout


@dataclass(frozen=True)
class SpeechHeard:
    words: tuple[str, ...]  # what the recognizer heard, within the grammar of the last Collect


@dataclass(frozen=True)
class BillFound:
    bill: Bill


@dataclass(frozen=True)
class AccountUnknown:
    pass


@dataclass(frozen=True)
class BillingDown:
    """The billing system could not say: the account the caller keyed goes with them to the agent, unchecked
    (better than asking them again)."""

    account_number: str = ""


Input = Start | DigitsEntered | SpeechHeard | BillFound | AccountUnknown | BillingDown


# Actions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Play:
    prompts: tuple[str, ...]


@dataclass(frozen=True)
class Collect:
    """Play the prompts (the caller may key over them) and collect up to max_digits; '#' ends early.
    ``grammar``: the words a caller may say instead (when speech recognition is on). ``typed``: the first keys
    of the answer, typed ahead before the question: the prompts are skipped and collecting goes on from them."""

    prompts: tuple[str, ...]
    max_digits: int
    timeout_ms: int | None = None
    grammar: tuple[str, ...] = ()
    typed: str = ""


@dataclass(frozen=True)
class LookUpAccount:
    account_number: str


@dataclass(frozen=True)
class Transfer:
    """Hand the caller to an agent queue, after playing ``prompts`` (e.g. "transferring you to an agent"; not
    played if the queue is closed and the night service takes the caller instead)."""

    queue: str
    reason: str
    prompts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hangup:
    pass


Action = Play | Collect | LookUpAccount | Transfer | Hangup

Stage = Literal["ask", "lookup", "after"]  # a bill node: asking the account, looking it up, after the bill


@dataclass(frozen=True)
class Dialogue:
    node: str = ""  # "" before Start
    stage: Stage = "ask"
    tries: int = 0
    path: tuple[str, ...] = ()
    account_number: str | None = None
    bill: Bill | None = None
    company: str = ""
    done: bool = False

    @property
    def self_served(self) -> bool:
        return self.bill is not None

    @property
    def finished(self) -> bool:
        return self.done


Step = tuple[Dialogue, list[Action]]


def decide(tree: MenuTree, dialogue: Dialogue, event: Input) -> Step:
    if dialogue.done:
        raise IllegalInput(f"{type(event).__name__} after the caller left the menu")
    if isinstance(event, Start):
        if dialogue.node:
            raise IllegalInput("Start twice")
        started, actions = _enter(tree, replace(dialogue, company=event.company), tree.start)
        return started, _typed_ahead(actions, event.typed)
    node = tree.node(dialogue.node) if dialogue.node in tree.nodes else None
    if node is None:
        raise IllegalInput(f"{type(event).__name__} before Start")
    match node.kind, dialogue.stage, event:
        case "menu", _, DigitsEntered(digits):
            return _menu(tree, node, dialogue, digits)
        case "menu", _, SpeechHeard(words):
            return _menu(tree, node, *_spoken_key(node, dialogue, words))
        case "bill", "ask", DigitsEntered(digits):
            return _account(tree, node, dialogue, digits)
        case "bill", "ask", SpeechHeard(words):
            spoken = digits_from(words, Vocabulary(digit_words=tree.digit_words))
            return _account(tree, node, _note(dialogue, "voice") if spoken else dialogue, spoken)
        case "bill", "lookup", BillFound(bill):
            company = bill.company or dialogue.company
            heard = replace(_note(dialogue, "heard"), stage="after", tries=0, bill=bill,
                            account_number=bill.account_number, company=company)
            return heard, [Play(bill_prompts(bill)), _ask_after(node)]
        case "bill", "lookup", AccountUnknown():
            return _account_unknown(tree, node, dialogue)
        case "bill", "lookup", BillingDown(keyed):
            carried = replace(dialogue, account_number=keyed or dialogue.account_number)
            return _enter(tree, carried, node.unavailable, reason="billing_unavailable")
        case "bill", "after", DigitsEntered(digits):
            return _after_bill(tree, node, dialogue, digits)
        case "bill", "after", SpeechHeard(words):
            return _after_bill(tree, node, *_spoken_key(node, dialogue, words))
    raise IllegalInput(f"{type(event).__name__} is not expected at {dialogue.node} ({dialogue.stage})")


def _enter(tree: MenuTree, dialogue: Dialogue, node_id: str, *, reason: str | None = None,
           lead: tuple[str, ...] = ()) -> Step:
    """Go to a node: ask its question, or carry out a leaf (messages chain on to their next node)."""
    played: list[Action] = [Play(lead)] if lead else []
    while True:
        node = tree.node(node_id)
        dialogue = replace(_note(dialogue, node.id), node=node.id, stage="ask", tries=0)
        if node.kind == "menu":
            return dialogue, [*played, _ask_menu(node, node.prompts)]
        if node.kind == "bill":
            return dialogue, [*played, _ask_account(tree, node, node.prompts)]
        if node.kind == "queue":
            left = replace(_note(dialogue, "queue"), done=True)
            return left, [*played, Transfer(tree.queue_for(node, dialogue.company), reason or node.reason,
                                            node.prompts)]
        played.append(Play(node.prompts))
        if node.kind == "message" and node.next:
            node_id = node.next
            continue
        return replace(dialogue, done=True), [*played, Hangup()]


def _menu(tree: MenuTree, node: MenuNode, dialogue: Dialogue, digits: str) -> Step:
    if digits in node.options:
        return _enter(tree, dialogue, node.options[digits])
    return _retry(tree, node, dialogue, digits, node.tries, node.default,
                  lambda warning: _ask_menu(node, (warning, *node.reprompt)))


def _account(tree: MenuTree, node: MenuNode, dialogue: Dialogue, digits: str) -> Step:
    if digits == "":
        return _retry(tree, node, dialogue, digits, node.tries, node.default,
                      lambda warning: _ask_account(tree, node, (warning, *node.reprompt)))
    if tree.account_rule.problem(digits) is not None:  # malformed: no lookup, counted like an unknown account
        return _account_unknown(tree, node, dialogue)
    return replace(_note(dialogue, "account"), stage="lookup"), [LookUpAccount(digits)]


def _account_unknown(tree: MenuTree, node: MenuNode, dialogue: Dialogue) -> Step:
    tries = dialogue.tries + 1
    dialogue = replace(_note(dialogue, "unknown"), stage="ask", tries=tries)
    if tries >= node.tries:
        return _enter(tree, dialogue, node.default, reason="account_unknown")
    return dialogue, [_ask_account(tree, node, node.unknown_prompts)]


def _after_bill(tree: MenuTree, node: MenuNode, dialogue: Dialogue, digits: str) -> Step:
    assert dialogue.bill is not None
    if digits == node.repeat_key and dialogue.path.count("repeat") < node.repeats:
        return _note(dialogue, "repeat"), [Play(bill_prompts(dialogue.bill)), _ask_after(node)]
    if digits in node.options:
        return _enter(tree, dialogue, node.options[digits])
    return _retry(tree, node, dialogue, digits, node.after_tries, node.finished,
                  lambda warning: _ask_after(node, (warning, *node.after_prompts)))


def _retry(tree: MenuTree, node: MenuNode, dialogue: Dialogue, digits: str, limit: int, give_up: str,
           ask: Callable[[str], Collect]) -> Step:
    """The one retry rule: say what went wrong and ask again; past the limit, go to the safe default."""
    problem = "no_input" if digits == "" else "invalid"
    tries = dialogue.tries + 1
    dialogue = replace(_note(dialogue, problem), tries=tries)
    if tries >= limit:
        return _enter(tree, dialogue, give_up, reason=problem)
    return dialogue, [ask("no-input" if digits == "" else "invalid-input")]


def _spoken_key(node: MenuNode, dialogue: Dialogue, words: tuple[str, ...]) -> tuple[Dialogue, str]:
    """A spoken answer as the key it stands for (the first of the node's phrases said); other words count as a
    wrong key ("?"), nothing heard as silence."""
    key = intent_from(words, Vocabulary(intent_words=node.say))
    if key is not None:
        return _note(dialogue, "voice"), key
    return dialogue, "?" if words else ""


def _ask_menu(node: MenuNode, prompts: tuple[str, ...]) -> Collect:
    return Collect(prompts, 1, node.timeout_ms, tuple(node.say))


def _ask_account(tree: MenuTree, node: MenuNode, prompts: tuple[str, ...]) -> Collect:
    return Collect(prompts, tree.account_rule.max_digits, node.timeout_ms, tuple(tree.digit_words))


def _ask_after(node: MenuNode, prompts: tuple[str, ...] | None = None) -> Collect:
    return Collect(node.after_prompts if prompts is None else prompts, 1, node.timeout_ms, tuple(node.say))


def _typed_ahead(actions: list[Action], typed: str) -> list[Action]:
    """Keys typed before the first question answer it (its prompts are skipped); a menu that asks nothing
    (a queue or a message first) ignores them."""
    for n, action in enumerate(actions):
        if typed and isinstance(action, Collect):
            return [*actions[:n], replace(action, typed=typed), *actions[n + 1:]]
    return actions


def _note(dialogue: Dialogue, step: str) -> Dialogue:
    return replace(dialogue, path=(*dialogue.path, step))
