"""Request bodies. Strict: an amount must be a JSON integer (not 10.0, not "10"), and
unknown parameters are refused, so typos never pass silently.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictInt, StrictStr

from ninja import Schema

from paydesk.core.money import MAX_AMOUNT_MINOR

AmountMinor = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT_MINOR)]
PositiveAmountMinor = Annotated[StrictInt, Field(ge=1, le=MAX_AMOUNT_MINOR)]
Currency = Annotated[StrictStr, Field(pattern=r"^[a-z]{3}$")]
ObjectId = Annotated[StrictStr, Field(min_length=3, max_length=40)]
Locale = Annotated[StrictStr, Field(pattern=r"^[a-z]{2}(-[A-Za-z]{2})?$")]


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class CustomerCreate(StrictSchema):
    name: Annotated[StrictStr, Field(max_length=200)] = ""
    email: Annotated[StrictStr, Field(max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")] = ""
    phone: Annotated[StrictStr, Field(max_length=40)] = ""
    preferred_locales: Annotated[list[Locale], Field(max_length=5)] = []


class CustomerUpdate(StrictSchema):
    name: Annotated[StrictStr, Field(max_length=200)] | None = None
    email: Annotated[StrictStr, Field(max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    phone: Annotated[StrictStr, Field(max_length=40)] | None = None
    preferred_locales: Annotated[list[Locale], Field(max_length=5)] | None = None


class InvoiceLineCreate(StrictSchema):
    description: Annotated[StrictStr, Field(min_length=1, max_length=500)]
    quantity: Annotated[StrictInt, Field(ge=1, le=1_000_000)]
    unit_amount: AmountMinor
    tax_rate_percent: Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=4)] = Decimal(0)


class InvoiceCreate(StrictSchema):
    customer: ObjectId
    currency: Currency
    due_date: datetime.date | None = None
    lines: Annotated[list[InvoiceLineCreate], Field(min_length=1, max_length=100)]
    discount_amount: AmountMinor = 0
    description: Annotated[StrictStr, Field(max_length=5000)] = ""


class CardCreate(StrictSchema):
    number: Annotated[StrictStr, Field(min_length=1, max_length=30)]
    exp_month: StrictInt
    exp_year: StrictInt
    cvc: Annotated[StrictStr, Field(min_length=1, max_length=8)]


class PaymentMethodCreate(StrictSchema):
    type: Literal["card"]
    card: CardCreate


class PaymentCreate(StrictSchema):
    invoice: ObjectId
    amount: PositiveAmountMinor | None = None
    payment_method: PaymentMethodCreate
    return_url: Annotated[StrictStr, Field(max_length=500)] = ""


class RefundCreate(StrictSchema):
    payment: ObjectId
    amount: PositiveAmountMinor | None = None
    reason: Literal["requested_by_customer", "duplicate", "fraudulent"] | None = None


class WebhookEndpointCreate(StrictSchema):
    url: Annotated[StrictStr, Field(min_length=1, max_length=2000)]
    enabled_events: Annotated[list[Annotated[StrictStr, Field(min_length=1, max_length=60)]], Field(min_length=1, max_length=100)] = ["*"]


class PaymentAuthentication(StrictSchema):
    outcome: Literal["approve", "fail"] = "approve"
