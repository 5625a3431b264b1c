"""The bill as the IVR says it: the prompt names to play, in order."""

from __future__ import annotations

from billing.gateway import Bill
from ivr.say_zh import say_amount, say_date


def bill_prompts(bill: Bill) -> tuple[str, ...]:
    if bill.amount_due <= 0:
        return ("bill-none",)
    prompts = ["bill-intro", *say_amount(bill.amount_due)]
    if bill.due_date is not None:
        prompts += ["due-date-intro", *say_date(bill.due_date)]
    return tuple(prompts)
