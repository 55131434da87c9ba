"""Invoice arithmetic, pure and exact: integer minor units in, integer minor units out.

Rules (the same as Stripe's, which integrators expect):
- a line's amount is quantity × unit amount;
- an invoice-level discount is spread over the lines in proportion to their amounts,
  so the parts add up to the discount exactly (largest remainder);
- tax is computed per line on the discounted amount and rounded half up;
- total = subtotal − discount + tax.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from paydesk.core.money import percent_of, split_proportionally


@dataclass(frozen=True)
class LineInput:
    description: str
    quantity: int
    unit_amount: int
    tax_rate_percent: Decimal


@dataclass(frozen=True)
class LineAmounts:
    amount: int
    discount_amount: int
    tax_amount: int


@dataclass(frozen=True)
class InvoiceAmounts:
    lines: list[LineAmounts]
    subtotal: int
    discount: int
    tax: int
    total: int


def invoice_amounts(lines: list[LineInput], discount_amount: int) -> InvoiceAmounts:
    line_totals = [line.quantity * line.unit_amount for line in lines]
    subtotal = sum(line_totals)
    if not 0 <= discount_amount <= subtotal:
        raise ValueError("discount must be between zero and the subtotal")
    discounts = split_proportionally(discount_amount, line_totals)
    computed = [
        LineAmounts(
            amount=line_total,
            discount_amount=line_discount,
            tax_amount=percent_of(line_total - line_discount, line.tax_rate_percent),
        )
        for line, line_total, line_discount in zip(lines, line_totals, discounts)
    ]
    tax = sum(line.tax_amount for line in computed)
    return InvoiceAmounts(
        lines=computed,
        subtotal=subtotal,
        discount=discount_amount,
        tax=tax,
        total=subtotal - discount_amount + tax,
    )
