"""``qingquan import-accounts FILE.csv``: loads the utility's billing export into the ``account`` table.

Two halves. :func:`parse_accounts_csv` is pure: text in, typed rows and per-line errors out, so the rules are
tested without a database. :func:`import_accounts` reads the file and upserts the good rows by account number
in one transaction, in batches of bulk statements (a SELECT of the batch's keys, one executemany INSERT, one
executemany UPDATE), which runs unchanged on SQLite and PostgreSQL and counts inserts and updates exactly.

The file: UTF-8 with or without BOM, a header row, then one account per line. Each column may be named in
English or in Chinese (see :data:`COLUMNS` and :data:`OPTIONAL_COLUMNS`); the eight columns of
:data:`COLUMNS` must be present, in any order, and unknown extra columns are ignored. An optional column the
file does not have is left as it is on accounts already loaded (new accounts get the defaults: no reading
date, no usage, ``unpaid``, the default company). Bad lines are reported and skipped; good lines still load.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import BindParameter, bindparam, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from billing.gateway import PaymentStatus
from billing.models import Account
from kernel.database import transaction
from kernel.errors import InvalidInput

logger = logging.getLogger(__name__)

# Field name -> the Chinese header the utility's own exports use. Every file has these.
COLUMNS: dict[str, str] = {
    "account_number": "户号",
    "name": "户名",
    "phone": "电话",
    "address": "地址",
    "supply_zone": "供水区域",
    "amount_due": "应缴金额",
    "due_date": "缴费截止日期",
    "last_reading": "上次抄表读数",
}

# Columns a file may have (the complete bill and the water company); same naming rule.
OPTIONAL_COLUMNS: dict[str, str] = {
    "last_reading_date": "抄表日期",
    "usage": "用水量",
    "payment_status": "缴费状态",
    "company": "所属公司",
}

_ALIASES = {name: field for field, chinese in (COLUMNS | OPTIONAL_COLUMNS).items() for name in (field, chinese)}
_PAYMENT_STATUS: dict[str, PaymentStatus] = {
    **{status.value: status for status in PaymentStatus},
    "已缴": PaymentStatus.PAID,
    "未缴": PaymentStatus.UNPAID,
    "逾期": PaymentStatus.OVERDUE,
}

BATCH_SIZE = 500  # account numbers per IN (...) list and per executemany
MAX_REPORTED_ERRORS = 50

_ACCOUNT_NUMBER = re.compile(r"[0-9]{4,20}")
_PHONE = re.compile(r"[0-9+\-]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MAX_INTEGER_DIGITS = 10  # Numeric(12, 2)
_CENT = Decimal("0.01")
_MAX_LENGTH = {"name": 100, "phone": 40, "address": 255, "supply_zone": 64, "company": 32}
_SHOWN_VALUE_CHARS = 40


@dataclass(frozen=True)
class AccountRow:
    """One valid line of the file, typed as the ``account`` table stores it."""

    account_number: str
    name: str
    phone: str | None
    address: str
    supply_zone: str
    amount_due: Decimal
    due_date: date | None
    last_reading: Decimal | None
    last_reading_date: date | None = None
    usage: Decimal | None = None
    payment_status: PaymentStatus = PaymentStatus.UNPAID
    company: str = ""


@dataclass(frozen=True)
class RowError:
    """One problem on one line (1 = the header); ``str()`` gives ``"line 7: amount_due 'abc' is ..."``."""

    line: int
    message: str
    field: str | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class ParseResult:
    rows: list[AccountRow]
    errors: list[RowError]
    optional_columns: frozenset[str] = frozenset()  # those of OPTIONAL_COLUMNS the file has


@dataclass(frozen=True)
class ImportResult:
    source: str
    inserted: int
    updated: int
    errors: list[RowError]

    @property
    def rejected_lines(self) -> int:
        """How many lines were skipped (a line with several problems counts once)."""
        return len({error.line for error in self.errors})


class _FieldError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- parsing -----------------------------------------------------------------------------------------------


def parse_accounts_csv(text: str) -> ParseResult:
    """Parses the whole file; never raises for bad content, which comes back as :class:`RowError` s."""
    records, csv_error = _read_records(text.removeprefix("\ufeff"))
    if not records:
        return ParseResult([], [csv_error or RowError(1, "the file is empty: a header row is required")])
    _, header = records[0]
    positions, header_error = _header_positions(header)
    if header_error is not None:
        return ParseResult([], [header_error])
    rows: list[AccountRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, values in records[1:]:
        if not any(value.strip() for value in values):
            continue
        row, row_errors = _parse_record(line, values, positions, len(header), seen)
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
    if csv_error is not None:
        errors.append(csv_error)
    return ParseResult(rows, errors, frozenset(OPTIONAL_COLUMNS).intersection(positions))


def _read_records(text: str) -> tuple[list[tuple[int, list[str]]], RowError | None]:
    """CSV records with the file line each starts on (a quoted field may span lines), and the error that
    stopped reading early, if the CSV itself is malformed (say, an unclosed quote)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    next_line = 1
    try:
        for values in reader:
            records.append((next_line, values))
            next_line = reader.line_num + 1
    except csv.Error as exc:
        return records, RowError(next_line, f"malformed CSV ({exc}); this line and the rest of the file "
                                            "were not read")
    return records, None


def _header_positions(header: Sequence[str]) -> tuple[dict[str, int], RowError | None]:
    positions: dict[str, int] = {}
    duplicated: list[str] = []
    for index, raw in enumerate(header):
        name = raw.strip()
        field = _ALIASES.get(name) or _ALIASES.get(name.lower())
        if field is None:
            continue
        if field in positions:
            duplicated.append(field)
        positions[field] = index
    missing = [f"{field} [{COLUMNS[field]}]" for field in COLUMNS if field not in positions]
    if missing:
        return positions, RowError(1, "missing required column(s): " + ", ".join(missing))
    if duplicated:
        return positions, RowError(1, "column(s) given twice: " + ", ".join(duplicated))
    return positions, None


def _parse_record(line: int, values: Sequence[str], positions: dict[str, int], width: int,
                  seen: dict[str, int]) -> tuple[AccountRow | None, list[RowError]]:
    if len(values) != width:
        return None, [RowError(line, f"has {len(values)} fields but the header has {width}")]
    raw = {field: values[index].strip() for field, index in positions.items()}
    errors: list[RowError] = []
    parsed: dict[str, Any] = {}
    for field, parser in _FIELD_PARSERS.items():
        if field not in raw:
            continue  # an optional column the file does not have: AccountRow's default
        try:
            parsed[field] = parser(raw[field])
        except _FieldError as exc:
            errors.append(RowError(line, exc.message, exc.field))
    number = parsed.get("account_number")
    if isinstance(number, str):
        if number in seen:
            errors.append(RowError(line, f"account_number '{number}' duplicates line {seen[number]}",
                                   "account_number"))
        else:
            seen[number] = line
    if errors:
        return None, errors
    return AccountRow(**parsed), []


def _show(value: str) -> str:
    if len(value) > _SHOWN_VALUE_CHARS:
        value = value[:_SHOWN_VALUE_CHARS] + "…"
    return f"'{value}'"


def _parse_account_number(value: str) -> str:
    if not _ACCOUNT_NUMBER.fullmatch(value):
        raise _FieldError("account_number",
                          f"account_number {_show(value)} must be 4 to 20 digits")
    return value


def _text(field: str, *, required: bool) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if required and not value:
            raise _FieldError(field, f"{field} is empty")
        if len(value) > _MAX_LENGTH[field]:
            raise _FieldError(field, f"{field} is longer than {_MAX_LENGTH[field]} characters")
        return value

    return parse


def _parse_phone(value: str) -> str | None:
    if not value:
        return None
    if not _PHONE.fullmatch(value):
        raise _FieldError("phone", f"phone {_show(value)} may contain only digits, '+' and '-'")
    if len(value) > _MAX_LENGTH["phone"]:
        raise _FieldError("phone", f"phone is longer than {_MAX_LENGTH['phone']} characters")
    return value


def _amount(field: str, *, required: bool) -> Callable[[str], Decimal | None]:
    def parse(value: str) -> Decimal | None:
        if not value:
            if required:
                raise _FieldError(field, f"{field} is empty")
            return None
        if not _DECIMAL.fullmatch(value):
            raise _FieldError(field, f"{field} {_show(value)} is not a number")
        number = Decimal(value)
        if number < 0:
            raise _FieldError(field, f"{field} {_show(value)} is negative")
        if number >= Decimal(10) ** _MAX_INTEGER_DIGITS:
            raise _FieldError(field, f"{field} {_show(value)} is too large")
        if number != number.quantize(_CENT):
            raise _FieldError(field, f"{field} {_show(value)} has more than 2 decimal places")
        return number

    return parse


def _date(field: str) -> Callable[[str], date | None]:
    def parse(value: str) -> date | None:
        if not value:
            return None
        try:
            if not _ISO_DATE.fullmatch(value):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            raise _FieldError(field, f"{field} {_show(value)} is not a date (YYYY-MM-DD)") from None

    return parse


def _parse_payment_status(value: str) -> PaymentStatus:
    if not value:
        return PaymentStatus.UNPAID
    status = _PAYMENT_STATUS.get(value.lower())
    if status is None:
        raise _FieldError("payment_status", f"payment_status {_show(value)} must be one of "
                                            "paid, unpaid, overdue, 已缴, 未缴, 逾期")
    return status


_FIELD_PARSERS: dict[str, Callable[[str], object]] = {
    "account_number": _parse_account_number,
    "name": _text("name", required=True),
    "phone": _parse_phone,
    "address": _text("address", required=False),
    "supply_zone": _text("supply_zone", required=False),
    "amount_due": _amount("amount_due", required=True),
    "due_date": _date("due_date"),
    "last_reading": _amount("last_reading", required=False),
    "last_reading_date": _date("last_reading_date"),
    "usage": _amount("usage", required=False),
    "payment_status": _parse_payment_status,
    "company": _text("company", required=False),
}


# --- loading -----------------------------------------------------------------------------------------------


def read_accounts_file(path: Path) -> str:
    """The file's text; :class:`InvalidInput` when it cannot be read or is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{path} is not UTF-8 text (invalid byte at offset {exc.start}); "
            "save it as UTF-8 CSV (a GBK export must be converted first)") from exc


def import_accounts(factory: sessionmaker[Session], path: Path, *, now: datetime) -> ImportResult:
    """Upserts every valid line of ``path`` by account number, all in one transaction."""
    parsed = parse_accounts_csv(read_accounts_file(path))
    inserted = updated = 0
    with transaction(factory) as session:
        for start in range(0, len(parsed.rows), BATCH_SIZE):
            batch = parsed.rows[start:start + BATCH_SIZE]
            batch_inserted, batch_updated = _upsert_batch(session, batch, parsed.optional_columns, now)
            inserted += batch_inserted
            updated += batch_updated
    result = ImportResult(str(path), inserted, updated, parsed.errors)
    logger.info("imported accounts from %s: %d inserted, %d updated, %d lines rejected",
                path, inserted, updated, result.rejected_lines)
    return result


def _upsert_batch(session: Session, rows: Sequence[AccountRow], optional_columns: frozenset[str],
                  now: datetime) -> tuple[int, int]:
    # The keys are rendered as literals (they are validated digit strings): with bound parameters the
    # statement text never changes, psycopg prepares it, and PostgreSQL may settle on a generic plan that
    # scans the whole table comparing each row against all 500 parameters (seconds per batch once the
    # table is large and not yet analyzed). Literal IN lists get a fresh plan every time.
    numbers = [row.account_number for row in rows]
    keys: BindParameter[str] = bindparam("account_numbers", numbers, expanding=True, literal_execute=True)
    existing = set(session.scalars(select(Account.account_number).where(Account.account_number.in_(keys))))
    written = [*COLUMNS, *(field for field in OPTIONAL_COLUMNS if field in optional_columns)]
    values = [{field: _stored(getattr(row, field)) for field in written} | {"updated_at": now} for row in rows]
    new = [value for value in values if value["account_number"] not in existing]
    old = [value for value in values if value["account_number"] in existing]
    if new:
        session.execute(insert(Account), new)
    if old:
        session.execute(update(Account), old)
    return len(new), len(old)


def _stored(value: object) -> object:
    return value.value if isinstance(value, PaymentStatus) else value


def format_import_report(result: ImportResult, *, max_errors: int = MAX_REPORTED_ERRORS) -> str:
    """Lines for the CLI: the counts, then the first ``max_errors`` problems."""
    lines = [
        f"Imported accounts from {result.source}: {result.inserted} inserted, {result.updated} updated, "
        f"{result.rejected_lines} line(s) rejected."
    ]
    if result.errors:
        lines.append("Problems (these lines were not imported):")
        lines.extend(f"  {error}" for error in result.errors[:max_errors])
        hidden = len(result.errors) - max_errors
        if hidden > 0:
            lines.append(f"  … and {hidden} more problem(s).")
    return "\n".join(lines)
