"""Reading a bill to the caller: the prompt names in order, checked as the Chinese the caller hears."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.gateway import Bill, PaymentStatus
from ivr.bill_speech import bill_prompts
from ivr.prompts import CATALOGUE

BILL = Bill(account_number="10001234", name="张伟", address="盘龙区北京路100号", supply_zone="north",
            amount_due=Decimal("123.45"), due_date=date(2026, 12, 15), last_reading=Decimal("1024.50"),
            last_reading_date=date(2026, 11, 10), usage=Decimal("35.80"), payment_status=PaymentStatus.UNPAID)


def heard(bill: Bill) -> str:
    return "".join(CATALOGUE[name].text for name in bill_prompts(bill))


def test_a_complete_unpaid_bill() -> None:
    assert heard(BILL) == ("您本期应缴水费一百二十三元四角五分缴费截止日期为二零二六年十二月十五日本期水费尚未缴纳。"
                           "上次抄表日期为二零二六年十一月十日水表读数为一千零二十四点五立方米。"
                           "本期用水量为三十五点八立方米。")


def test_the_parts_come_in_order() -> None:
    prompts = bill_prompts(BILL)
    firsts = [prompts.index(name) for name in ("bill-intro", "due-date-intro", "bill-unpaid", "reading-date-intro",
                                               "reading-intro", "usage-intro")]
    assert firsts == sorted(firsts)
    assert prompts[-1] == "cubic-metres"


def test_an_overdue_bill_says_so() -> None:
    overdue = replace(BILL, payment_status=PaymentStatus.OVERDUE)
    assert "bill-overdue" in bill_prompts(overdue)
    assert "请注意，您的水费已逾期未缴，请尽快缴纳。" in heard(overdue)
    assert "bill-unpaid" not in bill_prompts(overdue)


def test_a_paid_bill_with_nothing_due() -> None:
    paid = replace(BILL, amount_due=Decimal("0.00"), due_date=None, payment_status=PaymentStatus.PAID)
    assert bill_prompts(paid)[:2] == ("bill-none", "bill-paid")


def test_nothing_due_and_unpaid_says_only_that_nothing_is_due() -> None:
    nothing = replace(BILL, amount_due=Decimal("0"), payment_status=PaymentStatus.UNPAID)
    prompts = bill_prompts(nothing)
    assert prompts[0] == "bill-none"
    assert "bill-unpaid" not in prompts
    assert "due-date-intro" not in prompts  # no date to pay by when nothing is owed


def test_a_bill_with_only_the_amount() -> None:
    bare = Bill("10001234", "张伟", "", "", Decimal("2"), None, None)
    assert heard(bare) == "您本期应缴水费两元整本期水费尚未缴纳。"


@pytest.mark.parametrize(
    ("changes", "expected_tail"),
    [
        ({"last_reading_date": None}, "水表读数为一千零二十四点五立方米。本期用水量为三十五点八立方米。"),
        ({"last_reading": None, "usage": None}, "上次抄表日期为二零二六年十一月十日"),
        ({"usage": Decimal("2")}, "本期用水量为两立方米。"),
        ({"usage": Decimal("0")}, "本期用水量为零立方米。"),
    ],
)
def test_missing_or_small_reading_parts(changes: dict[str, object], expected_tail: str) -> None:
    assert heard(replace(BILL, **changes)).endswith(expected_tail)  # type: ignore[arg-type]


_amounts = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2)
_bills = st.builds(
    Bill, account_number=st.just("10001234"), name=st.just("张伟"), address=st.just(""), supply_zone=st.just(""),
    amount_due=_amounts, due_date=st.none() | st.dates(), last_reading=st.none() | _amounts,
    last_reading_date=st.none() | st.dates(), usage=st.none() | _amounts,
    payment_status=st.sampled_from(PaymentStatus))


@given(_bills)
def test_every_bill_is_read_with_catalogued_prompts_and_one_status_at_most(bill: Bill) -> None:
    prompts = bill_prompts(bill)
    assert set(prompts) <= CATALOGUE.keys()
    assert prompts[0] in ("bill-intro", "bill-none")
    statuses = [name for name in prompts if name in ("bill-paid", "bill-unpaid", "bill-overdue")]
    assert len(statuses) <= 1
    if bill.payment_status == PaymentStatus.OVERDUE:
        assert statuses == ["bill-overdue"]
