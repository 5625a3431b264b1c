"""The account-number rule: lengths, digits only, and check digits that catch every single mistyped digit."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from billing.account_rule import AccountRule, CheckScheme, luhn_check_digit, mod11_check_digit

check_schemes: st.SearchStrategy[CheckScheme] = st.sampled_from(["luhn", "mod11"])
payloads = st.text(alphabet="0123456789", min_size=3, max_size=11)


@pytest.mark.parametrize(
    ("digits", "problem"),
    [("1234", None), ("123456789012", None), ("123", "too_short"), ("1234567890123", "too_long"),
     ("", "not_digits"), ("12a4", "not_digits"), ("1234#", "not_digits"), (" 1234", "not_digits"),
     ("١٢٣٤", "not_digits"), ("１２３４", "not_digits")],
)
def test_default_rule(digits: str, problem: str | None) -> None:
    assert AccountRule().problem(digits) == problem


def test_known_luhn_numbers() -> None:
    rule = AccountRule(check="luhn")
    assert luhn_check_digit("7992739871") == "3"
    assert rule.problem("79927398713") is None
    assert rule.problem("79927398710") == "check_digit"
    assert rule.problem("4539578763621486") == "too_long"
    assert AccountRule(max_digits=16, check="luhn").problem("4539578763621486") is None


def test_known_mod11_numbers() -> None:
    rule = AccountRule(check="mod11")
    assert mod11_check_digit("1234") == "3"  # 4·2 + 3·3 + 2·4 + 1·5 = 30; 30 % 11 = 8; 11 - 8 = 3
    assert rule.problem("12343") is None
    assert rule.problem("12345") == "check_digit"
    assert mod11_check_digit("0000") == "0"
    assert mod11_check_digit("0006") is None  # 6·2 = 12; 12 % 11 = 1; 11 - 1 = 10: no digit for it
    assert all(rule.problem(f"0006{digit}") == "check_digit" for digit in "0123456789")


@pytest.mark.parametrize(("low", "high", "check"), [(0, 12, "none"), (5, 4, "none"), (4, 12, "crc")])
def test_a_rule_that_cannot_be_is_refused(low: int, high: int, check: str) -> None:
    with pytest.raises(ValueError):
        AccountRule(low, high, check)  # type: ignore[arg-type]


def _valid(check: CheckScheme, payload: str) -> str:
    digit = luhn_check_digit(payload) if check == "luhn" else mod11_check_digit(payload)
    assume(digit is not None)
    return payload + str(digit)


@given(check_schemes, payloads)
def test_a_number_with_its_check_digit_is_accepted(check: CheckScheme, payload: str) -> None:
    assert AccountRule(check=check).problem(_valid(check, payload)) is None


@given(check_schemes, payloads, st.data())
def test_one_digit_changed_is_always_refused(check: CheckScheme, payload: str, data: st.DataObject) -> None:
    number = _valid(check, payload)
    position = data.draw(st.integers(0, len(number) - 1), label="position")
    other = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]), label="digit")
    typo = number[:position] + other + number[position + 1:]
    assert AccountRule(check=check).problem(typo) == "check_digit"


@given(st.integers(1, 20), st.integers(0, 10), st.text(alphabet="0123456789", max_size=40))
def test_length_decides_alone_without_a_check(low: int, extra: int, digits: str) -> None:
    rule = AccountRule(low, low + extra)
    expected = ("not_digits" if not digits else "too_short" if len(digits) < low
                else "too_long" if len(digits) > low + extra else None)
    assert rule.problem(digits) == expected


@given(st.text(min_size=1, max_size=20).filter(lambda text: not set(text) <= set("0123456789")),
       check_schemes | st.just("none"))
def test_anything_but_ascii_digits_is_not_digits(text: str, check: CheckScheme) -> None:
    assert AccountRule(1, 20, check).problem(text) == "not_digits"
