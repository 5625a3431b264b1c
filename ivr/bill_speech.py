"""What the IVR says about a bill: the prompt names to play, in order. Pure.

Amount due (or "no amount due"), due date, payment status, the last meter reading with its date, and the
usage in cubic metres. A part the bill does not have is left out. The status is always said when the bill is
paid or overdue; "not yet paid" only when something is due (after "you owe nothing" it would only confuse).
The numbers must be ones :mod:`ivr.say_zh` can read (non-negative, below 100 million): the adapters check.
"""

from __future__ import annotations

from billing.gateway import Bill, PaymentStatus
from ivr.say_zh import say_amount, say_date, say_decimal, say_quantity

__all__ = ["STATUS_PROMPTS", "bill_prompts"]

STATUS_PROMPTS: dict[PaymentStatus, str] = {
    PaymentStatus.PAID: "bill-paid",
    PaymentStatus.UNPAID: "bill-unpaid",
    PaymentStatus.OVERDUE: "bill-overdue",
}


def bill_prompts(bill: Bill) -> tuple[str, ...]:
    """The prompt names that read ``bill`` to the caller, in the order they are played."""
    owes = bill.amount_due > 0
    prompts: list[str] = []
    if owes:
        prompts += ["bill-intro", *say_amount(bill.amount_due)]
        if bill.due_date is not None:
            prompts += ["due-date-intro", *say_date(bill.due_date)]
    else:
        prompts.append("bill-none")
    if owes or bill.payment_status != PaymentStatus.UNPAID:
        prompts.append(STATUS_PROMPTS[bill.payment_status])
    if bill.last_reading_date is not None:
        prompts += ["reading-date-intro", *say_date(bill.last_reading_date)]
    if bill.last_reading is not None:
        prompts += ["reading-intro", *say_decimal(bill.last_reading), "cubic-metres"]
    if bill.usage is not None:
        prompts += ["usage-intro", *say_quantity(bill.usage), "cubic-metres"]
    return tuple(prompts)
