"""The IVR menu: a pure state machine for one caller's dialogue.

``decide(config, dialogue, input) -> (dialogue, actions)``. Inputs are what happened (the caller keyed
digits, or nothing; the billing lookup answered); actions are what the runner must do next (play prompts,
collect digits, look an account up, transfer to the ACD, hang up). Invalid or silent input gets a re-prompt,
then the safe default: an agent. No I/O, no asyncio, no AGI in here.

Default menu: 1 = hear my bill, 2 = report a leak or repair, 3 = complaint or consultation, 0 = an agent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from billing.gateway import Bill
from ivr.say_zh import say_amount, say_date
from kernel.errors import Conflict


class Node(StrEnum):
    START = "start"
    MAIN = "main"
    ACCOUNT = "account"
    LOOKUP = "lookup"
    AFTER_BILL = "after_bill"
    DONE = "done"


class IllegalInput(Conflict):
    code = "illegal_ivr_input"


@dataclass(frozen=True)
class MenuConfig:
    queue: str = "general"
    menu_tries: int = 3
    account_tries: int = 3
    account_min_digits: int = 4
    account_max_digits: int = 12
    after_bill_tries: int = 2
    bill_repeats: int = 3  # a caller may hear the bill again this many times


# Inputs ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    pass


@dataclass(frozen=True)
class DigitsEntered:
    digits: str  # "" when the caller keyed nothing before the timeout


@dataclass(frozen=True)
class BillFound:
    bill: Bill


@dataclass(frozen=True)
class AccountUnknown:
    pass


@dataclass(frozen=True)
class BillingDown:
    pass


Input = Start | DigitsEntered | BillFound | AccountUnknown | BillingDown


# Actions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Play:
    prompts: tuple[str, ...]


@dataclass(frozen=True)
class Collect:
    """Play the prompts (the caller may key over them) and collect up to max_digits; '#' ends early."""

    prompts: tuple[str, ...]
    max_digits: int


@dataclass(frozen=True)
class LookUpAccount:
    account_number: str


@dataclass(frozen=True)
class Transfer:
    queue: str
    reason: str


@dataclass(frozen=True)
class Hangup:
    pass


Action = Play | Collect | LookUpAccount | Transfer | Hangup


@dataclass(frozen=True)
class Dialogue:
    node: Node = Node.START
    tries: int = 0
    path: tuple[str, ...] = ()
    account_number: str | None = None
    bill: Bill | None = None

    @property
    def self_served(self) -> bool:
        return self.bill is not None

    @property
    def finished(self) -> bool:
        return self.node == Node.DONE


MAIN_PROMPT = ("main-menu",)
MENU_CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "2": ("repair", ("repair-intro", "transfer-agent")),
    "3": ("complaint", ("complaint-intro", "transfer-agent")),
    "0": ("agent", ("transfer-agent",)),
}


def decide(config: MenuConfig, dialogue: Dialogue, event: Input) -> tuple[Dialogue, list[Action]]:
    match dialogue.node, event:
        case Node.START, Start():
            return _step(dialogue, Node.MAIN, "main"), [Collect(("welcome", *MAIN_PROMPT), 1)]
        case Node.MAIN, DigitsEntered(digits):
            return _main(config, dialogue, digits)
        case Node.ACCOUNT, DigitsEntered(digits):
            return _account(config, dialogue, digits)
        case Node.LOOKUP, BillFound(bill):
            moved = replace(_step(dialogue, Node.AFTER_BILL, "bill"), bill=bill, account_number=bill.account_number)
            return moved, [Play(bill_prompts(bill)), Collect(("after-bill",), 1)]
        case Node.LOOKUP, AccountUnknown():
            return _account_unknown(config, dialogue)
        case Node.LOOKUP, BillingDown():
            down = replace(dialogue, path=(*dialogue.path, "billing_down"))
            return _transfer(config, down, "billing_unavailable", ("billing-unavailable",))
        case Node.AFTER_BILL, DigitsEntered(digits):
            return _after_bill(config, dialogue, digits)
    raise IllegalInput(f"{type(event).__name__} is not expected at {dialogue.node}")


def bill_prompts(bill: Bill) -> tuple[str, ...]:
    if bill.amount_due <= 0:
        return ("bill-none",)
    prompts = ["bill-intro", *say_amount(bill.amount_due)]
    if bill.due_date is not None:
        prompts += ["due-date-intro", *say_date(bill.due_date)]
    return tuple(prompts)


def _step(dialogue: Dialogue, node: Node, token: str) -> Dialogue:
    tries = dialogue.tries if node == dialogue.node else 0
    return replace(dialogue, node=node, tries=tries, path=(*dialogue.path, token))


def _main(config: MenuConfig, dialogue: Dialogue, digits: str) -> tuple[Dialogue, list[Action]]:
    if digits == "1":
        return _step(dialogue, Node.ACCOUNT, "bill"), [Collect(("enter-account",), config.account_max_digits)]
    if digits in MENU_CHOICES:
        reason, prompts = MENU_CHOICES[digits]
        return _transfer(config, replace(dialogue, path=(*dialogue.path, reason)), reason, prompts)
    return _retry(config, dialogue, digits, config.menu_tries, MAIN_PROMPT)


def _retry(config: MenuConfig, dialogue: Dialogue, digits: str, limit: int,
           prompts: tuple[str, ...]) -> tuple[Dialogue, list[Action]]:
    """No input or a wrong key: say so and ask again; past the limit, an agent takes the call."""
    problem = "no_input" if digits == "" else "invalid"
    tries = dialogue.tries + 1
    dialogue = replace(dialogue, tries=tries, path=(*dialogue.path, problem))
    if tries >= limit:
        return _transfer(config, dialogue, problem, ("transfer-agent",))
    warning = "no-input" if digits == "" else "invalid-input"
    return dialogue, [Collect((warning, *prompts), 1)]


def _account(config: MenuConfig, dialogue: Dialogue, digits: str) -> tuple[Dialogue, list[Action]]:
    if digits == "":
        tries = dialogue.tries + 1
        dialogue = replace(dialogue, tries=tries, path=(*dialogue.path, "no_input"))
        if tries >= config.account_tries:
            return _transfer(config, dialogue, "no_input", ("transfer-agent",))
        return dialogue, [Collect(("no-input", "enter-account"), config.account_max_digits)]
    if not digits.isdigit() or not config.account_min_digits <= len(digits) <= config.account_max_digits:
        return _account_unknown(config, replace(dialogue, node=Node.LOOKUP))
    moved = replace(dialogue, node=Node.LOOKUP, path=(*dialogue.path, "account"))
    return moved, [LookUpAccount(digits)]


def _account_unknown(config: MenuConfig, dialogue: Dialogue) -> tuple[Dialogue, list[Action]]:
    tries = dialogue.tries + 1
    dialogue = replace(dialogue, node=Node.ACCOUNT, tries=tries, path=(*dialogue.path, "unknown"))
    if tries >= config.account_tries:
        return _transfer(config, dialogue, "account_unknown", ("transfer-agent",))
    return dialogue, [Collect(("account-unknown",), config.account_max_digits)]


def _after_bill(config: MenuConfig, dialogue: Dialogue, digits: str) -> tuple[Dialogue, list[Action]]:
    assert dialogue.bill is not None
    if digits == "1" and dialogue.path.count("repeat") < config.bill_repeats:
        repeated = replace(dialogue, path=(*dialogue.path, "repeat"))
        return repeated, [Play(bill_prompts(dialogue.bill)), Collect(("after-bill",), 1)]
    if digits == "0":
        return _transfer(config, replace(dialogue, path=(*dialogue.path, "agent")), "agent", ("transfer-agent",))
    tries = dialogue.tries + 1
    problem = "no_input" if digits == "" else "invalid"
    dialogue = replace(dialogue, tries=tries, path=(*dialogue.path, problem))
    if tries >= config.after_bill_tries:
        return replace(dialogue, node=Node.DONE), [Play(("goodbye",)), Hangup()]
    warning = "no-input" if digits == "" else "invalid-input"
    return dialogue, [Collect((warning, "after-bill"), 1)]


def _transfer(config: MenuConfig, dialogue: Dialogue, reason: str,
              prompts: tuple[str, ...]) -> tuple[Dialogue, list[Action]]:
    """Leave the IVR for the ACD; the path ends with "queue"."""
    done = replace(dialogue, node=Node.DONE, path=(*dialogue.path, "queue"))
    return done, [Play(prompts), Transfer(config.queue, reason)]
