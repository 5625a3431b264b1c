"""The IVR menu machine: every branch, the prompts it asks for, the path it records, and a property that any
caller, whatever they key, leaves the IVR (to an agent or with a goodbye) in a bounded number of steps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.gateway import Bill
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
    MenuConfig,
    Node,
    Play,
    Start,
    Transfer,
    bill_prompts,
    decide,
)
from ivr.say_zh import say_amount, say_date

CONFIG = MenuConfig(queue="hotline")
BILL = Bill(account_number="10020031", name="张伟", address="西湖区文三路1号", supply_zone="城西",
            amount_due=Decimal("128.50"), due_date=date(2026, 12, 15), last_reading=Decimal("3021.5"))
BILL_PROMPTS = ("bill-intro", *say_amount(Decimal("128.50")), "due-date-intro", *say_date(date(2026, 12, 15)))
AFTER_BILL = Collect(("after-bill",), 1)
ENTER_ACCOUNT = Collect(("enter-account",), CONFIG.account_max_digits)


def feed(inputs: Sequence[Input | str], config: MenuConfig = CONFIG) -> tuple[Dialogue, list[Action]]:
    """Start a dialogue and feed it inputs (a str is keyed digits); the dialogue and the last actions."""
    dialogue, actions = decide(config, Dialogue(), Start())
    for item in inputs:
        dialogue, actions = decide(config, dialogue, DigitsEntered(item) if isinstance(item, str) else item)
    return dialogue, actions


def digits(*keyed: str) -> list[Input]:
    return [DigitsEntered(k) for k in keyed]


# Main menu -------------------------------------------------------------------------------------------


def test_start_welcomes_and_collects_the_main_menu() -> None:
    dialogue, actions = decide(CONFIG, Dialogue(), Start())
    assert actions == [Collect(("welcome", "main-menu"), 1)]
    assert dialogue.node == Node.MAIN
    assert dialogue.path == ("main",)
    assert dialogue.tries == 0
    assert not dialogue.finished
    assert not dialogue.self_served


def test_one_asks_for_the_account_number() -> None:
    dialogue, actions = feed(["1"])
    assert actions == [ENTER_ACCOUNT]
    assert dialogue.node == Node.ACCOUNT
    assert dialogue.path == ("main", "bill")


@pytest.mark.parametrize(("key", "reason", "prompts"), [
    ("2", "repair", ("repair-intro", "transfer-agent")),
    ("3", "complaint", ("complaint-intro", "transfer-agent")),
    ("0", "agent", ("transfer-agent",)),
])
def test_menu_choices_transfer_to_an_agent(key: str, reason: str, prompts: tuple[str, ...]) -> None:
    dialogue, actions = feed([key])
    assert actions == [Play(prompts), Transfer("hotline", reason)]
    assert dialogue.finished
    assert dialogue.path == ("main", reason, "queue")


@pytest.mark.parametrize(("bad", "problem", "warning"), [
    ("", "no_input", "no-input"),
    ("9", "invalid", "invalid-input"),
    ("*", "invalid", "invalid-input"),
    ("#", "invalid", "invalid-input"),
    ("12", "invalid", "invalid-input"),
])
def test_main_menu_reprompts_then_transfers(bad: str, problem: str, warning: str) -> None:
    dialogue, actions = feed([bad])
    assert actions == [Collect((warning, "main-menu"), 1)]
    assert (dialogue.node, dialogue.tries) == (Node.MAIN, 1)
    dialogue, actions = feed([bad, bad])
    assert actions == [Collect((warning, "main-menu"), 1)]
    assert dialogue.tries == 2
    dialogue, actions = feed([bad, bad, bad])  # menu_tries = 3
    assert actions == [Play(("transfer-agent",)), Transfer("hotline", problem)]
    assert dialogue.finished
    assert dialogue.path == ("main", problem, problem, problem, "queue")


def test_silence_and_wrong_keys_count_together() -> None:
    dialogue, actions = feed(["", "7"])
    assert actions == [Collect(("invalid-input", "main-menu"), 1)]
    dialogue, actions = feed(["", "7", ""])
    assert actions == [Play(("transfer-agent",)), Transfer("hotline", "no_input")]
    assert dialogue.path == ("main", "no_input", "invalid", "no_input", "queue")


def test_menu_tries_come_from_the_config() -> None:
    _, actions = feed([""], MenuConfig(menu_tries=1))
    assert actions == [Play(("transfer-agent",)), Transfer("general", "no_input")]


def test_a_good_choice_after_mistakes_still_works() -> None:
    dialogue, actions = feed(["", "9", "1"])
    assert actions == [ENTER_ACCOUNT]
    assert (dialogue.node, dialogue.tries) == (Node.ACCOUNT, 0)  # account tries start afresh


# Account entry and look-up ---------------------------------------------------------------------------


def test_account_number_is_looked_up() -> None:
    dialogue, actions = feed(["1", "10020031"])
    assert actions == [LookUpAccount("10020031")]
    assert dialogue.node == Node.LOOKUP
    assert dialogue.path == ("main", "bill", "account")


def test_account_length_limits_are_inclusive() -> None:
    assert feed(["1", "1234"])[1] == [LookUpAccount("1234")]
    assert feed(["1", "123456789012"])[1] == [LookUpAccount("123456789012")]


def test_bill_found_plays_the_bill_then_offers_the_after_bill_menu() -> None:
    dialogue, actions = feed(["1", "10020031", BillFound(BILL)])
    assert actions == [Play(BILL_PROMPTS), AFTER_BILL]
    assert BILL_PROMPTS == ("bill-intro", "d1", "hundred", "d2", "ten", "d8", "yuan", "d5", "jiao",
                            "due-date-intro", "d2", "d0", "d2", "d6", "year", "ten", "d2", "month",
                            "ten", "d5", "day")
    assert dialogue.node == Node.AFTER_BILL
    assert dialogue.bill == BILL
    assert dialogue.account_number == "10020031"
    assert dialogue.self_served
    assert dialogue.path == ("main", "bill", "account", "bill")


def test_nothing_due_says_bill_none() -> None:
    paid = Bill("10020031", "张伟", "", "", Decimal("0"), date(2026, 12, 15), None)
    _, actions = feed(["1", "10020031", BillFound(paid)])
    assert actions == [Play(("bill-none",)), AFTER_BILL]
    assert bill_prompts(paid) == ("bill-none",)


def test_a_bill_without_due_date_has_no_due_date_prompts() -> None:
    open_bill = Bill("10020031", "张伟", "", "", Decimal("2"), None, None)
    _, actions = feed(["1", "10020031", BillFound(open_bill)])
    assert actions == [Play(("bill-intro", "liang", "yuan", "zheng")), AFTER_BILL]
    assert "due-date-intro" not in bill_prompts(open_bill)


def test_unknown_account_asks_again_twice_then_transfers() -> None:
    dialogue, actions = feed(["1", "99999999", AccountUnknown()])
    assert actions == [Collect(("account-unknown",), CONFIG.account_max_digits)]
    assert (dialogue.node, dialogue.tries) == (Node.ACCOUNT, 1)
    dialogue, actions = feed(["1", "99999999", AccountUnknown(), "88888888", AccountUnknown()])
    assert actions == [Collect(("account-unknown",), CONFIG.account_max_digits)]
    assert dialogue.tries == 2
    dialogue, actions = feed(["1", "99999999", AccountUnknown(), "88888888", AccountUnknown(), "77777777",
                              AccountUnknown()])
    assert actions == [Play(("transfer-agent",)), Transfer("hotline", "account_unknown")]
    assert dialogue.finished
    assert dialogue.path == ("main", "bill", "account", "unknown", "account", "unknown", "account", "unknown",
                             "queue")


def test_second_try_can_find_the_account() -> None:
    dialogue, actions = feed(["1", "99999999", AccountUnknown(), "10020031", BillFound(BILL)])
    assert actions == [Play(BILL_PROMPTS), AFTER_BILL]
    assert dialogue.path == ("main", "bill", "account", "unknown", "account", "bill")


@pytest.mark.parametrize("bad", ["123", "1234567890123", "12*4", "#", "*", "12 34", "abcd"])
def test_malformed_account_counts_as_unknown_without_a_lookup(bad: str) -> None:
    dialogue, actions = feed(["1", bad])
    assert actions == [Collect(("account-unknown",), CONFIG.account_max_digits)]
    assert (dialogue.node, dialogue.tries) == (Node.ACCOUNT, 1)
    assert dialogue.path == ("main", "bill", "unknown")
    dialogue, actions = feed(["1", bad, bad, bad])
    assert actions == [Play(("transfer-agent",)), Transfer("hotline", "account_unknown")]


def test_silence_at_account_entry_reprompts_then_transfers() -> None:
    dialogue, actions = feed(["1", ""])
    assert actions == [Collect(("no-input", "enter-account"), CONFIG.account_max_digits)]
    dialogue, actions = feed(["1", "", "", ""])
    assert actions == [Play(("transfer-agent",)), Transfer("hotline", "no_input")]
    assert dialogue.path == ("main", "bill", "no_input", "no_input", "no_input", "queue")


def test_silence_and_unknown_accounts_share_the_account_tries() -> None:
    _, actions = feed(["1", "", "123", "99999999", AccountUnknown()])
    assert actions == [Play(("transfer-agent",)), Transfer("hotline", "account_unknown")]


def test_billing_down_apologises_and_transfers() -> None:
    dialogue, actions = feed(["1", "10020031", BillingDown()])
    assert actions == [Play(("billing-unavailable",)), Transfer("hotline", "billing_unavailable")]
    assert dialogue.finished
    assert not dialogue.self_served
    assert dialogue.path == ("main", "bill", "account", "billing_down", "queue")


# After the bill --------------------------------------------------------------------------------------

HEARD_BILL: list[Input | str] = ["1", "10020031", BillFound(BILL)]


def test_one_repeats_the_bill() -> None:
    dialogue, actions = feed([*HEARD_BILL, "1"])
    assert actions == [Play(BILL_PROMPTS), AFTER_BILL]
    assert dialogue.node == Node.AFTER_BILL
    assert dialogue.path[-1] == "repeat"


def test_zero_after_the_bill_transfers_to_an_agent() -> None:
    dialogue, actions = feed([*HEARD_BILL, "0"])
    assert actions == [Play(("transfer-agent",)), Transfer("hotline", "agent")]
    assert dialogue.finished
    assert dialogue.account_number == "10020031"
    assert dialogue.path == ("main", "bill", "account", "bill", "agent", "queue")


def test_silence_after_the_bill_says_goodbye_and_hangs_up() -> None:
    dialogue, actions = feed([*HEARD_BILL, ""])
    assert actions == [Collect(("no-input", "after-bill"), 1)]
    dialogue, actions = feed([*HEARD_BILL, "", ""])  # after_bill_tries = 2
    assert actions == [Play(("goodbye",)), Hangup()]
    assert dialogue.finished
    assert dialogue.self_served
    assert dialogue.path == ("main", "bill", "account", "bill", "no_input", "no_input")


def test_wrong_key_after_the_bill_reprompts() -> None:
    dialogue, actions = feed([*HEARD_BILL, "5"])
    assert actions == [Collect(("invalid-input", "after-bill"), 1)]
    assert (dialogue.node, dialogue.tries, dialogue.path[-1]) == (Node.AFTER_BILL, 1, "invalid")
    _, actions = feed([*HEARD_BILL, "5", "#"])
    assert actions == [Play(("goodbye",)), Hangup()]


def test_typical_self_service_journey_path() -> None:
    dialogue, _ = feed(["", "1", "10020031", BillFound(BILL), "1", "", ""])
    assert dialogue.path == ("main", "no_input", "bill", "account", "bill", "repeat", "no_input", "no_input")
    assert dialogue.finished


def test_repeating_the_bill_cannot_hold_the_line_forever() -> None:
    dialogue, _ = feed(HEARD_BILL)
    for _ in range(50):
        if dialogue.finished:
            break
        dialogue, _ = decide(CONFIG, dialogue, DigitsEntered("1"))
        if dialogue.finished:
            break
        dialogue, _ = decide(CONFIG, dialogue, DigitsEntered(""))
    assert dialogue.finished


# Inputs that are not expected ------------------------------------------------------------------------


@pytest.mark.parametrize("ending", [["0"], ["", "", ""], [*HEARD_BILL, "", ""], ["1", "1234", BillingDown()]])
@pytest.mark.parametrize("extra", [Start(), DigitsEntered("1"), DigitsEntered(""), BillFound(BILL),
                                   AccountUnknown(), BillingDown()])
def test_any_input_once_done_is_illegal(ending: list[Input | str], extra: Input) -> None:
    dialogue, _ = feed(ending)
    assert dialogue.finished
    with pytest.raises(IllegalInput) as raised:
        decide(CONFIG, dialogue, extra)
    assert raised.value.code == "illegal_ivr_input"


@pytest.mark.parametrize(("before", "extra"), [
    ([], BillFound(BILL)),
    ([], Start()),
    (["1"], AccountUnknown()),
    (["1", "1234"], DigitsEntered("1")),
    (HEARD_BILL, BillingDown()),
])
def test_inputs_out_of_place_are_illegal(before: list[Input | str], extra: Input) -> None:
    dialogue, _ = feed(before)
    with pytest.raises(IllegalInput):
        decide(CONFIG, dialogue, extra)


def test_start_only_at_the_start() -> None:
    with pytest.raises(IllegalInput):
        decide(CONFIG, Dialogue(), DigitsEntered("1"))


# Property: whatever the caller keys, the dialogue ends ------------------------------------------------

DTMF = "0123456789*#"
ANY_KEYS = st.text(alphabet=DTMF, max_size=20)  # incl. "", "*", "#" and strings longer than asked for
KEYED: dict[Node, st.SearchStrategy[str]] = {  # weighted towards what moves the dialogue on
    Node.MAIN: st.one_of(st.just("1"), st.sampled_from(["", "0", "2", "3", "9", "*", "#", "11"]), ANY_KEYS),
    Node.ACCOUNT: st.one_of(st.text(alphabet="0123456789", min_size=1, max_size=14),
                            st.sampled_from(["", "*", "#", "12#4"]), ANY_KEYS),
    Node.AFTER_BILL: st.one_of(st.sampled_from(["1", "0", "", "5", "*", "#"]), ANY_KEYS),
}
BILLS = st.builds(
    Bill,
    account_number=st.text(alphabet="0123456789", min_size=4, max_size=12),
    name=st.just("张伟"), address=st.just(""), supply_zone=st.just(""),
    amount_due=st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2),
    due_date=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    last_reading=st.none(),
)
LOOKUP_RESULTS: st.SearchStrategy[Input] = st.one_of(
    st.just(AccountUnknown()), st.just(BillingDown()), BILLS.map(BillFound))
CONFIGS = st.builds(MenuConfig, queue=st.sampled_from(["general", "hotline"]), menu_tries=st.integers(1, 4),
                    account_tries=st.integers(1, 4), account_min_digits=st.integers(1, 6),
                    account_max_digits=st.integers(6, 14), after_bill_tries=st.integers(1, 3))


def check_actions(config: MenuConfig, dialogue: Dialogue, actions: list[Action]) -> None:
    assert actions
    for action in actions[:-1]:
        assert isinstance(action, Play)  # transfer, hang-up and anything awaiting an answer come last
    last = actions[-1]
    if dialogue.finished:
        assert isinstance(last, Transfer | Hangup)
        if isinstance(last, Transfer):
            assert last.queue == config.queue
            assert dialogue.path[-1] == "queue"
        else:
            assert dialogue.path[-1] != "queue"
            assert dialogue.self_served
    else:
        assert isinstance(last, Collect | LookUpAccount)
    if isinstance(last, LookUpAccount):
        number = last.account_number
        assert number.isdigit() and config.account_min_digits <= len(number) <= config.account_max_digits


@settings(max_examples=200, deadline=None)
@given(config=CONFIGS, data=st.data())
def test_every_dialogue_ends_and_ends_with_a_transfer_or_hangup(config: MenuConfig, data: st.DataObject) -> None:
    dialogue, actions = decide(config, Dialogue(), Start())
    check_actions(config, dialogue, actions)
    steps = repeats = 0
    while not dialogue.finished:
        assert steps < 500, "runaway dialogue"
        event: Input
        if isinstance(actions[-1], LookUpAccount):
            event = data.draw(LOOKUP_RESULTS)
        else:
            event = DigitsEntered(data.draw(KEYED[dialogue.node]))
            if dialogue.node == Node.AFTER_BILL and event.digits == "1":
                repeats += 1  # a repeat is the caller's choice; it alone may prolong the call
        path_before = dialogue.path
        dialogue, actions = decide(config, dialogue, event)
        steps += 1
        assert dialogue.path[:len(path_before)] == path_before  # the path only grows
        assert len(dialogue.path) > len(path_before)
        check_actions(config, dialogue, actions)
    bound = config.menu_tries + 2 * config.account_tries + (repeats + 1) * config.after_bill_tries
    assert steps <= bound
    assert dialogue.path[0] == "main"
    with pytest.raises(IllegalInput):
        decide(config, dialogue, DigitsEntered("0"))
