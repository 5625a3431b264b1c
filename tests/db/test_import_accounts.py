"""import-accounts against a real database: good rows load, bad rows are reported, re-import updates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from billing.importer import BATCH_SIZE, format_import_report, import_accounts
from billing.models import Account
from kernel.errors import InvalidInput

HEADER = "户号,户名,电话,地址,供水区域,应缴金额,缴费截止日期,上次抄表读数\n"
FIRST_IMPORT = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
SECOND_IMPORT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def accounts(factory: sessionmaker[Session]) -> dict[str, Account]:
    with factory() as session:
        return {account.account_number: account for account in session.scalars(select(Account))}


def test_import_good_and_bad_rows_then_reimport_updates(session_factory: sessionmaker[Session],
                                                        tmp_path: Path) -> None:
    first = write(tmp_path / "first.csv", HEADER
                  + "10020031,张伟,13800138000,西湖区文三路1号,城西,128.50,2026-12-15,3021.50\n"
                  + "10020032,李娜,,拱墅区,城北,0,,\n"
                  + "10020033,王芳,,,,abc,,\n"
                  + "10020031,重复,,,,1,,\n", bom=True)
    result = import_accounts(session_factory, first, now=FIRST_IMPORT)
    assert (result.inserted, result.updated) == (2, 0)
    assert [str(error) for error in result.errors] == [
        "line 4: amount_due 'abc' is not a number",
        "line 5: account_number '10020031' duplicates line 2",
    ]
    stored = accounts(session_factory)
    assert set(stored) == {"10020031", "10020032"}
    zhang = stored["10020031"]
    assert (zhang.name, zhang.phone, zhang.address, zhang.supply_zone) == (
        "张伟", "13800138000", "西湖区文三路1号", "城西")
    assert zhang.amount_due == Decimal("128.50")
    assert zhang.due_date == date(2026, 12, 15)
    assert zhang.last_reading == Decimal("3021.50")
    assert zhang.updated_at == FIRST_IMPORT
    assert stored["10020032"].phone is None
    assert stored["10020032"].due_date is None

    second = write(tmp_path / "second.csv", HEADER
                   + "10020031,张伟,13800138001,西湖区文三路1号,城西,0,,3050\n"
                   + "10020033,王芳,,,,42.00,2027-01-10,\n")
    result = import_accounts(session_factory, second, now=SECOND_IMPORT)
    assert (result.inserted, result.updated, result.errors) == (1, 1, [])
    stored = accounts(session_factory)
    assert set(stored) == {"10020031", "10020032", "10020033"}
    zhang = stored["10020031"]
    assert (zhang.phone, zhang.amount_due, zhang.due_date, zhang.last_reading) == (
        "13800138001", Decimal("0.00"), None, Decimal("3050.00"))
    assert zhang.updated_at == SECOND_IMPORT
    assert stored["10020032"].updated_at == FIRST_IMPORT
    assert stored["10020033"].amount_due == Decimal("42.00")
    assert "1 inserted, 1 updated, 0 line(s) rejected" in format_import_report(result)


def test_many_rows_span_several_batches(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    count = BATCH_SIZE * 2 + 7
    lines = "".join(f"{100000 + n},户{n},,,,{n}.25,,\n" for n in range(count))
    path = write(tmp_path / "many.csv", HEADER + lines)
    assert (import_accounts(session_factory, path, now=FIRST_IMPORT).inserted) == count
    half = "".join(f"{100000 + n},户{n},,,,1,,\n" for n in range(0, count * 2, 2))
    result = import_accounts(session_factory, write(tmp_path / "half.csv", HEADER + half), now=SECOND_IMPORT)
    assert (result.inserted, result.updated) == (count // 2, count - count // 2)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == count + count // 2
        assert session.get(Account, "100002") is not None
        assert session.get(Account, "100003").amount_due == Decimal("3.25")  # type: ignore[union-attr]


def test_header_error_imports_nothing(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", "户号,户名\n1234,A\n")
    result = import_accounts(session_factory, path, now=FIRST_IMPORT)
    assert (result.inserted, result.updated, result.rejected_lines) == (0, 0, 1)
    assert accounts(session_factory) == {}


def test_unreadable_files_raise_invalid_input(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes((HEADER + "1234,张伟,,,,1,,\n").encode("gbk"))
    with pytest.raises(InvalidInput, match="not UTF-8"):
        import_accounts(session_factory, gbk, now=FIRST_IMPORT)
    with pytest.raises(InvalidInput, match="cannot read"):
        import_accounts(session_factory, tmp_path / "missing.csv", now=FIRST_IMPORT)
    assert accounts(session_factory) == {}


FULL_HEADER = HEADER.rstrip("\n") + ",抄表日期,用水量,缴费状态,所属公司\n"


def test_optional_columns_are_stored_and_kept_by_a_file_without_them(session_factory: sessionmaker[Session],
                                                                      tmp_path: Path) -> None:
    full = write(tmp_path / "full.csv", FULL_HEADER
                 + "10020031,张伟,,,城西,128.50,2026-12-15,3021.50,2026-11-20,18.5,逾期,滇池水务\n")
    assert import_accounts(session_factory, full, now=FIRST_IMPORT).errors == []
    zhang = accounts(session_factory)["10020031"]
    assert (zhang.last_reading_date, zhang.usage, zhang.payment_status, zhang.company) == (
        date(2026, 11, 20), Decimal("18.50"), "overdue", "滇池水务")

    # An older export without the optional columns updates the rest and leaves them alone; a new account
    # gets the defaults.
    short = write(tmp_path / "short.csv", HEADER + "10020031,张伟,,,城西,0,,3040\n10020032,李娜,,,,5,,\n")
    result = import_accounts(session_factory, short, now=SECOND_IMPORT)
    assert (result.inserted, result.updated, result.errors) == (1, 1, [])
    stored = accounts(session_factory)
    zhang = stored["10020031"]
    assert (zhang.amount_due, zhang.last_reading) == (Decimal("0.00"), Decimal("3040.00"))
    assert (zhang.last_reading_date, zhang.usage, zhang.payment_status, zhang.company) == (
        date(2026, 11, 20), Decimal("18.50"), "overdue", "滇池水务")
    li = stored["10020032"]
    assert (li.last_reading_date, li.usage, li.payment_status, li.company) == (None, None, "unpaid", "")

    # A file that has the columns but empty cells clears them.
    cleared = write(tmp_path / "cleared.csv", FULL_HEADER + "10020031,张伟,,,城西,0,,3040,,,,\n")
    assert import_accounts(session_factory, cleared, now=SECOND_IMPORT).errors == []
    zhang = accounts(session_factory)["10020031"]
    assert (zhang.last_reading_date, zhang.usage, zhang.payment_status, zhang.company) == (None, None, "unpaid", "")
