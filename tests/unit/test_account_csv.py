"""The pure billing-CSV parser: headers, types, and one clear error per bad field with its line number."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing.gateway import PaymentStatus
from billing.importer import (
    AccountRow,
    ImportResult,
    RowError,
    format_import_report,
    parse_accounts_csv,
)

HEADER = "account_number,name,phone,address,supply_zone,amount_due,due_date,last_reading\n"
CHINESE_HEADER = "户号,户名,电话,地址,供水区域,应缴金额,缴费截止日期,上次抄表读数\n"
GOOD_LINE = "10020031,张伟,13800138000,西湖区文三路1号,城西,128.50,2026-12-15,3021.5\n"


def messages(text: str) -> list[str]:
    return [str(error) for error in parse_accounts_csv(text).errors]


def test_good_file_gives_typed_rows() -> None:
    text = HEADER + GOOD_LINE + "0001,李娜,,,,0,,\n"
    result = parse_accounts_csv(text)
    assert result.errors == []
    assert result.rows == [
        AccountRow("10020031", "张伟", "13800138000", "西湖区文三路1号", "城西", Decimal("128.50"),
                   date(2026, 12, 15), Decimal("3021.5")),
        AccountRow("0001", "李娜", None, "", "", Decimal("0"), None, None),
    ]


def test_chinese_headers_in_any_order_and_unknown_columns_ignored() -> None:
    text = "备注,应缴金额,户名,户号,电话,地址,供水区域,缴费截止日期,上次抄表读数\nx,5,王芳,123456,,,,,\n"
    result = parse_accounts_csv(text)
    assert result.errors == []
    assert [(row.account_number, row.name, row.amount_due) for row in result.rows] == [
        ("123456", "王芳", Decimal("5"))]


def test_chinese_header_matches_english_one() -> None:
    english = parse_accounts_csv(HEADER + GOOD_LINE)
    chinese = parse_accounts_csv(CHINESE_HEADER + GOOD_LINE)
    assert chinese == english


def test_bom_and_crlf_are_accepted() -> None:
    text = "\ufeff" + (HEADER + GOOD_LINE).replace("\n", "\r\n")
    result = parse_accounts_csv(text)
    assert result.errors == []
    assert len(result.rows) == 1


def test_fields_are_trimmed_and_quoted_fields_may_hold_commas() -> None:
    result = parse_accounts_csv(HEADER + ' 1234 , 赵敏 ,,"文一路, 3号",城北, 7.00 ,,\n')
    assert result.errors == []
    assert result.rows[0].account_number == "1234"
    assert result.rows[0].name == "赵敏"
    assert result.rows[0].address == "文一路, 3号"
    assert result.rows[0].amount_due == Decimal("7.00")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("12a4,A,,,,1,,", "line 2: account_number '12a4' must be 4 to 20 digits"),
        ("123,A,,,,1,,", "line 2: account_number '123' must be 4 to 20 digits"),
        ("123456789012345678901,A,,,,1,,",
         "line 2: account_number '123456789012345678901' must be 4 to 20 digits"),
        (",A,,,,1,,", "line 2: account_number '' must be 4 to 20 digits"),
        ("1234,,,,,1,,", "line 2: name is empty"),
        ("1234,A,138 0013,,,1,,", "line 2: phone '138 0013' may contain only digits, '+' and '-'"),
        ("1234,A,,,,abc,,", "line 2: amount_due 'abc' is not a number"),
        ("1234,A,,,,,,", "line 2: amount_due is empty"),
        ("1234,A,,,,-1.00,,", "line 2: amount_due '-1.00' is negative"),
        ("1234,A,,,,1.005,,", "line 2: amount_due '1.005' has more than 2 decimal places"),
        ("1234,A,,,,1e3,,", "line 2: amount_due '1e3' is not a number"),
        ("1234,A,,,,NaN,,", "line 2: amount_due 'NaN' is not a number"),
        ("1234,A,,,,99999999999,,", "line 2: amount_due '99999999999' is too large"),
        ("1234,A,,,,1,2026-02-30,", "line 2: due_date '2026-02-30' is not a date (YYYY-MM-DD)"),
        ("1234,A,,,,1,15/12/2026,", "line 2: due_date '15/12/2026' is not a date (YYYY-MM-DD)"),
        ("1234,A,,,,1,20261215,", "line 2: due_date '20261215' is not a date (YYYY-MM-DD)"),
        ("1234,A,,,,1,,x", "line 2: last_reading 'x' is not a number"),
        ("1234,A,,,,1,,-3", "line 2: last_reading '-3' is negative"),
        ("1234,A,,,,1,,", None),
    ],
)
def test_each_bad_field_is_named_with_its_line(line: str, expected: str | None) -> None:
    result = parse_accounts_csv(HEADER + line + "\n")
    if expected is None:
        assert result.errors == []
        assert len(result.rows) == 1
    else:
        assert [str(error) for error in result.errors] == [expected]
        assert result.rows == []


def test_error_records_line_and_field() -> None:
    (error,) = parse_accounts_csv(HEADER + GOOD_LINE + "1234,A,,,,abc,,\n").errors
    assert error == RowError(3, "amount_due 'abc' is not a number", "amount_due")


def test_every_problem_on_a_line_is_reported() -> None:
    assert messages(HEADER + "12,,,,,abc,,\n") == [
        "line 2: account_number '12' must be 4 to 20 digits",
        "line 2: name is empty",
        "line 2: amount_due 'abc' is not a number",
    ]


def test_overlong_text_is_rejected() -> None:
    assert messages(HEADER + f"1234,{'名' * 101},,,,1,,\n") == [
        "line 2: name is longer than 100 characters"]


def test_wrong_number_of_fields() -> None:
    assert messages(HEADER + "1234,A,,,,1,\n1235,A,,,,1,,,\n") == [
        "line 2: has 7 fields but the header has 8",
        "line 3: has 9 fields but the header has 8",
    ]


def test_duplicate_account_number_is_an_error_on_the_later_line() -> None:
    text = HEADER + "1234,First,,,,1,,\n5678,Other,,,,2,,\n1234,Second,,,,3,,\n"
    result = parse_accounts_csv(text)
    assert [str(error) for error in result.errors] == ["line 4: account_number '1234' duplicates line 2"]
    assert [row.name for row in result.rows] == ["First", "Other"]


def test_missing_columns_give_one_error_on_line_1_and_no_rows() -> None:
    text = "account_number,name,phone,address,supply_zone,due_date\n1234,A,,,,\n12,,,,,\n"
    result = parse_accounts_csv(text)
    assert result.rows == []
    assert [str(error) for error in result.errors] == [
        "line 1: missing required column(s): amount_due [应缴金额], last_reading [上次抄表读数]"]


def test_column_named_twice_is_a_header_error() -> None:
    text = HEADER.rstrip("\n") + ",户号\n"
    assert messages(text) == ["line 1: column(s) given twice: account_number"]


def test_empty_file() -> None:
    assert messages("") == ["line 1: the file is empty: a header row is required"]
    assert parse_accounts_csv(HEADER) == parse_accounts_csv(HEADER + "\n\n")


def test_good_rows_still_parsed_next_to_bad_ones_with_true_line_numbers() -> None:
    text = (HEADER
            + GOOD_LINE
            + "\n"  # a blank line 3 still counts
            + '2001,"多行\n地址",,,,x,,\n'  # a record spanning lines 4-5
            + "2002,B,,,,2.5,,\n"  # line 6
            + "2003,C,,,,3,2026-13-01,\n")  # line 7
    result = parse_accounts_csv(text)
    assert [row.account_number for row in result.rows] == ["10020031", "2002"]
    assert [str(error) for error in result.errors] == [
        "line 4: amount_due 'x' is not a number",
        "line 7: due_date '2026-13-01' is not a date (YYYY-MM-DD)",
    ]


def test_malformed_csv_stops_with_an_error_but_keeps_earlier_rows() -> None:
    result = parse_accounts_csv(HEADER + GOOD_LINE + '2001,"unclosed,,,,1,,\n2002,B,,,,1,,\n')
    assert [row.account_number for row in result.rows] == ["10020031"]
    assert len(result.errors) == 1
    assert str(result.errors[0]).startswith("line 3: malformed CSV")


def test_long_values_are_shortened_in_messages() -> None:
    (error,) = parse_accounts_csv(HEADER + f"1234,A,,,,{'9' * 30}x,,\n").errors
    assert error.message == f"amount_due '{'9' * 30}x' is not a number"
    (error,) = parse_accounts_csv(HEADER + f"1234,A,,,,{'9' * 50}x,,\n").errors
    assert error.message == f"amount_due '{'9' * 40}…' is not a number"


def test_format_import_report() -> None:
    errors = [RowError(3, "name is empty", "name"), RowError(3, "amount_due is empty", "amount_due"),
              RowError(9, "phone 'x' may contain only digits, '+' and '-'", "phone")]
    report = format_import_report(ImportResult("a.csv", 5, 2, errors), max_errors=2)
    assert report.splitlines() == [
        "Imported accounts from a.csv: 5 inserted, 2 updated, 2 line(s) rejected.",
        "Problems (these lines were not imported):",
        "  line 3: name is empty",
        "  line 3: amount_due is empty",
        "  … and 1 more problem(s).",
    ]
    assert format_import_report(ImportResult("b.csv", 1, 0, [])) == (
        "Imported accounts from b.csv: 1 inserted, 0 updated, 0 line(s) rejected.")


# --- the optional columns: the complete bill and the water company -----------------------------------------

FULL_HEADER = HEADER.rstrip("\n") + ",last_reading_date,usage,payment_status,company\n"
FULL_CHINESE_HEADER = CHINESE_HEADER.rstrip("\n") + ",抄表日期,用水量,缴费状态,所属公司\n"
FULL_LINE = GOOD_LINE.rstrip("\n") + ",2026-11-20,18.5,逾期,滇池水务\n"


def test_optional_columns_give_the_complete_bill() -> None:
    result = parse_accounts_csv(FULL_HEADER + FULL_LINE)
    assert result.errors == []
    assert result.optional_columns == {"last_reading_date", "usage", "payment_status", "company"}
    (row,) = result.rows
    assert (row.last_reading_date, row.usage, row.payment_status, row.company) == (
        date(2026, 11, 20), Decimal("18.5"), PaymentStatus.OVERDUE, "滇池水务")


def test_optional_columns_have_chinese_names_too() -> None:
    assert parse_accounts_csv(FULL_CHINESE_HEADER + FULL_LINE) == parse_accounts_csv(FULL_HEADER + FULL_LINE)


def test_without_optional_columns_rows_get_the_defaults_and_none_are_listed() -> None:
    result = parse_accounts_csv(HEADER + GOOD_LINE)
    assert result.optional_columns == frozenset()
    (row,) = result.rows
    assert (row.last_reading_date, row.usage, row.payment_status, row.company) == (
        None, None, PaymentStatus.UNPAID, "")


def test_a_file_may_have_only_some_optional_columns() -> None:
    result = parse_accounts_csv(HEADER.rstrip("\n") + ",缴费状态\n" + GOOD_LINE.rstrip("\n") + ",已缴\n")
    assert result.errors == []
    assert result.optional_columns == {"payment_status"}
    assert result.rows[0].payment_status == PaymentStatus.PAID


@pytest.mark.parametrize(
    ("word", "status"),
    [("paid", PaymentStatus.PAID), ("Unpaid", PaymentStatus.UNPAID), ("OVERDUE", PaymentStatus.OVERDUE),
     ("已缴", PaymentStatus.PAID), ("未缴", PaymentStatus.UNPAID), ("逾期", PaymentStatus.OVERDUE),
     ("", PaymentStatus.UNPAID), (" paid ", PaymentStatus.PAID)],
)
def test_payment_status_words(word: str, status: PaymentStatus) -> None:
    result = parse_accounts_csv(FULL_HEADER + f"1234,A,,,,1,,,,,{word},\n")
    assert result.errors == []
    assert result.rows[0].payment_status == status


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ("2026-13-01,,,", "line 2: last_reading_date '2026-13-01' is not a date (YYYY-MM-DD)"),
        (",-1,,", "line 2: usage '-1' is negative"),
        (",1.234,,", "line 2: usage '1.234' has more than 2 decimal places"),
        (",abc,,", "line 2: usage 'abc' is not a number"),
        (",,欠费,", "line 2: payment_status '欠费' must be one of paid, unpaid, overdue, 已缴, 未缴, 逾期"),
        (f",,,{'水' * 33}", "line 2: company is longer than 32 characters"),
        (",,,", None),
    ],
)
def test_each_bad_optional_field_is_named_with_its_line(cells: str, expected: str | None) -> None:
    result = parse_accounts_csv(FULL_HEADER + f"1234,A,,,,1,,,{cells}\n")
    if expected is None:
        assert result.errors == []
        assert result.rows[0] == AccountRow("1234", "A", None, "", "", Decimal("1"), None, None)
    else:
        assert [str(error) for error in result.errors] == [expected]
        assert result.rows == []


def test_optional_column_named_twice_is_a_header_error() -> None:
    assert messages(FULL_HEADER.rstrip("\n") + ",用水量\n") == ["line 1: column(s) given twice: usage"]
