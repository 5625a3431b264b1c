"""The IVR menu machine on the default menu tree and on hand-made ones: every branch, the prompts it asks for,
the path it records, retries, timeouts, speech, companies, and a property that any caller, whatever they key
or say, leaves the IVR (to an agent or with a goodbye) in a bounded number of steps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.account_rule import AccountRule
from billing.gateway import Bill
from ivr.bill_speech import bill_prompts
from ivr.menu import (
    AccountUnknown,
    Action,
    BillFound,
    BillingDown,
    Collect,
    Dialogue,
    DigitsEntered,
    Hangup,
    IllegalInput,
    Input,
    LookUpAccount,
    Play,
    SpeechHeard,
    Start,
    Transfer,
    decide,
)
from ivr.menu_source import read_menu_document
from ivr.menu_tree import MenuTree, parse_menu
from ivr.speech_words import MANDARIN_DIGIT_WORDS

DEFAULT_DOC = read_menu_document(None)
TREE = parse_menu(DEFAULT_DOC, queues=["general", "billing"], default_queue="general")
BILL = Bill(account_number="10020031", name="张伟", address="西湖区文三路1号", supply_zone="城西",
            amount_due=Decimal("128.50"), due_date=date(2026, 12, 15), last_reading=Decimal("3021.5"))
DIGIT_WORDS = tuple(MANDARIN_DIGIT_WORDS)
MAIN_SAY = tuple(DEFAULT_DOC["nodes"]["main"]["say"])
BILL_SAY = tuple(DEFAULT_DOC["nodes"]["bill"]["say"])
MAIN = Collect(("welcome", "main-menu"), 1, 5000, MAIN_SAY)
ENTER_ACCOUNT = Collect(("enter-account",), 12, None, DIGIT_WORDS)
AFTER_BILL = Collect(("after-bill",), 1, None, BILL_SAY)


def feed(inputs: Sequence[Input | str], tree: MenuTree = TREE, start: Start | None = None
         ) -> tuple[Dialogue, list[Action]]:
    """Start a dialogue and feed it inputs (a str is keyed digits); the dialogue and the last actions."""
    dialogue, actions = decide(tree, Dialogue(), start or Start())
    for item in inputs:
        dialogue, actions = decide(tree, dialogue, DigitsEntered(item) if isinstance(item, str) else item)
    return dialogue, actions


def tree_of(document: dict[str, Any], **kwargs: Any) -> MenuTree:
    return parse_menu(document, **kwargs)


def with_main(**changes: Any) -> MenuTree:
    document = {"start": DEFAULT_DOC["start"], "nodes": {**DEFAULT_DOC["nodes"]}}
    document["nodes"]["main"] = {**DEFAULT_DOC["nodes"]["main"], **changes}
    return parse_menu(document)


# Main menu -------------------------------------------------------------------------------------------


def test_start_welcomes_and_collects_the_main_menu() -> None:
    dialogue, actions = decide(TREE, Dialogue(), Start())
    assert actions == [MAIN]
    assert (dialogue.node, dialogue.path, dialogue.tries) == ("main", ("main",), 0)
    assert not dialogue.finished and not dialogue.self_served


def test_one_asks_for_the_account_number() -> None:
    dialogue, actions = feed(["1"])
    assert actions == [ENTER_ACCOUNT]
    assert (dialogue.node, dialogue.stage, dialogue.path) == ("bill", "ask", ("main", "bill"))


@pytest.mark.parametrize(("key", "reason", "prompts"), [
    ("2", "repair", ("repair-intro", "transfer-agent")),
    ("3", "complaint", ("complaint-intro", "transfer-agent")),
    ("0", "agent", ("transfer-agent",)),
])
def test_menu_choices_transfer_to_an_agent(key: str, reason: str, prompts: tuple[str, ...]) -> None:
    dialogue, actions = feed([key])
    assert actions == [Transfer("general", reason, prompts)]
    assert dialogue.finished
    assert dialogue.path == ("main", reason, "queue")


@pytest.mark.parametrize(("bad", "problem", "warning"), [("", "no_input", "no-input"),
                                                         ("7", "invalid", "invalid-input"),
                                                         ("*", "invalid", "invalid-input")])
def test_main_menu_reprompts_then_goes_to_the_safe_default(bad: str, problem: str, warning: str) -> None:
    dialogue, actions = feed([bad])
    assert actions == [Collect((warning, "main-menu"), 1, 5000, MAIN_SAY)]
    assert dialogue.tries == 1
    dialogue, actions = feed([bad, bad, bad])
    assert actions == [Transfer("general", problem, ("transfer-agent",))]
    assert dialogue.path == ("main", problem, problem, problem, "agent", "queue")


def test_silence_and_wrong_keys_count_together() -> None:
    dialogue, actions = feed(["", "9", ""])
    assert isinstance(actions[-1], Transfer) and actions[-1].reason == "no_input"
    assert dialogue.path == ("main", "no_input", "invalid", "no_input", "agent", "queue")


def test_tries_and_timeout_come_from_the_node() -> None:
    tree = with_main(tries=1, timeout_seconds=9)
    assert decide(tree, Dialogue(), Start())[1] == [Collect(("welcome", "main-menu"), 1, 9000, MAIN_SAY)]
    assert isinstance(feed([""], tree)[1][-1], Transfer)


def test_a_good_choice_after_mistakes_still_works() -> None:
    dialogue, actions = feed(["", "8", "1"])
    assert actions == [ENTER_ACCOUNT]
    assert dialogue.tries == 0  # a new node starts its own count


# Bill self-service -----------------------------------------------------------------------------------


def test_account_number_is_looked_up() -> None:
    dialogue, actions = feed(["1", "10020031"])
    assert actions == [LookUpAccount("10020031")]
    assert dialogue.stage == "lookup" and dialogue.path[-1] == "account"


def test_account_length_limits_are_inclusive() -> None:
    assert feed(["1", "1234"])[1] == [LookUpAccount("1234")]
    assert feed(["1", "1" * 12])[1] == [LookUpAccount("1" * 12)]


def test_a_check_digit_rule_refuses_a_mistyped_number_without_a_lookup() -> None:
    tree = parse_menu(DEFAULT_DOC, account_rule=AccountRule(8, 8, "luhn"))
    assert feed(["1", "10020030"], tree)[1] == [LookUpAccount("10020030")]  # Luhn-valid
    dialogue, actions = feed(["1", "10020031"], tree)
    assert actions == [Collect(("account-unknown",), 8, None, DIGIT_WORDS)] and dialogue.path[-1] == "unknown"


def test_bill_found_plays_the_bill_then_offers_the_after_bill_menu() -> None:
    dialogue, actions = feed(["1", "10020031", BillFound(BILL)])
    assert actions == [Play(bill_prompts(BILL)), AFTER_BILL]
    assert dialogue.self_served and dialogue.account_number == "10020031"
    assert dialogue.path == ("main", "bill", "account", "heard")


def test_unknown_account_asks_again_then_goes_to_an_agent() -> None:
    dialogue, actions = feed(["1", "10020031", AccountUnknown()])
    assert actions == [Collect(("account-unknown",), 12, None, DIGIT_WORDS)]
    dialogue, actions = feed(["1", "10020031", AccountUnknown(), "10020032", AccountUnknown(), "10020033",
                              AccountUnknown()])
    assert actions == [Transfer("general", "account_unknown", ("transfer-agent",))]
    assert dialogue.path.count("unknown") == 3 and dialogue.path[-2:] == ("agent", "queue")


def test_second_try_can_find_the_account() -> None:
    dialogue, _ = feed(["1", "10020031", AccountUnknown(), "10020031", BillFound(BILL)])
    assert dialogue.self_served


@pytest.mark.parametrize("bad", ["123", "1" * 13, "12*45", "#"])
def test_malformed_account_counts_as_unknown_without_a_lookup(bad: str) -> None:
    dialogue, actions = feed(["1", bad])
    assert actions == [Collect(("account-unknown",), 12, None, DIGIT_WORDS)]
    assert dialogue.path[-1] == "unknown"


def test_silence_at_account_entry_reprompts_then_transfers() -> None:
    assert feed(["1", ""])[1] == [Collect(("no-input", "enter-account"), 12, None, DIGIT_WORDS)]
    actions = feed(["1", "", "", ""])[1]
    assert actions[-1] == Transfer("general", "no_input", ("transfer-agent",))


def test_silence_and_unknown_accounts_share_the_account_tries() -> None:
    actions = feed(["1", "", "123", ""])[1]
    assert isinstance(actions[-1], Transfer)


def test_billing_down_apologises_and_transfers() -> None:
    dialogue, actions = feed(["1", "10020031", BillingDown()])
    assert actions == [Transfer("general", "billing_unavailable", ("billing-unavailable",))]
    assert dialogue.path[-3:] == ("account", "billing_down", "queue")
    assert dialogue.account_number is None  # the lookup's own answer did not say which account


def test_billing_down_carries_the_keyed_account_to_the_agent() -> None:
    dialogue, actions = feed(["1", "10020031", BillingDown("10020031")])
    assert actions == [Transfer("general", "billing_unavailable", ("billing-unavailable",))]
    assert dialogue.account_number == "10020031"


def test_one_repeats_the_bill() -> None:
    dialogue, actions = feed(["1", "10020031", BillFound(BILL), "1"])
    assert actions == [Play(bill_prompts(BILL)), AFTER_BILL]
    assert dialogue.path[-1] == "repeat"


def test_zero_after_the_bill_transfers_to_an_agent() -> None:
    dialogue, actions = feed(["1", "10020031", BillFound(BILL), "0"])
    assert actions == [Transfer("general", "agent", ("transfer-agent",))]
    assert dialogue.self_served  # heard the bill, then wanted an agent anyway
    assert dialogue.path[-2:] == ("agent", "queue")


def test_silence_after_the_bill_says_goodbye_and_hangs_up() -> None:
    dialogue, actions = feed(["1", "10020031", BillFound(BILL), ""])
    assert actions == [Collect(("no-input", "after-bill"), 1, None, BILL_SAY)]
    dialogue, actions = feed(["1", "10020031", BillFound(BILL), "", ""])
    assert actions == [Play(("goodbye",)), Hangup()]
    assert dialogue.finished and dialogue.path[-1] == "goodbye"


def test_wrong_key_after_the_bill_reprompts() -> None:
    assert feed(["1", "10020031", BillFound(BILL), "5"])[1] == [
        Collect(("invalid-input", "after-bill"), 1, None, BILL_SAY)]


def test_repeating_the_bill_cannot_hold_the_line_forever() -> None:
    dialogue, actions = feed(["1", "10020031", BillFound(BILL), "1", "1", "1", "1"])
    assert dialogue.path.count("repeat") == 3
    assert actions == [Collect(("invalid-input", "after-bill"), 1, None, BILL_SAY)]


# Speech ----------------------------------------------------------------------------------------------


def test_a_spoken_intent_chooses_like_its_key() -> None:
    dialogue, actions = feed([SpeechHeard(("查水费",))])
    assert actions == [ENTER_ACCOUNT]
    assert dialogue.path == ("main", "voice", "bill")
    assert feed([SpeechHeard(("[unk]", "报修"))])[1][-1].reason == "repair"
    assert feed([SpeechHeard(("人工",))])[1][-1].reason == "agent"


def test_words_outside_the_menu_are_a_wrong_answer_and_nothing_heard_is_silence() -> None:
    assert feed([SpeechHeard(("你好",))])[0].path == ("main", "invalid")
    assert feed([SpeechHeard(())])[0].path == ("main", "no_input")


def test_a_spoken_account_number_is_looked_up() -> None:
    words = ("幺", "零", "零", "二", "零", "零", "三", "幺")
    dialogue, actions = feed(["1", SpeechHeard(words)])
    assert actions == [LookUpAccount("10020031")]
    assert dialogue.path[-2:] == ("voice", "account")


def test_spoken_words_after_the_bill() -> None:
    assert feed(["1", "10020031", BillFound(BILL), SpeechHeard(("重听",))])[0].path[-1] == "repeat"


# Companies (同城同号) --------------------------------------------------------------------------------


def test_the_company_decides_the_queue() -> None:
    tree = parse_menu(DEFAULT_DOC, company_queues={"east": {"general": "east_general"}})
    assert feed(["0"], tree, Start(company="east"))[1][-1] == Transfer("east_general", "agent", ("transfer-agent",))
    assert feed(["0"], tree)[1][-1] == Transfer("general", "agent", ("transfer-agent",))


def test_the_account_tells_the_company_when_the_number_did_not() -> None:
    tree = parse_menu(DEFAULT_DOC, company_queues={"east": {"general": "east_general"}})
    dialogue, _ = feed(["1", "10020031", BillFound(replace(BILL, company="east"))], tree)
    assert dialogue.company == "east"
    assert decide(tree, dialogue, DigitsEntered("0"))[1][-1] == Transfer("east_general", "agent", ("transfer-agent",))


# Other node kinds ------------------------------------------------------------------------------------


def test_messages_chain_on_and_a_message_without_next_hangs_up() -> None:
    tree = tree_of({"start": "hours", "nodes": {
        "hours": {"type": "message", "prompts": ["opening-hours"], "next": "main"},
        "main": {"type": "menu", "prompts": ["main-menu"], "options": {"9": "bye", "0": "agent"},
                 "default": "agent"},
        "bye": {"type": "message", "prompts": ["goodbye"]},
        "agent": {"type": "queue", "queue": "billing", "prompts": []},
    }})
    dialogue, actions = decide(tree, Dialogue(), Start())
    assert actions == [Play(("opening-hours",)), Collect(("main-menu",), 1, None, ())]
    assert dialogue.path == ("hours", "main")
    dialogue, actions = decide(tree, dialogue, DigitsEntered("9"))
    assert actions == [Play(("goodbye",)), Hangup()] and dialogue.finished
    assert feed(["0"], tree)[1][-1] == Transfer("billing", "agent")  # a queue node without prompts


# Illegal inputs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", [["0"], ["1", "10020031", BillFound(BILL), "", ""]])
def test_any_input_once_done_is_illegal(ending: list[Input | str]) -> None:
    dialogue, _ = feed(ending)
    with pytest.raises(IllegalInput):
        decide(TREE, dialogue, DigitsEntered("1"))


@pytest.mark.parametrize(("before", "extra"), [([], BillFound(BILL)), (["1"], AccountUnknown()),
                                               (["1", "10020031"], DigitsEntered("1")), ([], BillingDown())])
def test_inputs_out_of_place_are_illegal(before: list[Input | str], extra: Input) -> None:
    dialogue, _ = feed(before)
    with pytest.raises(IllegalInput):
        decide(TREE, dialogue, extra)


def test_start_only_at_the_start() -> None:
    with pytest.raises(IllegalInput):
        decide(TREE, feed([])[0], Start())
    with pytest.raises(IllegalInput):
        decide(TREE, Dialogue(), DigitsEntered("1"))


# The tree's own checks -------------------------------------------------------------------------------


def problems_of(document: Any, **kwargs: Any) -> str:
    from ivr.menu_tree import MenuInvalid
    with pytest.raises(MenuInvalid) as caught:
        parse_menu(document, **kwargs)
    return str(caught.value)


def test_a_menu_with_mistakes_lists_every_one() -> None:
    message = problems_of({"start": "nowhere", "colour": 1, "nodes": {
        "main": {"type": "menu", "prompts": ["main-menu"], "options": {"1": "missing", "12": "main"},
                 "say": {"查水费": "5"}, "tries": 0, "volume": 3},
        "q": {"type": "queue", "queue": "nosuch"},
        "x": {"type": "teleport"},
    }}, queues=["general"])
    for expected in ("unknown top-level key 'colour'", "start 'nowhere' is not a node", "'12' is not one key",
                     "options[1]: 'missing' is not a node", "nodes.main.default: required",
                     "tries: 0 must be a whole number", "unknown field 'volume'", "say: key '5'",
                     "'nosuch' is not an ACD queue", "'teleport' is not one of"):
        assert expected in message


def test_a_silent_caller_must_not_go_round_for_ever() -> None:
    message = problems_of({"start": "a", "nodes": {
        "a": {"type": "menu", "prompts": ["x"], "options": {"1": "b"}, "default": "b"},
        "b": {"type": "menu", "prompts": ["y"], "options": {"1": "a"}, "default": "a"},
    }})
    assert "a silent caller goes round for ever (a -> b -> a)" in message
    assert "round for ever" in problems_of({"start": "m", "nodes": {
        "m": {"type": "message", "prompts": ["x"], "next": "n"},
        "n": {"type": "message", "prompts": ["y"], "next": "m"}}})


@pytest.mark.parametrize("document", [None, [], "menu", {"start": "a"}, {"start": "a", "nodes": []}])
def test_a_menu_that_is_not_a_tree_is_refused(document: Any) -> None:
    assert "menu is invalid" in problems_of(document)


def test_bill_nodes_need_their_exits_and_a_free_repeat_key() -> None:
    message = problems_of({"start": "b", "nodes": {
        "b": {"type": "bill", "prompts": ["enter-account"], "options": {"1": "b"}}}})
    for expected in ("nodes.b.default: required", "nodes.b.unavailable: required", "nodes.b.finished: required",
                     "repeat_key: '1' must be one key that is not also an option"):
        assert expected in message


# Any caller ends: a property over random trees' parameters and random callers --------------------------

KEYS = st.sampled_from(["", "0", "1", "2", "3", "4", "7", "9", "*", "#"])
ACCOUNTS = st.sampled_from(["", "123", "10020031", "1" * 13, "12*4", "0"])
SPOKEN = st.lists(st.sampled_from(["查水费", "报修", "人工", "重听", "幺", "零", "二", "[unk]", "你好"]), max_size=8)
LOOKUP_RESULTS = st.sampled_from([BillFound(BILL), BillFound(replace(BILL, amount_due=Decimal(0))),
                                  AccountUnknown(), BillingDown()])


@st.composite
def trees(draw: st.DrawFn) -> MenuTree:
    nodes = {name: dict(node) for name, node in DEFAULT_DOC["nodes"].items()}
    nodes["main"]["tries"] = draw(st.integers(1, 4))
    nodes["bill"]["tries"] = draw(st.integers(1, 4))
    nodes["bill"]["after_tries"] = draw(st.integers(1, 3))
    nodes["bill"]["repeats"] = draw(st.integers(0, 3))
    rule = AccountRule(draw(st.integers(1, 6)), draw(st.integers(6, 14)), draw(st.sampled_from(["none", "luhn"])))
    return parse_menu({"start": "main", "nodes": nodes}, account_rule=rule)


def check_actions(tree: MenuTree, dialogue: Dialogue, actions: list[Action]) -> None:
    assert actions
    for action in actions[:-1]:
        assert isinstance(action, Play)  # transfer, hang-up and anything awaiting an answer come last
    last = actions[-1]
    if dialogue.finished:
        assert isinstance(last, Transfer | Hangup)
        assert (dialogue.path[-1] == "queue") == isinstance(last, Transfer)
    else:
        assert isinstance(last, Collect | LookUpAccount)
    if isinstance(last, LookUpAccount):
        number = last.account_number
        assert tree.account_rule.problem(number) is None


@settings(max_examples=200, deadline=None)
@given(tree=trees(), data=st.data())
def test_every_dialogue_ends_with_a_transfer_or_hangup(tree: MenuTree, data: st.DataObject) -> None:
    dialogue, actions = decide(tree, Dialogue(), Start())
    check_actions(tree, dialogue, actions)
    steps = repeats = 0
    while not dialogue.finished:
        assert steps < 500, "runaway dialogue"
        event: Input
        if isinstance(actions[-1], LookUpAccount):
            event = data.draw(LOOKUP_RESULTS)
        elif data.draw(st.booleans()):
            event = SpeechHeard(tuple(data.draw(SPOKEN)))
        else:
            event = DigitsEntered(data.draw(ACCOUNTS if dialogue.node == "bill" and dialogue.stage == "ask"
                                            else KEYS))
        if dialogue.stage == "after":
            repeats += 1  # a repeat is the caller's choice; it alone may prolong the call
        path_before = dialogue.path
        dialogue, actions = decide(tree, dialogue, event)
        steps += 1
        assert dialogue.path[:len(path_before)] == path_before  # the path only grows
        assert len(dialogue.path) > len(path_before)
        check_actions(tree, dialogue, actions)
    main, bill = tree.node("main"), tree.node("bill")
    assert steps <= main.tries + 2 * bill.tries + repeats + bill.after_tries + 1
    assert dialogue.path[0] == "main"
    with pytest.raises(IllegalInput):
        decide(tree, dialogue, DigitsEntered("0"))


# Type-ahead ------------------------------------------------------------------------------------------


def test_a_key_typed_before_the_menu_answers_its_first_question() -> None:
    _dialogue, actions = decide(TREE, Dialogue(), Start(typed="1"))
    assert actions == [replace(MAIN, typed="1")]  # the runner skips the prompts and collects from "1"
    assert feed(["1"], start=Start(typed="1")) == feed(["1"])  # then it goes on as if keyed over the menu


def test_a_typed_ahead_key_goes_to_the_first_question_after_a_message() -> None:
    document = {"start": "hello", "nodes": {**DEFAULT_DOC["nodes"],
                                           "hello": {"type": "message", "prompts": ["welcome"], "next": "bill"}}}
    _dialogue, actions = decide(tree_of(document), Dialogue(), Start(typed="1002"))
    assert actions == [Play(("welcome",)), replace(ENTER_ACCOUNT, typed="1002")]


def test_a_typed_ahead_key_is_ignored_when_the_menu_asks_nothing() -> None:
    document = {"start": "agent", "nodes": {**DEFAULT_DOC["nodes"]}}
    _dialogue, actions = decide(tree_of(document), Dialogue(), Start(typed="1"))
    assert [type(a) for a in actions] == [Transfer]
