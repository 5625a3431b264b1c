"""The streaming XLSX writer: workbooks opened with openpyxl (values, types, dates, Chinese text, sheets), the
package's parts, and that bytes come out while rows are still being pulled."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet

from reports.export import Column, excel_serial, sheet_name, xlsx_chunks
from reports.xlsx_parts import column_letters, xml_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
COLUMNS = [Column("name", "名称 name"), Column("value", "数值 value"), Column("at", "来电时间 arrived_at")]


def workbook(rows: Any, columns: list[Column] = COLUMNS, **options: Any) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(b"".join(xlsx_chunks(columns, rows, **options))))


def values(ws: Worksheet) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_header_chinese_text_numbers_and_real_dates() -> None:
    arrived = datetime(2026, 11, 26, 1, 0, 5, 123000, tzinfo=UTC)
    book = workbook([{"name": "张伟 盘龙区北京路100号", "value": 12, "at": arrived}, ["王芳", 0.25, None]],
                    sheet="通话明细 calls", tz=SHANGHAI)
    assert book.sheetnames == ["通话明细 calls"]
    ws = book.active
    assert values(ws) == [["名称 name", "数值 value", "来电时间 arrived_at"],
                          ["张伟 盘龙区北京路100号", 12, datetime(2026, 11, 26, 9, 0, 5, 123000)],
                          ["王芳", 0.25, None]]
    assert ws["B2"].data_type == "n" and ws["B3"].data_type == "n"
    assert ws["C2"].is_date and ws["C2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws["A1"].font.b  # a bold header
    assert ws.freeze_panes == "A2"  # the header row stays in view
    assert ws.auto_filter.ref == "A1:C3"  # managers sort and filter


def test_dates_times_booleans_decimals_and_big_integers() -> None:
    cols = [Column(k, k) for k in "abcdefg"]
    row = [date(2026, 1, 2), time(9, 30), True, Decimal("123.45"), 10**16, float("inf"), -7]
    ws = workbook([row], cols).active
    assert values(ws)[1] == [datetime(2026, 1, 2), time(9, 30), True, 123.45, "10000000000000000", None, -7]
    assert ws["A2"].number_format == "yyyy-mm-dd" and ws["B2"].number_format == "hh:mm:ss"
    assert ws["C2"].data_type == "b"


def test_characters_xml_cannot_carry_are_dropped() -> None:
    text = "a\x00b\x01c\x0bd\x1fe\ufffef\ud800g"
    assert values(workbook([[text, None, None]]).active)[1][0] == "abcdefg"


def test_markup_and_whitespace_survive() -> None:
    for text in ("<b>&amp;</b>", "  前后空格  ", "行一\n行二", "回车\r换行", "tab\there"):
        assert values(workbook([[text, None, None]]).active)[1][0] == text


def test_formula_text_stays_text_never_a_formula() -> None:
    ws = workbook([["=HYPERLINK(\"http://x\",\"y\")", None, None], ["+8613800000001", -3, None]]).active
    assert ws["A2"].value == "=HYPERLINK(\"http://x\",\"y\")" and ws["A2"].data_type == "s"
    assert ws["A3"].value == "+8613800000001" and ws["A3"].data_type == "s"
    assert ws["B3"].value == -3


def test_excel_escapes_are_escaped() -> None:
    # Excel would read "_x0041_" as "A": the writer escapes the underscore (_x005F_) so Excel shows it as typed.
    assert xml_text("a_x0041_b") == "a_x005F_x0041_b"
    assert xml_text("a_x41_b") == "a_x41_b"


def test_long_text_is_cut_at_excels_limit() -> None:
    assert len(values(workbook([["长" * 40_000, None, None]]).active)[1][0]) == 32_767


def test_no_rows_gives_a_header_only_sheet() -> None:
    assert values(workbook([]).active) == [["名称 name", "数值 value", "来电时间 arrived_at"]]


def test_past_the_sheets_row_limit_rows_go_on_in_a_new_sheet_with_the_header() -> None:
    rows = [[f"r{i}", i, None] for i in range(7)]
    book = workbook(rows, sheet="通话", max_rows_per_sheet=4)  # a header and 3 rows per sheet
    assert book.sheetnames == ["通话", "通话 (2)", "通话 (3)"]
    sheets = [values(book[name]) for name in book.sheetnames]
    assert [len(s) for s in sheets] == [4, 4, 2]
    assert all(s[0] == ["名称 name", "数值 value", "来电时间 arrived_at"] for s in sheets)
    assert [r[1] for s in sheets for r in s[1:]] == list(range(7))


def test_a_sheet_also_goes_on_before_its_part_grows_too_big() -> None:
    book = workbook(([f"{i:>100}", i, None] for i in range(100)), max_sheet_bytes=5_000)
    assert len(book.sheetnames) > 1
    assert sum(book[name].max_row - 1 for name in book.sheetnames) == 100


def test_the_package_is_streamed_without_zip64() -> None:
    data = b"".join(xlsx_chunks(COLUMNS, [["a", 1, None]]))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert set(package.namelist()) == {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                                           "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"}
        sheet = package.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.flag_bits & 0x08  # sizes in a data descriptor: written onto an unseekable sink
        assert sheet.extract_version < 45  # not ZIP64, which Excel refuses in streamed form
        assert package.testzip() is None


def test_sheet_names_are_made_legal() -> None:
    assert sheet_name("a/b:c?", 1) == "a_b_c_"
    assert sheet_name("x" * 40, 12) == "x" * 26 + " (12)"
    assert sheet_name("", 1) == "Sheet"


def test_column_letters_and_serial_numbers() -> None:
    assert column_letters(28)[-3:] == ["Z", "AA", "AB"]
    assert column_letters(16_384)[-1] == "XFD"
    assert excel_serial(date(1900, 3, 1), UTC) == 61
    assert excel_serial(datetime(2026, 11, 26, 4, 0, tzinfo=UTC), SHANGHAI) == 46352.5
    assert excel_serial(date(1900, 1, 1), UTC) is None


def test_output_is_incremental() -> None:
    pulled = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal pulled
        for i in range(50_000):
            pulled += 1
            yield [f"第{i}行 line {i}", i * 1.5, datetime(2026, 1, 1, tzinfo=UTC)]

    seen_at = [pulled for _ in xlsx_chunks(COLUMNS, rows())]
    assert seen_at[0] <= 1  # the fixed parts come before any row but the first (peeked for column widths)
    during = [n for n in seen_at if 0 < n < 50_000]
    assert len(during) >= 5  # chunks arrive while rows are still being pulled
    assert seen_at[-1] == 50_000


cell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
                    max_size=40).filter(lambda s: "_x" not in s)
cell = st.one_of(st.none(), cell_text, st.integers(min_value=-10**14, max_value=10**14),
                 st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
                 st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2200, 1, 1)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cell, cell, cell), max_size=15))
def test_round_trip_of_random_cells(rows: list[tuple[Any, Any, Any]]) -> None:
    cols = [Column("n", "n"), *COLUMNS]
    got = values(workbook([(n, *row) for n, row in enumerate(rows)], cols).active)[1:]
    assert len(got) == len(rows)
    for got_row, want_row in zip([r[1:] for r in got], rows, strict=True):
        for value, want in zip(got_row, want_row, strict=True):
            if isinstance(want, datetime):
                assert abs((value - want).total_seconds()) < 0.001  # Excel serials: millisecond precision
            else:
                assert value == want
