"""Mandarin reading of numbers, money, account numbers and dates as sequences of prompt names.

Every function is pure and returns the *names* (no file extension) of the prompts the IVR plays
one after another, e.g. ``say_integer(101) == ["d1", "hundred", "d0", "d1"]`` (一百零一).

Rules implemented:

* 十 (``ten``) is said without a leading 一 only when it starts the number: 10 → 十, 12 → 十二,
  but 110 → 一百一十 and 10010 → 一万零一十.
* A run of zeros inside the number is said once as 零; trailing zeros are silent:
  101 → 一百零一, 1001 → 一千零一, 1100 → 一千一百, 10100 → 一万零一百.
* 两 (``liang``) replaces 二 when a 2 is the first spoken digit of a four-digit group and stands
  before 百 or 千, and when the group before 万 is exactly 2: 200 → 两百, 2000 → 两千,
  12000 → 一万两千, 20000 → 两万, 2000000 → 两百万; elsewhere 二: 2 → 二, 12 → 十二, 22 → 二十二,
  1200 → 一千二百, 220000 → 二十二万.
* Money: a count of exactly 2 before the measure words 元/角/分 is 两 (2 → 两元, 2.2 → 两元两角,
  0.02 → 两分).  Whole-yuan amounts end with 整 (100 → 一百元整).  When the yuan part is zero and
  there are jiao or fen, the 零元 is omitted (0.50 → 五角, 0.01 → 一分); 0 → 零元.
  A zero jiao between yuan and fen is said as 零 (123.05 → 一百二十三元零五分).
* Dates: the year digit by digit, month and day as integers (2026-11-23 → 二零二六年十一月二十三日).
* Clock times on the 24-hour clock: the hour as a count before 点 (2:00 → 两点, 0:00 → 零点, 22:00 →
  二十二点), then the minutes with 分 unless on the hour, a single digit after 零 (8:30 → 八点三十分,
  14:05 → 十四点零五分, 9:02 → 九点零二分).
* Decimals (meter readings, cubic metres), rounded half-up to 0.01: the whole part as an integer, then 点
  and the fraction digit by digit with trailing zeros silent (1024.50 → 一千零二十四点五, 0.05 → 零点零五,
  18.00 → 十八).  A quantity before a measure word says a whole 2 as 两 (两立方米), like money.
"""

from __future__ import annotations

from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "prompt_names_used",
    "say_amount",
    "say_date",
    "say_decimal",
    "say_digits",
    "say_integer",
    "say_quantity",
    "say_time",
]

MAX_INTEGER = 100_000_000
"""Exclusive upper bound of :func:`say_integer` (亿 is not supported)."""

_DIGITS: tuple[str, ...] = tuple(f"d{i}" for i in range(10))
_UNITS: tuple[str, ...] = ("thousand", "hundred", "ten", "")
_CENT = Decimal("0.01")
_MONEY_UNITS: tuple[str, ...] = ("yuan", "jiao", "fen", "zheng")
_DATE_UNITS: tuple[str, ...] = ("year", "month", "day")
_ASCII_DIGITS = frozenset("0123456789")


def _digit_words(digit: int, unit: str, *, first: bool, starts_number: bool) -> list[str]:
    """Words for one non-zero digit at ``unit`` (``""`` for the ones place)."""
    if unit == "ten" and digit == 1 and first and starts_number:
        return ["ten"]
    if digit == 2 and first and unit in ("hundred", "thousand"):
        return ["liang", unit]
    return [_DIGITS[digit], unit] if unit else [_DIGITS[digit]]


def _group(n: int, *, starts_number: bool) -> list[str]:
    """Read a four-digit group 1..9999; ``starts_number`` is true for the leftmost group."""
    words: list[str] = []
    pending_zero = False
    for char, unit in zip(f"{n:04d}", _UNITS, strict=True):
        digit = int(char)
        if digit == 0:
            pending_zero = bool(words)
            continue
        if pending_zero:
            words.append("d0")
            pending_zero = False
        words.extend(_digit_words(digit, unit, first=not words, starts_number=starts_number))
    return words


def say_integer(n: int) -> list[str]:
    """Read ``0 <= n < 100_000_000`` in Mandarin; ``ValueError`` outside that range."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"say_integer expects an int, got {type(n).__name__}")
    if not 0 <= n < MAX_INTEGER:
        raise ValueError(f"say_integer supports 0 <= n < {MAX_INTEGER}, got {n}")
    if n == 0:
        return ["d0"]
    high, low = divmod(n, 10_000)
    if not high:
        return _group(low, starts_number=True)
    words = ["liang"] if high == 2 else _group(high, starts_number=True)
    words.append("wan")
    if low:
        if low < 1000:
            words.append("d0")
        words.extend(_group(low, starts_number=False))
    return words


def _count(n: int) -> list[str]:
    """A count before a measure word: 2 is 两, anything else as :func:`say_integer`."""
    return ["liang"] if n == 2 else say_integer(n)


def say_amount(amount: Decimal) -> list[str]:
    """Read an amount of money in yuan, rounded half-up to 0.01; ``ValueError`` if negative."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"say_amount expects a Decimal, got {type(amount).__name__}")
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"say_amount needs a finite, non-negative amount, got {amount}")
    cents = int(amount.quantize(_CENT, rounding=ROUND_HALF_UP) * 100)
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    if not rest:
        return [*_count(yuan), "yuan", *(["zheng"] if yuan else [])]
    words = [*_count(yuan), "yuan"] if yuan else []
    if jiao:
        words += [*_count(jiao), "jiao"]
    elif yuan:
        words.append("d0")
    if fen:
        words += [*_count(fen), "fen"]
    return words


def say_digits(text: str) -> list[str]:
    """Read ASCII digits one by one (account numbers); ``ValueError`` on anything else."""
    bad = sorted(set(text) - _ASCII_DIGITS)
    if bad:
        raise ValueError(f"say_digits accepts only the digits 0-9, got {bad!r}")
    return [_DIGITS[int(char)] for char in text]


def say_date(d: date) -> list[str]:
    """Read a date: year digit by digit, then month and day as integers (二零二六年十一月二十三日)."""
    return [
        *say_digits(f"{d.year:04d}"), "year",
        *say_integer(d.month), "month",
        *say_integer(d.day), "day",
    ]  # fmt: skip


def say_time(t: time) -> list[str]:
    """Read a clock time to the minute on the 24-hour clock (八点, 八点三十分, 十四点零五分)."""
    words = [*_count(t.hour), "point"]
    if t.minute:
        words += [*(["d0"] if t.minute < 10 else []), *say_integer(t.minute), "fen"]
    return words


def say_decimal(value: Decimal) -> list[str]:
    """Read a number with up to two decimals (a meter reading); ``ValueError`` if negative or too large."""
    if not isinstance(value, Decimal):
        raise TypeError(f"say_decimal expects a Decimal, got {type(value).__name__}")
    if not value.is_finite() or value < 0:
        raise ValueError(f"say_decimal needs a finite, non-negative number, got {value}")
    whole, fraction = divmod(int(value.quantize(_CENT, rounding=ROUND_HALF_UP) * 100), 100)
    words = say_integer(whole)
    if fraction:
        words += ["point", *say_digits(f"{fraction:02d}".rstrip("0"))]
    return words


def say_quantity(value: Decimal) -> list[str]:
    """Read a quantity before a measure word (立方米): as :func:`say_decimal`, but a whole 2 is 两."""
    words = say_decimal(value)
    return ["liang"] if words == ["d2"] else words


def prompt_names_used() -> frozenset[str]:
    """Every prompt name the functions of this module can return."""
    units = ("ten", "hundred", "thousand", "wan", "liang", "point")
    return frozenset((*_DIGITS, *units, *_MONEY_UNITS, *_DATE_UNITS))
