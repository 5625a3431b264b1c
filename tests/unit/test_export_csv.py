"""The CSV writer: parsed back with the csv module, as a spreadsheet or a script would read the file."""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from reports.export import BOM, Column, csv_chunks, csv_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
COLUMNS = [Column("name", "名称 name"), Column("value", "数值 value"), Column("at", "时间 at")]


def parse(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM):].decode("utf-8"), newline="")))


def export(rows: list[Any], columns: list[Column] = COLUMNS, **options: Any) -> list[list[str]]:
    return parse(b"".join(csv_chunks(columns, rows, **options)))


class Outcome(Enum):
    ANSWERED = "answered"


def test_header_and_values_with_a_bom_for_excel() -> None:
    data = b"".join(csv_chunks(COLUMNS, [["张伟", 12, datetime(2026, 11, 26, 1, 0, tzinfo=UTC)]], tz=SHANGHAI))
    assert data.startswith("\ufeff名称 name,".encode())
    assert data.endswith(b"\r\n")  # RFC 4180 line ends
    assert parse(data) == [["名称 name", "数值 value", "时间 at"], ["张伟", "12", "2026-11-26T09:00:00+08:00"]]


def test_rows_may_be_mappings_by_key_or_sequences_in_order() -> None:
    rows = export([{"value": 1, "name": "a"}, ("b", 2, None)])
    assert rows[1:] == [["a", "1", ""], ["b", "2", ""]]


def test_datetimes_in_the_given_zone_or_utc_and_naive_ones_are_utc() -> None:
    moment = datetime(2026, 11, 26, 17, 30, 0, 250000, tzinfo=UTC)
    assert export([["x", 0, moment]], tz=SHANGHAI)[1][2] == "2026-11-27T01:30:00.250000+08:00"
    assert export([["x", 0, moment]])[1][2] == "2026-11-26T17:30:00.250000+00:00"
    assert export([["x", 0, moment.replace(tzinfo=None)]], tz=SHANGHAI)[1][2] == "2026-11-27T01:30:00.250000+08:00"


def test_other_value_types() -> None:
    cols = [Column(k, k) for k in "abcdefghi"]
    row = [None, True, False, 0.1, float("nan"), Decimal("123.45"), date(2026, 1, 2), time(9, 30), Outcome.ANSWERED]
    assert export([row], cols)[1] == ["", "TRUE", "FALSE", "0.1", "", "123.45", "2026-01-02", "09:30:00", "answered"]


def test_quoting_keeps_commas_quotes_and_newlines_in_one_cell() -> None:
    text = '漏水, "很急"\r\n第二行\n第三行'
    data = b"".join(csv_chunks(COLUMNS, [[text, 1, None]]))
    assert b'"\xe6\xbc\x8f\xe6\xb0\xb4, ""' in data  # quoted, inner quotes doubled
    assert export([[text, 1, None]])[1][0] == text


def test_a_cell_that_would_run_as_a_formula_gets_an_apostrophe() -> None:
    for text in ("=HYPERLINK(\"http://x\",\"y\")", "+8613800000001", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert export([[text, None, None]])[1][0] == "'" + text
    assert export([["13800000001 =1", None, None]])[1][0] == "13800000001 =1"


def test_numbers_stay_numbers_even_negative_ones() -> None:
    assert export([["x", -5, None], ["y", -0.25, None]])[1:] == [["x", "-5", ""], ["y", "-0.25", ""]]


def test_the_header_is_guarded_too() -> None:
    assert export([], [Column("a", "=bad")]) == [["'=bad"]]


def test_rows_come_in_batches() -> None:
    chunks = list(csv_chunks(COLUMNS, ([str(i), i, None] for i in range(25)), batch_rows=10))
    assert len(chunks) == 1 + 3  # the header, then 10 + 10 + 5 rows
    assert len(parse(b"".join(chunks))) == 26


cell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
cell = st.one_of(st.none(), cell_text, st.integers(min_value=-10**18, max_value=10**18),
                 st.floats(allow_nan=False, allow_infinity=False))


@given(st.lists(st.tuples(cell, cell, cell), max_size=20))
def test_round_trip_of_random_text_and_numbers(rows: list[tuple[Any, Any, Any]]) -> None:
    parsed = export(list(rows))[1:]
    assert len(parsed) == len(rows)
    for got, sent in zip(parsed, rows, strict=True):
        for text, value in zip(got, sent, strict=True):
            if value is None:
                assert text == ""
            elif isinstance(value, str):
                assert text == csv_text(value)
            elif isinstance(value, float):
                assert float(text) == value and math.copysign(1, float(text)) == math.copysign(1, value)
            else:
                assert int(text) == value
