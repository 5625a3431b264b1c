"""The account-number rule (户号规则): how many digits an account number has, and its check digit. Pure.

The IVR asks it before looking an account up, so a mistyped number is refused at once (and the billing system
is not asked). Check digits, always the last digit:

* ``luhn``: the Luhn (mod 10) scheme of payment cards, also used by many utilities' account numbers.
* ``mod11``: weights 2, 3, 4, 5, 6, 7, 2, 3, … from the digit next to the check digit leftwards; the check
  digit is ``(11 - sum % 11) % 11``. A payload whose check would be 10 has no valid number.

Both catch every single mistyped digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import cycle
from typing import Literal, get_args

__all__ = ["AccountRule", "CheckScheme", "Problem", "luhn_check_digit", "mod11_check_digit"]

CheckScheme = Literal["none", "luhn", "mod11"]
Problem = Literal["not_digits", "too_short", "too_long", "check_digit"]

_ASCII_DIGITS = frozenset("0123456789")
_MOD11_WEIGHTS = (2, 3, 4, 5, 6, 7)


@dataclass(frozen=True)
class AccountRule:
    min_digits: int = 4
    max_digits: int = 12
    check: CheckScheme = "none"

    def __post_init__(self) -> None:
        if not 1 <= self.min_digits <= self.max_digits:
            raise ValueError(f"account rule needs 1 <= min_digits <= max_digits, got {self.min_digits} and "
                             f"{self.max_digits}")
        if self.check not in get_args(CheckScheme):
            raise ValueError(f"account rule check must be one of {get_args(CheckScheme)}, got {self.check!r}")

    def problem(self, digits: str) -> Problem | None:
        """None when ``digits`` is a valid account number, else what is wrong with it."""
        if not digits or not _ASCII_DIGITS.issuperset(digits):
            return "not_digits"
        if len(digits) < self.min_digits:
            return "too_short"
        if len(digits) > self.max_digits:
            return "too_long"
        if self.check != "none" and _check_digit(self.check, digits[:-1]) != digits[-1]:
            return "check_digit"
        return None


def _check_digit(scheme: Literal["luhn", "mod11"], payload: str) -> str | None:
    return luhn_check_digit(payload) if scheme == "luhn" else mod11_check_digit(payload)


def luhn_check_digit(payload: str) -> str:
    """The Luhn digit that makes ``payload + digit`` valid (``payload`` is ASCII digits, maybe empty)."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        value = int(char)
        if position % 2 == 0:  # doubled: every second digit counting leftwards from the check digit
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str(-total % 10)


def mod11_check_digit(payload: str) -> str | None:
    """The mod-11 digit that makes ``payload + digit`` valid, None when the check would be 10."""
    total = sum(int(char) * weight for char, weight in zip(reversed(payload), cycle(_MOD11_WEIGHTS), strict=False))
    check = (11 - total % 11) % 11
    return None if check == 10 else str(check)
