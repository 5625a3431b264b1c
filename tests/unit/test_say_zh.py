"""Mandarin number reading: table-driven rules plus Hypothesis properties and a round trip."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivr.say_zh import (
    prompt_names_used,
    say_amount,
    say_date,
    say_decimal,
    say_digits,
    say_integer,
    say_quantity,
    say_time,
)

_HANZI = {
    **{f"d{i}": c for i, c in enumerate("零一二三四五六七八九")},
    "ten": "十",
    "hundred": "百",
    "thousand": "千",
    "wan": "万",
    "liang": "两",
    "point": "点",
    "yuan": "元",
    "jiao": "角",
    "fen": "分",
    "zheng": "整",
    "year": "年",
    "month": "月",
    "day": "日",
}
_VALUES = {**{f"d{i}": i for i in range(10)}, "liang": 2}
_UNITS = {"ten": 10, "hundred": 100, "thousand": 1000}


def _hanzi(names: list[str]) -> str:
    return "".join(_HANZI[name] for name in names)


def _parse(names: list[str]) -> int:
    """Turn a say_integer() name list back into the integer (the inverse reading)."""
    total, group, digit = 0, 0, 0
    for name in names:
        if name in _VALUES:
            digit = _VALUES[name]
        elif name in _UNITS:
            group += (digit or 1) * _UNITS[name]  # a bare 十 means 1×10
            digit = 0
        elif name == "wan":
            total, group, digit = (group + digit) * 10_000, 0, 0
        else:
            raise AssertionError(f"unexpected name {name!r}")
    return total + group + digit


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "零"),
        (1, "一"),
        (2, "二"),
        (10, "十"),
        (11, "十一"),
        (12, "十二"),
        (20, "二十"),
        (22, "二十二"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (111, "一百一十一"),
        (200, "两百"),
        (222, "两百二十二"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (1100, "一千一百"),
        (1200, "一千二百"),
        (2000, "两千"),
        (2222, "两千二百二十二"),
        (10000, "一万"),
        (10010, "一万零一十"),
        (10100, "一万零一百"),
        (10200, "一万零两百"),
        (12000, "一万两千"),
        (20000, "两万"),
        (22000, "两万两千"),
        (220000, "二十二万"),
        (100000, "十万"),
        (100010, "十万零一十"),
        (110000, "十一万"),
        (1000000, "一百万"),
        (1000100, "一百万零一百"),
        (2000000, "两百万"),
        (20000000, "两千万"),
        (10010000, "一千零一万"),
        (12345678, "一千二百三十四万五千六百七十八"),
        (99999999, "九千九百九十九万九千九百九十九"),
    ],
)
def test_say_integer(n: int, expected: str) -> None:
    assert _hanzi(say_integer(n)) == expected


@pytest.mark.parametrize("n", [-1, 100_000_000, 10**12])
def test_say_integer_out_of_range(n: int) -> None:
    with pytest.raises(ValueError):
        say_integer(n)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("123.45", "一百二十三元四角五分"),
        ("123.40", "一百二十三元四角"),
        ("123.05", "一百二十三元零五分"),
        ("100", "一百元整"),
        ("100.00", "一百元整"),
        ("0.5", "五角"),
        ("0.50", "五角"),
        ("0.01", "一分"),
        ("0.02", "两分"),
        ("0", "零元"),
        ("2", "两元整"),
        ("2.2", "两元两角"),
        ("12.02", "十二元零两分"),
        ("22", "二十二元整"),
        ("1.10", "一元一角"),
        ("0.005", "一分"),  # half-up rounding to the fen
        ("0.004", "零元"),
        ("9.995", "十元整"),
        ("20000", "两万元整"),
    ],
)
def test_say_amount(amount: str, expected: str) -> None:
    assert _hanzi(say_amount(Decimal(amount))) == expected


@pytest.mark.parametrize("amount", ["-0.01", "-100", "-0.001", "NaN", "Infinity", "100000000"])
def test_say_amount_rejects(amount: str) -> None:
    with pytest.raises(ValueError):
        say_amount(Decimal(amount))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", ["d0"]), ("1020", ["d1", "d0", "d2", "d0"]), ("", [])],
)
def test_say_digits(text: str, expected: list[str]) -> None:
    assert say_digits(text) == expected


@pytest.mark.parametrize("text", ["12a", "1 2", "-1", "1.0", "１２", "٣"])
def test_say_digits_rejects_non_digits(text: str) -> None:
    with pytest.raises(ValueError):
        say_digits(text)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 23), "二零二六年十一月二十三日"),
        (date(2000, 2, 2), "二零零零年二月二日"),
        (date(2025, 10, 10), "二零二五年十月十日"),
        (date(1999, 12, 31), "一九九九年十二月三十一日"),
        (date(2024, 1, 20), "二零二四年一月二十日"),
    ],
)
def test_say_date(day: date, expected: str) -> None:
    assert _hanzi(say_date(day)) == expected


def test_prompt_names_used_matches_table() -> None:
    assert prompt_names_used() == frozenset(_HANZI)


_integers = st.integers(min_value=0, max_value=10**8 - 1)


@given(_integers)
def test_say_integer_properties(n: int) -> None:
    names = say_integer(n)
    assert not any(a == b == "d0" for a, b in pairwise(names))
    assert names[-1] != "d0" or n == 0
    assert set(names) <= prompt_names_used()


@given(_integers)
def test_say_integer_round_trip(n: int) -> None:
    assert _parse(say_integer(n)) == n


@given(st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2))
def test_say_amount_names(amount: Decimal) -> None:
    names = say_amount(amount)
    assert set(names) <= prompt_names_used()
    assert names.count("yuan") <= 1


@given(st.dates())
def test_say_date_names(day: date) -> None:
    names = say_date(day)
    assert set(names) <= prompt_names_used()
    assert names[4] == "year" and names[-1] == "day"


def test_say_integer_round_trip_exhaustive_below_100000() -> None:
    assert all(_parse(say_integer(n)) == n for n in range(100_000))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "零"),
        ("2", "二"),
        ("18", "十八"),
        ("18.00", "十八"),
        ("1024.50", "一千零二十四点五"),
        ("1024.05", "一千零二十四点零五"),
        ("0.05", "零点零五"),
        ("0.5", "零点五"),
        ("2.25", "二点二五"),
        ("3021.456", "三千零二十一点四六"),  # half-up to two decimals
        ("9.999", "十"),
        ("20000.1", "两万点一"),
    ],
)
def test_say_decimal(value: str, expected: str) -> None:
    assert _hanzi(say_decimal(Decimal(value))) == expected


@pytest.mark.parametrize(("value", "expected"), [("2", "两"), ("2.00", "两"), ("2.5", "二点五"), ("12", "十二"),
                                                 ("22", "二十二"), ("35.8", "三十五点八")])
def test_say_quantity_says_a_whole_two_as_liang(value: str, expected: str) -> None:
    assert _hanzi(say_quantity(Decimal(value))) == expected


@pytest.mark.parametrize("value", ["-0.01", "-1", "NaN", "Infinity", "100000000", "99999999.995"])
def test_say_decimal_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        say_decimal(Decimal(value))


@given(st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2))
def test_say_decimal_round_trip(value: Decimal) -> None:
    names = say_decimal(value)
    assert set(names) <= prompt_names_used()
    cut = names.index("point") if "point" in names else len(names)
    whole, fraction = names[:cut], names[cut + 1:]
    assert fraction[-1:] != ["d0"]
    digits = "".join(str(_VALUES[name]) for name in fraction)
    assert Decimal(f"{_parse(whole)}.{digits or 0}") == value


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (0, 0, "零点"),
        (2, 0, "两点"),
        (8, 0, "八点"),
        (8, 30, "八点三十分"),
        (9, 2, "九点零二分"),
        (10, 10, "十点十分"),
        (12, 0, "十二点"),
        (14, 5, "十四点零五分"),
        (22, 45, "二十二点四十五分"),
        (23, 59, "二十三点五十九分"),
    ],
)
def test_say_time(hour: int, minute: int, expected: str) -> None:
    assert _hanzi(say_time(time(hour, minute))) == expected


@given(st.times())
def test_say_time_uses_known_prompts_and_ignores_seconds(t: time) -> None:
    names = say_time(t)
    assert set(names) <= prompt_names_used()
    assert names == say_time(t.replace(second=0, microsecond=0))
